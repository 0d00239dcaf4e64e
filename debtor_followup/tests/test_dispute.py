from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestDispute(DebtorFollowupCommon):
    """Record, work and resolve a customer's reason for not paying."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env.ref("debtor_followup.dispute_reason_damaged")  # 14 days SLA
        cls.invoice = cls._invoice(cls.customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        cls.other = cls._invoice(cls.customer, 300.0, "2025-12-01", due_date="2026-01-01")

    def _dispute(self, amount=None, user=None, invoice=None, **vals):
        values = {"move_id": (invoice or self.invoice).id, "reason_id": self.reason.id, "date": "2026-01-05"}
        if amount is not None:
            values["disputed_amount"] = amount
        values.update(vals)
        return self.env["debtor.dispute"].with_user(user or self.controller).create(values)

    def test_raise_from_the_invoice(self):
        action = self.invoice.with_user(self.controller).action_debtor_raise_dispute()
        form = Form(self.env["debtor.dispute"].with_user(self.controller).with_context(**action["context"]))
        form.reason_id = self.reason
        form.date = "2026-01-05"
        dispute = form.save()
        self.assertTrue(dispute.name.startswith("DSP/"))
        self.assertEqual(dispute.disputed_amount, 1000.0, "the open amount by default")
        self.assertEqual(str(dispute.deadline), "2026-01-19", "14 days SLA of the reason")
        self.assertEqual(dispute.partner_id, self.customer)
        self.assertEqual(self.invoice.debtor_dispute_state, "open")
        self.assertEqual(self.invoice.debtor_dispute_count, 1)
        activity = dispute.activity_ids
        self.assertEqual((activity.user_id, str(activity.date_deadline)), (self.controller, "2026-01-19"))
        debtor = self._debtor(self.customer)
        self.assertEqual((debtor.dispute_count, debtor.disputed_amount), (1, 1000.0))
        self.assertEqual(self.customer.debtor_dispute_count, 1)

    def test_open_dispute_excludes_its_invoice_only(self):
        self._dispute()
        with freeze_time("2026-01-08"):
            receivable = self._receivable(self.invoice)
            self.assertEqual(receivable.debtor_exclusion_reason, "dispute")
            action = self._run().action_ids
        self.assertEqual(action.line_ids.move_id, self.other, "the undisputed debt keeps being followed up")
        with self.assertRaisesRegex(ValidationError, "in dispute"), self.cr.savepoint():
            self.env["debtor.promise"].create({
                "partner_id": self.customer.id, "company_id": self.company.id, "date": "2026-02-01",
                "amount": 100.0, "line_ids": [(6, 0, receivable.ids)]})

    def test_states_and_accept_with_credit_note(self):
        dispute = self._dispute(amount=250.0)
        dispute.action_investigate()
        self.assertEqual(dispute.state, "investigation")
        with self.assertRaisesRegex(UserError, "cannot do that"):
            dispute.action_close()
        dispute.action_accept()
        self.assertEqual((dispute.state, dispute.resolution), ("resolved", "accepted"))
        credit_note = dispute.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, 250.0)
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(self.invoice.amount_residual, 750.0, "reconciled with the invoice")
        self.assertFalse(dispute.activity_ids, "the owner's activity is done")
        dispute.action_close()
        self.assertEqual(dispute.state, "closed")
        self.assertFalse(self.invoice.debtor_dispute_state)

    def test_accept_credit_note_with_taxes(self):
        tax = self.tax_sale_a  # 15 % in the generic chart
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": "2025-12-01",
            "invoice_date_due": "2026-01-01",
            "invoice_line_ids": [
                (0, 0, {"name": "A", "quantity": 3, "price_unit": 133.33, "tax_ids": [(6, 0, tax.ids)]}),
                (0, 0, {"name": "B", "quantity": 1, "price_unit": 71.0, "tax_ids": [(6, 0, tax.ids)]}),
            ],
        })
        invoice.action_post()
        dispute = self._dispute(amount=123.45, invoice=invoice)
        dispute.action_accept()
        self.assertAlmostEqual(dispute.credit_note_id.amount_total, 123.45, places=2)
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - 123.45, places=2)

    def test_accept_disputed_lines(self):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": "2025-12-01",
            "invoice_date_due": "2026-01-01",
            "invoice_line_ids": [(0, 0, {"name": "Broken chair", "price_unit": 80.0, "tax_ids": []}),
                                 (0, 0, {"name": "Table", "price_unit": 420.0, "tax_ids": []})],
        })
        invoice.action_post()
        chair = invoice.invoice_line_ids.filtered(lambda line: line.name == "Broken chair")
        dispute = self._dispute(invoice=invoice, invoice_line_ids=[(6, 0, chair.ids)])
        self.assertEqual(dispute.disputed_amount, 80.0)
        dispute.action_accept()
        self.assertEqual(dispute.credit_note_id.invoice_line_ids.mapped("name"), ["Broken chair"])
        self.assertEqual(invoice.amount_residual, 420.0)

    def test_reject_resumes_at_the_next_level_and_tells_the_customer(self):
        with freeze_time("2026-01-08"):
            self._run()  # both invoices reach the first reminder
        dispute = self._dispute()
        with freeze_time("2026-01-10"):
            with self.assertRaisesRegex(UserError, "why"):
                dispute.action_reject()
            dispute.resolution_note = "The goods were delivered intact, signed for on 2 December."
            dispute.action_reject()
            self.assertEqual((dispute.state, dispute.resolution), ("resolved", "rejected"))
            message = dispute.message_ids.filtered(lambda m: self.customer in m.partner_ids)
            self.assertEqual(len(message), 1)
            self.assertIn("signed for on 2 December", message.body)
            mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
            self.assertEqual(mail.recipient_ids, self.customer)
            self.assertEqual(mail.state, "outgoing")
            action = self._run().action_ids
        self.assertEqual(action.line_ids.move_id, self.invoice)
        self.assertEqual(action.level_id, self.level_2, "at once at the next level")

    def test_reject_resumes_at_the_same_level_when_configured(self):
        self.company.debtor_dispute_rejection_resume = "same"
        with freeze_time("2026-01-08"):
            self._run()
        dispute = self._dispute(resolution_note="No.")
        with freeze_time("2026-01-10"):
            dispute.action_reject()
            self.assertFalse(self._run().action_ids, "the level it had; the next one comes on its day")
        with freeze_time("2026-01-22"):
            self.assertEqual(self._run().action_ids.filtered(
                lambda a: self.invoice in a.line_ids.move_id).level_id, self.level_2)

    def test_sla_overdue_reminders_by_the_run(self):
        dispute = self._dispute()
        with freeze_time("2026-01-19"):
            self.assertFalse(dispute.sla_overdue)
        with freeze_time("2026-01-20"):
            dispute.invalidate_recordset(["sla_overdue"])
            self.assertTrue(dispute.sla_overdue)
            self.assertIn(dispute, self.env["debtor.dispute"].search([("sla_overdue", "=", True)]))
            run = self._run()
            self.assertEqual(run.sla_reminder_count, 1)
            sla = dispute.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("debtor_followup.mail_activity_type_dispute_sla"))
            self.assertEqual(sla.user_id, self.controller)
            run.sudo().state = "done"  # as the run would have ended it
            self.assertEqual(self._run().sla_reminder_count, 0, "one reminder while it is open")

    def test_only_managers_accept_above_the_approval_amount(self):
        self.company.debtor_dispute_approval_amount = 500.0
        dispute = self._dispute(amount=600.0)
        with self.assertRaisesRegex(UserError, "only a Credit Manager"):
            dispute.with_user(self.controller).action_accept()
        self.assertEqual(dispute.state, "open")
        small = self._dispute(amount=100.0, invoice=self.other)
        small.with_user(self.controller).action_accept()
        self.assertEqual(small.resolution, "accepted")
        dispute.with_user(self.manager).action_accept()
        self.assertEqual(dispute.credit_note_id.amount_total, 600.0)

    def test_invoicing_user_cannot_raise_or_resolve(self):
        dispute = self._dispute()
        with self.assertRaises(AccessError):
            self._dispute(user=self.invoicing_user, invoice=self.other)
        with self.assertRaises(AccessError):
            dispute.with_user(self.invoicing_user).action_accept()
        self.assertEqual(dispute.state, "open")
        self.assertEqual(dispute.with_user(self.invoicing_user).state, "open", "but can read it")

    def test_company_isolation(self):
        other_company = self.setup_other_company(name="Dispute Co")["company"]
        foreign = self._invoice(self.customer, 90.0, "2025-12-01", due_date="2026-01-01", company=other_company)
        theirs = self.env["debtor.dispute"].create({"move_id": foreign.id, "reason_id": self.reason.id})
        mine = self._dispute()
        visible = self.env["debtor.dispute"].with_user(self.controller).search([])
        self.assertEqual(visible, mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.controller).read(["name"])

    def test_nonsense_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "more than"), self.cr.savepoint():
            self._dispute(amount=1000.01)
        with self.assertRaisesRegex(ValidationError, "must be positive|positive"), self.cr.savepoint():
            self._dispute(amount=-5.0)
        self._pay(self.other, 300.0, "2026-01-02")
        with self.assertRaisesRegex(ValidationError, "already paid"), self.cr.savepoint():
            self._dispute(invoice=self.other)
        bill = self._invoice(self.customer, 50.0, "2025-12-01", due_date="2026-01-01", move_type="in_invoice")
        with self.assertRaisesRegex(ValidationError, "Only posted customer invoices"), self.cr.savepoint():
            self._dispute(invoice=bill)
        self._dispute()
        with self.assertRaisesRegex(ValidationError, "already has an open dispute"), self.cr.savepoint():
            self._dispute()
        self.assertEqual(self.env["debtor.dispute"].search_count([]), 1)
