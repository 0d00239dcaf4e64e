from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestManualActions(DebtorFollowupCommon):
    """What a credit controller does from the work queue."""

    def setUp(self):
        super().setUp()
        self.invoice = self._invoice(self.customer, 640.0, "2025-12-01", due_date="2026-01-01")
        self.debtor = self._debtor(self.customer)

    def test_preview_and_send_now(self):
        with freeze_time("2026-01-10"):
            debtor = self.debtor.with_user(self.controller)
            self.assertEqual(debtor.status, "action")
            action = debtor.action_send_reminder()
            wizard = Form(self.env[action["res_model"]].with_user(self.controller).with_context(
                **action["context"])).save()
            self.assertEqual(wizard.level_id, self.level_1)
            self.assertEqual(wizard.line_ids.move_id, self.invoice)
            self.assertIn(self.invoice.name, wizard.body)
            self.assertIn("ap@slowpayer.example.com", wizard.recipients)
            self.assertFalse(self.env["debtor.followup.action"].search([]), "a preview creates nothing")
            wizard.action_send()
            sent = self.env["debtor.followup.action"].search([("partner_id", "=", self.customer.id)])
            self.assertTrue(sent.manual)
            self.assertEqual(sent.user_id, self.controller)
            self.assertEqual(self._mails(sent).recipient_ids, self.customer)
            self.assertEqual(self.debtor.status, "overdue")
            # the nightly run does not send it again
            self.assertFalse(self._run().action_ids)

    def test_send_and_print_letter(self):
        with freeze_time("2026-01-10"):
            wizard = self.env["debtor.followup.send"].with_user(self.controller).create(
                {"customer_id": self.debtor.id, "send_email": False})
            report = wizard.action_send_and_print()
            self.assertEqual(report["report_name"], "debtor_followup.report_debtor_letter")
            action = self.env["debtor.followup.action"].search([("partner_id", "=", self.customer.id)])
            self.assertFalse(action.email_sent)
            self.assertFalse(self._mails(action))
            self.assertIn("Follow-up level", self.customer.message_ids[0].body)
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_letter", action.ids)[0].decode()
            self.assertIn(self.invoice.name, html)
            self.assertIn("Slow Payer Ltd", html)

    def test_log_call_and_postpone(self):
        self.debtor.responsible_id = self.controller
        with freeze_time("2026-01-22"):
            self._receivable(self.invoice).sudo().write(
                {"debtor_level_id": self.level_1.id, "debtor_last_action_date": "2026-01-08"})
            self._run()
            self.assertEqual(len(self.customer.activity_ids), 1)
            log = self.env["debtor.followup.log"].with_user(self.controller).create({
                "customer_id": self.debtor.id, "kind": "call", "outcome": "promised",
                "postpone_until": "2026-02-10", "note": "Pays next week"})
            log.action_confirm()
            self.assertFalse(self.customer.activity_ids, "the call activity is done")
            self.assertEqual(str(self.debtor.postponed_until), "2026-02-10")
            self.assertIn("Promised to pay", self.debtor.message_ids[0].body, "the call is noted on the debtor file")
            with self.assertRaisesRegex(UserError, "later date than today"):
                self.env["debtor.followup.log"].create({
                    "customer_id": self.debtor.id, "kind": "postpone", "postpone_until": "2026-01-01"}
                ).action_confirm()
        with freeze_time("2026-02-06"):
            self.assertFalse(self._run().action_ids, "postponed")
        with freeze_time("2026-02-10"):
            self.assertEqual(self._run().action_ids.level_id, self.level_final)

    def test_exclude_needs_a_reason(self):
        with self.assertRaisesRegex(UserError, "why"):
            self.debtor.with_user(self.controller).action_exclude()
        self.assertFalse(self.debtor.excluded)

    def test_statement_report(self):
        eur = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        foreign = self._invoice(self.customer, 99.0, "2025-12-01", due_date="2026-02-01", currency=eur)
        with freeze_time("2026-01-10"):
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_statement", self.debtor.ids)[0].decode()
        self.assertIn("Statement of Account", html)
        self.assertIn(self.invoice.name, html)
        self.assertIn(foreign.name, html)
        self.assertIn("Total due (EUR)", html)
        self.assertIn(f"Total due ({self.company.currency_id.name})", html)
        self.assertNotIn("Pay online", html, "no payment provider: no pay link")
