from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import fields
from odoo import sql_db
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase
from odoo.tests import get_db_name
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestRunControls(DebtorFollowupCommon):
    """The night cannot be lost, a reminder is not repeated by mistake, and the history survives merges and
    deletions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payers, cls.invoices = cls._overdue_customers(2, "Ctl")
        # reminders by email only: no PDF to render
        cls.policy.level_ids.write({"attach_statement": False, "attach_invoices": False, "print_letter": False})
        cls.other_company = cls.setup_other_company(name="Second Co")["company"]
        other_policy = cls.env["debtor.followup.policy"]._get_company_default(cls.other_company)
        other_policy.level_ids.write({"attach_statement": False, "attach_invoices": False, "print_letter": False})
        cls.other_invoice = cls._invoice(cls.payers[0], 55.0, "2025-12-01", due_date="2026-01-01",
                                         company=cls.other_company)
        cls.Run = cls.env["debtor.followup.run"]
        cls.RunClass = type(cls.Run)
        cls.cron = cls.env.ref("debtor_followup.ir_cron_debtor_followup_run")

    def _cron(self):
        """Run the nightly cron job as the scheduler does: in a cursor of its own, committing batch by batch (the
        test cursor turns its commits and rollbacks into savepoints)."""
        with self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def _runs(self, company, day="2026-01-08"):
        return self.Run.search([("company_id", "=", company.id), ("run_date", "=", day)])

    def _actions(self, partner, **domain):
        return self.env["debtor.followup.action"].search(
            [("partner_id", "=", partner.id)] + [(key, "=", value) for key, value in domain.items()])

    # ------------------------------------------------------------------ the night cannot be lost
    def test_an_exception_before_the_first_commit_keeps_the_run_and_the_next_company_runs(self):
        original = self.RunClass._lock_batch

        def broken_in_first_company(run, customers):
            if run.company_id == self.company:
                raise RuntimeError("database hiccup")
            return original(run, customers)

        with freeze_time("2026-01-08"), patch.object(self.RunClass, "_lock_batch", broken_in_first_company):
            self._cron()
        failed = self._runs(self.company)
        self.assertEqual(len(failed), 1, "the run record survived the rollback of its failed work")
        self.assertEqual(failed.state, "failed")
        self.assertIn("database hiccup", failed.log)
        self.assertFalse(failed.action_ids)
        self.assertFalse(self._actions(self.payers[0], company_id=self.company.id))
        other = self._runs(self.other_company)
        self.assertEqual((other.state, other.done_count), ("done", 1), "the next company ran")
        self.assertEqual(other.action_ids.amount_due, 55.0)

    def test_each_failing_pre_step_is_logged_and_the_run_goes_on(self):
        # the day's postings were committed before the night, and their files refreshed by the refresh cron
        self.env.cr.flush()
        self.env["debtor.customer"]._cron_process_refresh_queue()
        Customer = type(self.env["debtor.customer"])
        original_refresh = Customer._refresh

        def refresh_all_broken(customer, company, partners=None, today=None):
            if partners is None:
                raise RuntimeError("refresh broken")
            return original_refresh(customer, company, partners, today)

        broken = [
            (type(self.env["debtor.promise"]), "_check_open_promises", "Promises"),
            (type(self.env["debtor.dispute"]), "_remind_sla_overdue", "Dispute deadlines"),
            (type(self.env["debtor.payment.plan"]), "_update_plans", "Payment plans"),
            (type(self.env["debtor.credit.check"]), "_recompute_scores", "Credit scores"),
            (Customer, "_refresh_usual_delays", "Usual payment delays"),
        ]
        with freeze_time("2026-01-08"), patch.object(Customer, "_refresh", refresh_all_broken):
            patches = [patch.object(model, method, side_effect=RuntimeError(f"{step} broken"))
                       for model, method, step in broken]
            for patcher in patches:
                patcher.start()
            try:
                self._cron()
            finally:
                for patcher in patches:
                    patcher.stop()
        for company, partners in ((self.company, self.payers), (self.other_company, self.payers[0])):
            run = self._runs(company)
            self.assertEqual(run.state, "done")
            for _model, _method, step in broken:
                self.assertIn(f"{step} failed: {step} broken", run.log)
            self.assertIn("Debtor files failed: refresh broken", run.log)
            self.assertEqual(run.action_ids.filtered(lambda action: action.state == "done").partner_id, partners,
                             "the reminders still went out")

    def test_run_now_queues_the_run_for_the_cron(self):
        with freeze_time("2026-01-08"):
            Run = self.Run.with_user(self.manager)
            action = Run.action_run_now()
            run = self.Run.browse(action["res_id"])
            self.assertEqual((run.state, run.trigger, run.user_id), ("queued", "manual", self.manager))
            self.assertFalse(run.action_ids, "nothing ran in the request")
            self.assertFalse(self._actions(self.payers[0]))
            self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]),
                            "the cron's own job is triggered")
            self.assertEqual(Run.action_run_now()["res_id"], run.id, "a second click joins the queued run")
            self._cron()
            self.assertEqual((run.state, run.trigger), ("done", "manual"))
            self.assertEqual(run.action_ids.partner_id, self.payers)
            self.assertEqual(self._runs(self.company), run, "the cron ran the queued run, not a second one")
            # the cron called again the same day leaves the companies whose run is over alone
            self._cron()
            self.assertEqual(self._runs(self.company), run)
            self.assertEqual(len(self._runs(self.other_company)), 1)

    def test_a_run_does_not_start_while_another_session_holds_the_company(self):
        with freeze_time("2026-01-08"):
            run = self.Run._get_or_start_run(self.company, fields.Date.today(), trigger="cron")
            with patch.object(self.RunClass, "_company_lock", self._busy_lock):
                with self.assertRaisesRegex(UserError, "Another run of"):
                    run._execute()
                self.Run._cron_run_followup()
            self.assertFalse(run.action_ids)
            waiting = self.Run.search([("company_id", "=", self.company.id), ("state", "=", "queued")])
            self.assertEqual(len(waiting), 1, "the cron queued a run that waits for the busy one")
            self.assertIn("another run of", waiting.log)
            self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]))
            # the lock is free again: the interrupted run resumes, then the waiting one finds nothing left
            self.Run._cron_run_followup()
            self.assertEqual((run.state, run.action_ids.partner_id), ("done", self.payers))
            self.Run._cron_run_followup()
            self.assertEqual((waiting.state, waiting.action_ids), ("done", self.env["debtor.followup.action"]))

    @staticmethod
    def _busy_lock(run, company):
        """A company lock another session holds."""
        class Busy:
            def __enter__(self):
                return False

            def __exit__(self, *args):
                return False
        return Busy()

    def test_the_same_level_twice_the_same_day_is_a_no_op(self):
        payer = self.payers[0]
        with freeze_time("2026-01-08"):
            first = self._run()
            self.assertEqual(len(self._actions(payer, level_id=self.level_1.id)), 1)
            # later that day the customer re-enters the level: a new invoice, long overdue, is posted
            late = self._invoice(payer, 40.0, "2025-12-01", due_date="2026-01-01")
            second = self._run()
            self.assertNotEqual(second, first)
            self.assertEqual(second.state, "done")
            self.assertFalse(second.action_ids, "no action, not even a failed one")
            self.assertIn("Ctl Customer 0: level First reminder already executed today, not again.", second.log)
            self.assertEqual(len(self._actions(payer)), 1)
            self.assertFalse(payer.message_ids.filtered(lambda m: "could not execute" in (m.body or "")))
            # two transactions racing past the check: the database's guard makes it a no-op as well
            with patch.object(type(self.env["debtor.customer"]), "_drop_done_today",
                              lambda customer, items, run, today: items), mute_logger("odoo.sql_db"):
                third = self._run()
            self.assertFalse(third.action_ids)
            self.assertIn("already executed today, not again.", third.log)
        with freeze_time("2026-01-09"):
            self.assertEqual(self._run().action_ids.line_ids.move_id, late, "the new invoice is reminded next day")

    # ------------------------------------------------------------------ manual sending
    def test_send_now_proposes_the_next_level_and_asks_before_repeating(self):
        payer = self.payers[0]
        debtor = self._debtor(payer)
        Send = self.env["debtor.followup.send"].with_user(self.controller)
        with freeze_time("2026-01-08"):
            self.assertEqual(Send.create({"customer_id": debtor.id}).level_id, self.level_1, "the level due")
            self._run()
            proposed = Send.create({"customer_id": debtor.id})
            self.assertEqual(proposed.level_id, self.level_2, "the next level, not the one sent this morning")
            self.assertFalse(proposed.repeat_warning)
            wizard = Send.create({"customer_id": debtor.id, "level_id": self.level_1.id})
            self.assertIn("was already sent level First reminder today", wizard.repeat_warning)
            with self.assertRaisesRegex(UserError, "already sent level First reminder today"):
                wizard.action_send()
            self.assertEqual(len(self._actions(payer)), 1, "refused by the server: nothing sent")
            wizard.confirm_repeat = True
            wizard.action_send()
            self.assertEqual(len(self._actions(payer, manual=True, level_id=self.level_1.id)), 1)

    # ------------------------------------------------------------------ only a delivered formal notice counts
    def test_a_bounced_final_notice_does_not_count_and_raises_a_todo(self):
        payer = self.payers[0]
        debtor = self._debtor(payer)
        debtor.responsible_id = self.controller
        invoice = self.invoices[0]
        self._receivable(invoice).sudo().write(
            {"debtor_level_id": self.level_2.id, "debtor_last_action_date": "2026-01-22"})
        Action = self.env["debtor.followup.action"]
        with freeze_time("2026-02-05"):
            notice = self._run().action_ids.filtered(lambda action: action.partner_id == payer)
        self.assertEqual((notice.level_id, notice.delivery_state), (self.level_final, "queued"))
        self.assertEqual(Action.search(Action._formal_notice_domain() + [("partner_id", "=", payer.id)]), notice)
        with freeze_time("2026-02-25"):
            self.assertEqual(self.env["debtor.handover"].new({"line_ids": [Command.create({
                "move_id": invoice.id})]})._last_notice_date(), self.d("2026-02-05"))
        # the mail server delivers it, then the customer's server bounces it back
        message = notice.mail_message_id
        self.env["mail.thread"]._routing_handle_bounce(None, {
            "bounced_email": payer.email_normalized, "bounced_partner": payer, "bounced_msg_ids": [message.message_id],
            "bounced_message": message, "email_from": "MAILER-DAEMON@slowpayer.example.com",
            "to": "bounce@company.example.com", "message_id": "<bounce-1@slowpayer.example.com>",
            "body": "550 5.1.1 mailbox unknown"})
        notice.invalidate_recordset()
        self.assertEqual(notice.delivery_state, "failed")
        self.assertFalse(Action.search(Action._formal_notice_domain() + [("partner_id", "=", payer.id)]),
                         "a bounced final notice is no formal notice")
        with freeze_time("2026-02-25"):
            handover = self.env["debtor.handover"].new({"line_ids": [Command.create({"move_id": invoice.id})]})
            self.assertFalse(handover._last_notice_date())
            self.assertFalse([entry for entry in handover._reminder_history() if entry["final_notice"]],
                             "the agency file does not call it the formal notice")
        todo = payer.activity_ids.filtered(lambda activity: activity == notice.bounce_activity_id)
        self.assertEqual(len(todo), 1)
        self.assertEqual((todo.user_id, todo.activity_type_id), (self.controller, self.env.ref(
            "mail.mail_activity_data_todo")))
        self.assertIn("Reminder bounced: Final notice", todo.summary)
        self.assertIn("does not count as the formal notice", todo.note)
        debtor.invalidate_recordset()
        self.assertIn("not delivered, the last one Final notice of 2026-02-05", debtor.undelivered_warning)
        self.assertIn("does not count as the formal notice", debtor.undelivered_warning)
        # a second bounce of the same reminder raises no second to-do
        message.notification_ids.sudo().write({"notification_status": "bounce"})
        payer.invalidate_recordset()
        self.assertEqual(len(payer.activity_ids.filtered(lambda a: "Reminder bounced" in (a.summary or ""))), 1)

    # ------------------------------------------------------------------ history kept
    def test_partner_merge_moves_everything_and_merges_two_files(self):
        source, target = self.payers
        with freeze_time("2026-01-08"):
            self._run()
            self._run(self.other_company)
        source_file, target_file = self._debtor(source), self._debtor(target)
        source_file.write({"responsible_id": self.controller.id, "reminder_mode": "manual"})
        check = self.env["debtor.credit.check"].create({"customer_id": source_file.id, "result": "approved",
                                                        "rating": "B"})
        promise = self.env["debtor.promise"].create({
            "partner_id": source.id, "company_id": self.company.id, "date": "2099-01-01", "amount": 10.0,
            "line_ids": [Command.set(self._receivable(self.invoices[0]).ids)]})
        dispute = self.env["debtor.dispute"].create({
            "move_id": self.invoices[0].id, "reason_id": self.env.ref("debtor_followup.dispute_reason_damaged").id})
        plan_invoice = self._invoice(source, 60.0, "2025-12-01", due_date="2026-02-01")
        plan = self.env["debtor.payment.plan"].sudo().create({
            "partner_id": source.id, "move_ids": [Command.set(plan_invoice.ids)], "date": "2026-01-10",
            "first_due_date": "2026-02-10", "installment_count": 2, "frequency": "monthly"})
        agency = self.env["res.partner"].create({"name": "Collect BV", "is_company": True,
                                                 "debtor_is_collection_agency": True})
        self.company.debtor_handover_agency_id = agency
        source.write({"street": "1 Main Street", "city": "Springfield", "country_id": self.env.ref("base.us").id})
        handed_over = self._invoice(source, 40.0, "2025-11-01", due_date="2025-12-01")
        wizard = self.env["debtor.handover.wizard"].with_user(self.manager).with_context(
            active_model="debtor.customer", active_id=source_file.id).create({})
        wizard.write({"move_ids": [Command.set(handed_over.ids)], "override": True, "override_reason": "Test"})
        handover = self.env["debtor.handover"].browse(wizard.action_create()["res_id"])
        other_file = self._debtor(source, self.other_company)
        actions = self._actions(source) | self._actions(target)
        self.assertEqual(len(actions), 3, "both reminded of level 1 the same day, and the source in two companies")

        self.env["base.partner.merge.automatic.wizard"]._merge((source | target).ids, target, extra_checks=False)
        self.env.invalidate_all()

        self.assertFalse(source.exists())
        files = self.env["debtor.customer"].search([("partner_id", "=", target.id)])
        self.assertEqual(files, target_file | other_file, "one file per company: the two files were merged")
        self.assertFalse(source_file.exists())
        self.assertEqual((target_file.responsible_id, target_file.reminder_mode), (self.controller, "manual"))
        self.assertEqual(target_file.total_due, 400.0, "the figures cover the invoices of both")
        self.assertEqual((check.customer_id, check.partner_id), (target_file, target))
        self.assertEqual(target_file.credit_check_id, check)
        self.assertEqual(actions.exists(), actions, "no reminder lost")
        self.assertEqual(actions.partner_id, target)
        self.assertEqual(sorted(actions.mapped("merged_from"), key=str), ["Ctl Customer 0", "Ctl Customer 0", False])
        self.assertEqual((promise.partner_id, dispute.partner_id, plan.partner_id, handover.partner_id),
                         (target, target, target, target))
        self.assertTrue(target.message_ids.filtered(
            lambda message: "Debtor file of Ctl Customer 0 merged into this one" in (message.body or "")))

    def test_history_cannot_be_deleted(self):
        payer = self.payers[0]
        with freeze_time("2026-01-08"):
            run = self._run()
        action = run.action_ids.filtered(lambda a: a.partner_id == payer)
        # a customer with follow-up history and no journal item (Odoo itself keeps those with journal items)
        reminded = self.env["res.partner"].create({"name": "Reminded Once", "is_company": True})
        self.env["debtor.followup.action"].sudo().create({
            "partner_id": reminded.id, "company_id": self.company.id, "level_id": self.level_1.id, "state": "done",
            "manual": True})
        fee_invoice = self._invoice(payer, 20.0, "2026-01-08", due_date="2026-01-22")
        fee = self.env["debtor.followup.fee"].sudo().create({
            "move_id": self.invoices[0].id, "level_id": self.level_1.id, "fee_move_id": fee_invoice.id,
            "company_id": self.company.id, "costs": 20.0})
        for record, message in ((reminded, "Reminded Once has a follow-up history"), (run, "cannot be deleted"),
                                (action, "cannot be deleted"), (fee, "charged again")):
            with self.subTest(model=record._name), self.assertRaisesRegex(UserError, message):
                record.unlink()
            self.assertTrue(record.exists())
        reminded.action_archive()
        self.assertFalse(reminded.active, "archived instead")
        # without history, a contact still goes
        stranger = self.env["res.partner"].create({"name": "Never Invoiced"})
        stranger.unlink()
        self.assertFalse(stranger.exists())

    def test_a_level_email_template_is_a_contact_template(self):
        self.assertEqual(self.level_1._fields["mail_template_id"].domain, [("model", "=", "res.partner")])
        wrong = self.env["mail.template"].create({
            "name": "Invoice mail", "model_id": self.env["ir.model"]._get_id("account.move"), "subject": "Invoice"})
        with self.assertRaisesRegex(ValidationError, "must be a template of Contacts"):
            self.level_1.mail_template_id = wrong
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.level_1.mail_template_id.model, "res.partner")


@tagged("post_install", "-at_install")
class TestRunNowBesideTheCron(BaseCase):
    """*Run Now* in a web request while the cron's run holds the company, on two real database connections: the
    request queues and returns at once, the queued run waits, then runs once the company is free. Nothing is
    committed: both transactions are rolled back at the end."""

    def test_run_now_beside_the_cron(self):
        database = sql_db.db_connect(get_db_name())
        with database.cursor() as cron_cr, database.cursor() as web_cr:
            cron_env = api.Environment(cron_cr, SUPERUSER_ID, {})
            web_env = api.Environment(web_cr, SUPERUSER_ID, {})
            company = web_env["res.company"].search([], order="id", limit=1)
            web_env["debtor.followup.policy"]._get_company_default(company)
            web_cr.execute("SET LOCAL lock_timeout = '5s'")  # a request that waited would fail instead of hang
            WebRun = web_env["debtor.followup.run"].with_company(company)
            try:
                with cron_env["debtor.followup.run"]._company_lock(company) as locked:
                    self.assertTrue(locked)
                    cron_run = cron_env["debtor.followup.run"]._start_run(company, fields.Date.today())
                    cron_run.log = "the cron is at work"
                    cron_env.flush_all()
                    # the manager's request: queued, the cron triggered, nothing run
                    queued = WebRun.browse(WebRun.action_run_now()["res_id"])
                    self.assertEqual(queued.state, "queued")
                    self.assertTrue(web_env["ir.cron.trigger"].search(
                        [("cron_id", "=", web_env.ref("debtor_followup.ir_cron_debtor_followup_run").id)]))
                    # a run started beside the cron's refuses, the cron's next call leaves the queued run waiting
                    with self.assertRaisesRegex(UserError, "Another run of"):
                        queued._execute()
                    WebRun._cron_run_followup()
                    web_env.invalidate_all()
                    self.assertEqual(queued.state, "queued")
                    self.assertFalse(queued.action_ids)
                # the cron's run is over (its transaction ends): the queued run runs at the next call
                cron_cr.rollback()
                WebRun._cron_run_followup()
                web_env.invalidate_all()
                self.assertEqual(queued.state, "done")
                self.assertEqual(queued.trigger, "manual")
            finally:
                cron_cr.rollback()
                web_cr.rollback()
