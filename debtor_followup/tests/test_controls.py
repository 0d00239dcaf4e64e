"""Controls that hold on the server: states, approvals, decisions and audit fields change only through the actions.

Every forgery is tried as a credit controller and as a plain invoicing user would try it over JSON-RPC: the ORM's
``write``, ``create`` and ``unlink`` with the user's rights (``with_user``), and once per model through a real
``/web/dataset/call_kw`` request. Each must be refused (``UserError``, or its subclass ``AccessError``) and leave the
records as they were. The actions themselves still work for the right role.
"""

from odoo import Command
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from ..models.debtor_workflow_mixin import WORKFLOW_CONTEXT_KEY
from .common import DebtorFollowupCommon

WORKFLOW_MODELS = ("debtor.payment.plan", "debtor.payment.plan.line", "debtor.dispute", "debtor.promise",
                   "debtor.handover", "debtor.handover.line", "debtor.credit.check")


class ControlsCommon(DebtorFollowupCommon):
    """One record of each workflow model, as the actions left it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company = cls.company
        # a plan over the approval amount (5,000 by default), still a draft; and an active one
        cls.invoice_big = cls._invoice(cls.customer, 9000.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_plan = cls._invoice(cls.customer, 900.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_dispute = cls._invoice(cls.customer, 300.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_promise = cls._invoice(cls.customer, 200.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_handover = cls._invoice(cls.customer, 150.0, "2025-11-01", due_date="2025-12-01")
        Plan = env["debtor.payment.plan"].with_user(cls.controller)
        cls.plan_big = Plan.create({"partner_id": cls.customer.id, "installment_count": 3,
                                    "move_ids": [Command.set(cls.invoice_big.ids)]}).with_env(env)
        cls.plan_active = Plan.create({"partner_id": cls.customer.id, "installment_count": 3,
                                       "move_ids": [Command.set(cls.invoice_plan.ids)]})
        cls.plan_active.action_activate()
        cls.plan_active = cls.plan_active.with_env(env)
        cls.dispute = env["debtor.dispute"].with_user(cls.controller).create({
            "move_id": cls.invoice_dispute.id,
            "reason_id": env.ref("debtor_followup.dispute_reason_other").id}).with_env(env)
        cls.promise = env["debtor.promise"].with_user(cls.controller).create({
            "partner_id": cls.customer.id, "company_id": company.id, "date": "2099-01-01", "amount": 200.0,
            "line_ids": [Command.set(cls._receivable(cls.invoice_promise).ids)]}).with_env(env)
        cls.debtor = env["debtor.customer"]._credit_file(cls.customer, company)
        cls.check = env["debtor.credit.check"].with_user(cls.controller).create({
            "customer_id": cls.debtor.id, "result": "approved_limit",
            "credit_limit_proposal": 5000.0}).with_env(env)
        # a handover, made by a manager with the wizard (the preconditions overridden)
        agency = env["res.partner"].create({"name": "Collect & Recover BV", "is_company": True,
                                            "debtor_is_collection_agency": True})
        company.debtor_handover_agency_id = agency
        cls.customer.write({"street": "1 Main Street", "city": "Springfield", "country_id": env.ref("base.us").id})
        wizard = env["debtor.handover.wizard"].with_user(cls.manager).with_context(
            active_model="debtor.customer", active_id=cls.debtor.id).create({})
        wizard.write({"move_ids": [Command.set(cls.invoice_handover.ids)], "override": True,
                      "override_reason": "Test data"})
        cls.handover = env["debtor.handover"].browse(wizard.action_create()["res_id"])
        cls.handover_line = cls.handover.line_ids
        cls.night_run = env["debtor.followup.run"].sudo()._get_or_start_run(company, fields.Date.to_date("2026-01-08"))
        cls.night_run.sudo()._debtor_workflow_write({"log": "the night's log\n", "customer_count": 3})
        cls.action = env["debtor.followup.action"].sudo().create({
            "partner_id": cls.customer.id, "company_id": company.id, "level_id": cls.level_1.id, "state": "done",
            "run_id": cls.night_run.id, "date": "2026-01-08",
            "line_ids": [Command.set(cls._receivable(cls.invoice_promise).ids)]})


@tagged("post_install", "-at_install")
class TestControls(ControlsCommon):
    """Forged writes, creates and deletes refused over the ORM with the users' rights; the actions still work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager_2 = new_test_user(
            cls.env, login="debtor_manager_2", name="Mo Manager", groups="debtor_followup.group_debtor_manager",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])

    def _forge(self, records, fields, forgery, users=None):
        """``forgery(env)`` as each of ``users`` (the controller and the invoicing user) must be refused and leave
        ``fields`` of ``records`` as they were."""
        before = records.read(fields)
        for user in users or (self.controller, self.invoicing_user):
            with self.subTest(records=records, user=user.login):
                with self.assertRaises(UserError):  # AccessError included
                    forgery(self.env(user=user, su=False))
                self.env.invalidate_all()
                self.assertEqual(records.exists().read(fields), before, "nothing changed")

    # ------------------------------------------------------------------ payment plans
    def test_plan_approval_and_state_cannot_be_written(self):
        plan = self.plan_big
        self.assertTrue(plan.approval_required)
        fields = ["state", "approved_by_id", "proposed_by_id"]
        self._forge(plan, fields, lambda env: plan.with_env(env).write({"approved_by_id": env.uid}))
        self._forge(plan, fields, lambda env: plan.with_env(env).write({"state": "active"}))
        self._forge(plan, fields, lambda env: plan.with_env(env).write({"approved_by_id": self.manager.id,
                                                                       "state": "active"}))
        # a context key sent by the client unlocks nothing
        self._forge(plan, fields, lambda env: plan.with_env(env).with_context(
            **{WORKFLOW_CONTEXT_KEY: True}).write({"state": "active"}))
        # nor can a manager forge an approval (it approves with the button, as itself)
        self._forge(plan, fields, lambda env: plan.with_env(env).write({"approved_by_id": self.manager_2.id}),
                    users=self.manager)
        self.assertEqual(plan.state, "draft")
        self.assertFalse(plan.approved_by_id)

    def test_active_plan_state_and_terms_cannot_be_written(self):
        plan = self.plan_active
        fields = ["state", "amount_total", "open_amount", "fee_amount", "installment_count", "partner_id"]
        for vals in ({"state": "completed"}, {"state": "draft"}, {"fee_amount": 10.0}, {"open_amount": 1.0},
                     {"installment_count": 1}, {"partner_id": self.customer_b.id}, {"overpaid_amount": 5.0}):
            self._forge(plan, fields, lambda env, vals=vals: plan.with_env(env).write(vals))
        self.assertEqual(plan.state, "active")

    def test_installments_change_with_their_plan_only(self):
        plan = self.plan_active
        lines = plan.line_ids
        self.assertEqual(len(lines), 3)
        line = lines[0]
        fields = ["amount", "due_date", "amount_paid", "date_paid", "state", "reference"]
        self._forge(lines, fields, lambda env: line.with_env(env).unlink())
        self._forge(lines, fields, lambda env: line.with_env(env).write({"amount": 1.0}))
        self._forge(lines, fields, lambda env: line.with_env(env).write({"due_date": "2099-01-01"}))
        self._forge(lines, fields, lambda env: line.with_env(env).write({"amount_paid": line.amount}))
        self._forge(lines, fields, lambda env: line.with_env(env).write({"state": "paid"}))
        self._forge(lines, fields, lambda env: env["debtor.payment.plan.line"].create({
            "plan_id": plan.id, "due_date": "2099-01-01", "amount": 1.0}))
        self._forge(lines, fields, lambda env: plan.with_env(env).write({"line_ids": [Command.delete(line.id)]}))
        # the draft plan's schedule is generated from its terms too
        draft_lines = self.plan_big.line_ids
        self._forge(draft_lines, fields, lambda env: draft_lines[0].with_env(env).write({"amount": 1.0}))
        self._forge(draft_lines, fields, lambda env: draft_lines[-1].with_env(env).unlink())
        # even a manager, who may delete installments (of a draft plan's regeneration), cannot
        self._forge(lines, fields, lambda env: line.with_env(env).unlink(), users=self.manager)
        self.assertEqual(plan.line_ids, lines)
        self.assertEqual(sum(plan.line_ids.mapped("amount")), plan.amount_total, "the plan still sums to its total")

    def test_plan_invoices_cannot_be_changed_from_the_invoice(self):
        """The plan-invoice relation, written from the invoice's side, would bypass the plan's controls."""
        plan, invoice = self.plan_active, self.invoice_plan
        self._forge(plan, ["move_ids"], lambda env: invoice.with_env(env).write(
            {"debtor_plan_ids": [Command.unlink(plan.id)]}))
        self._forge(plan, ["move_ids"], lambda env: self.invoice_promise.with_env(env).write(
            {"debtor_plan_ids": [Command.link(plan.id)]}))
        self.assertEqual(plan.move_ids, invoice)
        self.assertFalse(invoice.copy().debtor_plan_ids, "a copy of the invoice is in no plan")

    def test_plan_cannot_be_created_active_or_approved(self):
        Plan = self.env["debtor.payment.plan"]
        invoice = self._invoice(self.customer, 100.0, "2025-11-01", due_date="2025-12-01")
        for forged in ({"state": "active"}, {"approved_by_id": self.manager.id}, {"open_amount": 1.0}):
            with self.subTest(forged=forged), self.assertRaises(UserError):
                Plan.with_user(self.controller).create({"partner_id": self.customer.id,
                                                        "move_ids": [Command.set(invoice.ids)], **forged})
        self.assertFalse(Plan.search([("move_ids", "in", invoice.ids)]))

    def test_plan_actions(self):
        """The controller proposes and activates, a manager approves; new terms undo an approval."""
        plan = self.plan_big.with_user(self.controller)
        with self.assertRaises(UserError):
            plan.action_approve()
        with self.assertRaises(UserError, msg="needs a manager's approval"):
            plan.action_activate()
        plan.action_propose()
        self.assertRecordValues(plan, [{"state": "proposed", "proposed_by_id": self.controller.id}])
        plan.with_user(self.manager).action_approve()
        self.assertEqual(plan.approved_by_id, self.manager)
        plan.action_reset_draft()
        self.assertRecordValues(plan, [{"state": "draft", "approved_by_id": False, "proposed_by_id": False}])
        plan.with_user(self.manager).action_approve()
        plan.installment_count = 5  # ordinary fields of a draft still change...
        self.assertFalse(plan.approved_by_id, "... and the approval was of the old terms")
        plan.with_user(self.manager).action_approve()
        plan.action_activate()
        self.assertEqual(plan.state, "active")
        self.assertEqual(sum(plan.line_ids.mapped("amount")), plan.amount_total)
        plan.user_id = self.manager  # the responsible is not a control
        plan.action_cancel()
        self.assertEqual(plan.state, "cancelled")
        # the superuser (the cron, a migration) is not checked
        self.plan_active.sudo().write({"state": "completed"})
        self.assertEqual(self.plan_active.state, "completed")

    def test_four_eyes(self):
        self.company.debtor_four_eyes = True
        plan = self.plan_big.with_user(self.manager)
        plan.action_propose()
        with self.assertRaises(UserError):
            plan.action_approve()
        self.assertFalse(plan.approved_by_id)
        plan.with_user(self.manager_2).action_approve()
        self.assertEqual(plan.approved_by_id, self.manager_2)
        # a dispute above the approval amount, raised by a manager, is accepted by another one
        self.company.debtor_dispute_approval_amount = 100.0
        invoice = self._invoice(self.customer, 500.0, "2025-11-01", due_date="2025-12-01")
        dispute = self.env["debtor.dispute"].with_user(self.manager).create({
            "move_id": invoice.id, "reason_id": self.env.ref("debtor_followup.dispute_reason_other").id})
        with self.assertRaises(UserError):
            dispute.action_accept()
        self.assertEqual(dispute.state, "open")
        dispute.with_user(self.manager_2).action_accept()
        self.assertRecordValues(dispute, [{"state": "resolved", "resolution": "accepted"}])

    # ------------------------------------------------------------------ disputes
    def test_dispute_state_and_decision_cannot_be_written(self):
        dispute = self.dispute
        fields = ["state", "resolution", "date_resolved", "credit_note_id", "move_id", "disputed_amount"]
        for vals in ({"state": "closed"}, {"state": "resolved", "resolution": "rejected"},
                     {"resolution": "accepted"}, {"date_resolved": "2026-01-01"},
                     {"credit_note_id": self.invoice_promise.id}, {"move_id": self.invoice_promise.id}):
            self._forge(dispute, fields, lambda env, vals=vals: dispute.with_env(env).write(vals))
        self._forge(dispute, fields, lambda env: env["debtor.dispute"].create({
            "move_id": self.invoice_promise.id, "state": "closed",
            "reason_id": self.env.ref("debtor_followup.dispute_reason_other").id}))
        self.assertFalse(self.env["debtor.dispute"].search([("move_id", "=", self.invoice_promise.id)]))

    def test_dispute_actions(self):
        """Open -> under investigation -> rejected with a written reason -> closed; then the decision is fixed."""
        dispute = self.dispute.with_user(self.controller)
        dispute.write({"disputed_amount": 250.0, "responsible_id": self.manager.id})  # an open dispute is worked
        dispute.action_investigate()
        with self.assertRaises(UserError, msg="no written reason"):
            dispute.action_reject()
        dispute.resolution_note = "Delivered and signed for."
        dispute.action_reject()
        self.assertRecordValues(dispute, [{"state": "resolved", "resolution": "rejected"}])
        fields = ["resolution_note", "disputed_amount", "reason_id"]
        for vals in ({"resolution_note": "Something else"}, {"disputed_amount": 10.0},
                     {"reason_id": self.env.ref("debtor_followup.dispute_reason_damaged").id}):
            self._forge(dispute, fields, lambda env, vals=vals: dispute.with_env(env).write(vals))
        dispute.action_close()
        self.assertEqual(dispute.state, "closed")

    # ------------------------------------------------------------------ promises
    def test_promise_state_and_figures_cannot_be_written(self):
        promise = self.promise
        fields = ["state", "amount", "residual_at_promise", "user_id", "line_ids"]
        for vals in ({"state": "kept"}, {"state": "broken"}, {"amount": 1.0}, {"residual_at_promise": 1.0},
                     {"user_id": self.manager.id}, {"line_ids": [Command.clear()]}):
            self._forge(promise, fields, lambda env, vals=vals: promise.with_env(env).write(vals))
        receivable = self._receivable(self.invoice_handover | self.invoice_dispute)
        for forged in ({"state": "kept"}, {"residual_at_promise": 10000.0}, {"user_id": self.manager.id}):
            self._forge(promise, fields, lambda env, forged=forged: env["debtor.promise"].create({
                "partner_id": self.customer.id, "company_id": self.company.id, "date": "2099-01-01",
                "amount": 10.0, "line_ids": [Command.set(receivable.ids)], **forged}))

    def test_promise_actions(self):
        promise = self.promise.with_user(self.controller)
        promise.write({"date": "2099-02-01", "note": "Called back"})  # an open promise's date moves
        promise.action_cancel()
        self.assertEqual(promise.state, "cancelled")
        self._forge(promise, ["date"], lambda env: promise.with_env(env).write({"date": "2099-03-01"}))

    # ------------------------------------------------------------------ handovers
    def test_handover_cannot_be_forged(self):
        handover, line = self.handover, self.handover_line
        users = (self.controller, self.invoicing_user, self.manager)
        fields = ["state", "date_sent", "override_reason", "override_user_id", "notice_date", "total_amount"]
        for vals in ({"state": "closed"}, {"state": "sent", "date_sent": "2026-01-01"},
                     {"override_reason": "Nobody overrode"}, {"override_user_id": False},
                     {"notice_date": "2025-01-01"}):
            self._forge(handover, fields, lambda env, vals=vals: handover.with_env(env).write(vals), users=users)
        line_fields = ["principal", "interest", "costs", "amount_collected", "move_id"]
        for vals in ({"principal": 1.0}, {"amount_collected": 150.0}, {"move_id": self.invoice_promise.id}):
            self._forge(line, line_fields, lambda env, vals=vals: line.with_env(env).write(vals), users=users)
        self._forge(line, line_fields, lambda env: line.with_env(env).unlink(), users=users)
        self._forge(line, line_fields, lambda env: env["debtor.handover.line"].create({
            "handover_id": handover.id, "move_id": self.invoice_promise.id, "principal": 1.0}), users=users)
        # a handover is created by the wizard only
        self._forge(handover, fields, lambda env: env["debtor.handover"].create({
            "partner_id": self.customer.id, "agency_id": handover.agency_id.id,
            "currency_id": self.company.currency_id.id}), users=users)

    def test_handover_actions(self):
        handover = self.handover.with_user(self.manager)
        handover.write({"withdraw_reason": "Paid the lawyer", "export_format": "csv"})  # a draft is prepared
        handover.action_withdraw()
        self.assertRecordValues(handover, [{"state": "withdrawn"}])
        self.assertTrue(handover.date_done)
        self._forge(handover, ["withdraw_reason"], lambda env: handover.with_env(env).write(
            {"withdraw_reason": "Another story"}), users=(self.manager,))

    # ------------------------------------------------------------------ credit checks
    def test_run_log_and_history_are_written_by_the_run_only(self):
        Run = self.env["debtor.followup.run"]
        for user in (self.manager, self.controller, self.invoicing_user):
            run = self.night_run.with_user(user)
            with self.assertRaises(UserError):
                run.write({"state": "failed", "log": "forged"})
            with self.assertRaises(UserError):
                Run.with_user(user).create({"company_id": self.company.id, "run_date": "2026-01-09",
                                            "state": "done"})
            with self.assertRaises(UserError):
                self.action.with_user(user).write({"state": "failed"})
            with self.assertRaises(UserError):
                self.action.with_user(user).unlink()
        run = self.night_run
        self.assertEqual((run.state, run.log, run.customer_count), ("running", "the night's log\n", 3))
        self.assertEqual(self.action.state, "done")
        self.assertEqual(Run.search_count([("run_date", "=", "2026-01-09")]), 0)
        # the manager's button still queues a run: the run writes its own record
        queued = Run.browse(Run.with_user(self.manager).action_run_now()["res_id"])
        self.assertIn(queued.state, ("queued", "running"))

    def test_credit_check_is_append_only(self):
        check = self.check
        fields = ["score", "rating", "user_id", "limit_applied", "result", "credit_limit_proposal", "date",
                  "identifier_summary"]
        for vals in ({"score": 99}, {"rating": "A"}, {"user_id": self.manager.id}, {"limit_applied": True},
                     {"result": "refused"}, {"credit_limit_proposal": 1.0}, {"date": "2020-01-01"}):
            self._forge(check, fields, lambda env, vals=vals: check.with_env(env).write(vals))
        # deleted by nobody but the superuser, managers included
        self._forge(check, fields, lambda env: check.with_env(env).unlink(),
                    users=(self.controller, self.invoicing_user, self.manager))
        for forged in ({"user_id": self.manager.id}, {"limit_applied": True}):
            self._forge(check, fields, lambda env, forged=forged: env["debtor.credit.check"].create({
                "customer_id": self.debtor.id, "result": "approved", **forged}))

    def test_credit_hold_changes_through_its_buttons_only(self):
        """The hold and its reason are put and released by the buttons that record who and why; the figures of a
        debtor file are the follow-up's: neither is written, nor given to a new file, by hand."""
        debtor = self.debtor
        fields = ["credit_hold", "credit_hold_note", "total_due", "total_overdue"]
        self._forge(debtor, fields, lambda env: debtor.with_env(env).write({"credit_hold": True}),
                    users=(self.controller, self.manager))
        self._forge(debtor, fields, lambda env: debtor.with_env(env).write({"total_overdue": 0.0}))
        other = self.env["res.partner"].create({"name": "New Customer", "is_company": True})
        for forged in ({"credit_hold": True}, {"total_due": 1.0}):
            with self.assertRaises(UserError), self.cr.savepoint():
                self.env["debtor.customer"].with_user(self.controller).create({
                    "partner_id": other.id, "company_id": self.company.id, **forged})
        self.assertFalse(self.env["debtor.customer"].search([("partner_id", "=", other.id)]))
        debtor.with_user(self.controller).credit_hold_note = "Cheque bounced"
        debtor.with_user(self.controller).action_credit_hold()
        self.assertTrue(debtor.credit_hold)
        self._forge(debtor, fields, lambda env: debtor.with_env(env).write({"credit_hold_note": "Nothing"}))
        self._forge(debtor, fields, lambda env: debtor.with_env(env).write({"credit_hold": False}),
                    users=(self.controller, self.manager))
        debtor.with_user(self.manager).action_credit_release()
        self.assertFalse(debtor.credit_hold)

    def test_a_context_key_sent_by_a_user_does_not_skip_the_refresh(self):
        """Only the bulk loaders of the superuser or an administrator may defer the refresh of the files."""
        Files = self.env["debtor.customer"].with_context(debtor_skip_refresh=True)
        self.assertTrue(Files._skip_refresh())
        for user in (self.controller, self.manager, self.invoicing_user):
            self.assertFalse(Files.with_user(user)._skip_refresh(), user.login)
        invoice = self._invoice(self.customer_b, 500.0, "2025-11-01", due_date="2025-12-01")
        self.env.invalidate_all()
        before = self._debtor(self.customer_b).total_due
        self.env["account.payment.register"].with_user(self.manager).with_context(
            active_model="account.move", active_ids=invoice.ids, debtor_skip_refresh=True,
        ).create({"amount": 500.0, "payment_date": "2025-12-10"})._create_payments()
        self.env.invalidate_all()
        self.assertEqual(self._debtor(self.customer_b).total_due, before - 500.0)

    def test_credit_check_actions(self):
        """A note can be added; the correction is a new check; a manager applies the limit."""
        check = self.check.with_user(self.controller)
        check.note = "Asked for the latest accounts"
        correction = self.env["debtor.credit.check"].with_user(self.controller).create({
            "customer_id": self.debtor.id, "result": "approved_limit", "credit_limit_proposal": 3000.0,
            "user_id": self.controller.id})
        self.assertEqual(correction.user_id, self.controller)
        with self.assertRaises(UserError):
            correction.action_apply_limit()
        correction.with_user(self.manager).action_apply_limit()
        self.assertTrue(correction.limit_applied)
        self.assertEqual(self.debtor.credit_limit, 3000.0)
        self.assertFalse(self.check.limit_applied)

    # ------------------------------------------------------------------ tracking
    def test_an_approval_is_in_the_chatter(self):
        """Who approved, and when, is logged on the plan by the tracking, under the approver's name."""
        self.env.cr.flush()  # what the set-up left pending, tracked (or not) as it was set up
        plan = self.plan_big.with_context(mail_notrack=False, tracking_disable=False)
        plan.with_user(self.manager).action_approve()
        self.env.cr.flush()  # the tracking is written when the transaction commits
        tracked = self.env["mail.tracking.value"].search([
            ("mail_message_id.model", "=", plan._name), ("mail_message_id.res_id", "=", plan.id),
            ("field_id.name", "=", "approved_by_id")])
        self.assertEqual(len(tracked), 1)
        self.assertEqual(tracked.new_value_char, self.manager.display_name)
        self.assertEqual(tracked.mail_message_id.author_id, self.manager.partner_id)

    def test_control_fields_are_tracked(self):
        """Every control field of a model with a chatter is tracked: who changed it, when, from what."""
        for model in WORKFLOW_MODELS:
            Model = self.env[model]
            if "message_ids" not in Model._fields:
                continue
            for name in Model._debtor_control_fields:
                if name == "name":
                    continue  # the reference, given once
                with self.subTest(model=model, field=name):
                    self.assertTrue(Model._fields[name].tracking, f"{model}.{name} is tracked")


@tagged("post_install", "-at_install")
class TestControlsRpc(ControlsCommon, HttpCase):
    """The same forgeries as a client sends them: one real JSON-RPC call per model to ``/web/dataset/call_kw``."""

    def _call(self, model, method, args, context=None):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": args,
            "kwargs": {"context": {"allowed_company_ids": self.company.ids, **(context or {})}}})

    def _refused(self, record, method, args, fields):
        before = record.read(fields)
        # the client's context cannot unlock the workflow
        with self.assertRaises(JsonRpcException) as caught:
            self._call(record._name, method, args, context={WORKFLOW_CONTEXT_KEY: True})
        self.assertIn(str(caught.exception), ("odoo.exceptions.UserError", "odoo.exceptions.AccessError"))
        self.env.invalidate_all()
        self.assertEqual(record.exists().read(fields), before, "nothing changed")

    def test_json_rpc_forgeries(self):
        self.authenticate(self.controller.login, self.controller.login)
        self.assertEqual(self._call("debtor.payment.plan", "read", [self.plan_big.ids, ["state"]])[0]["state"],
                         "draft", "the controller's session works")
        plan = self.plan_big
        self._refused(plan, "write", [plan.ids, {"approved_by_id": self.controller.id, "state": "active"}],
                      ["state", "approved_by_id"])
        line = self.plan_active.line_ids[:1]
        self._refused(line, "unlink", [line.ids], ["amount", "plan_id"])
        self._refused(self.dispute, "write", [self.dispute.ids, {"state": "closed"}], ["state", "resolution"])
        self._refused(self.promise, "write", [self.promise.ids, {"state": "kept"}], ["state"])
        self._refused(self.check, "write", [self.check.ids, {"score": 99, "rating": "A", "limit_applied": True,
                                                             "user_id": self.manager.id}],
                      ["score", "rating", "limit_applied", "user_id"])
        self._refused(self.handover, "write", [self.handover.ids, {"state": "closed"}], ["state"])
        # a manager may write handovers, but not their workflow
        self.authenticate(self.manager.login, self.manager.login)
        self._refused(self.handover, "write", [self.handover.ids, {"state": "closed", "date_done": "2026-01-01"}],
                      ["state", "date_done"])
        self._refused(self.handover_line, "write", [self.handover_line.ids, {"principal": 1.0}],
                      ["principal", "total"])
        # the run log and the reminder history are evidence
        self._refused(self.night_run, "write", [self.night_run.ids, {"state": "failed", "log": "nothing happened"}],
                      ["state", "log"])
        self._refused(self.night_run, "unlink", [self.night_run.ids], ["state", "log"])
        self._refused(self.action, "write", [self.action.ids, {"state": "failed", "date": "2026-01-01"}],
                      ["state", "date"])
        self._refused(self.action, "unlink", [self.action.ids], ["state", "date"])


@tagged("post_install", "-at_install")
class TestLedgerControls(ControlsCommon):
    """The follow-up's own fields on Odoo's invoices and items are not for anyone to write."""

    def test_item_history_and_override_author_cannot_be_forged(self):
        item = self._receivable(self.invoice_dispute)
        for user in (self.invoicing_user, self.controller, self.manager):
            with self.assertRaises(UserError):
                item.with_user(user).write({"debtor_level_id": self.level_final.id,
                                            "debtor_last_action_date": "2026-01-01"})
            with self.assertRaises(UserError):
                self.invoice_dispute.with_user(user).write({"debtor_credit_override_user_id": self.manager.id})
        self.assertFalse(item.debtor_level_id)
        self.assertFalse(self.invoice_dispute.debtor_credit_override_user_id)
