from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-12-20")
class TestCreditEnforcement(DebtorFollowupCommon):
    """Credit limit use, credit hold and the company's warn or block rule when invoices are posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.debtor = cls.env["debtor.customer"]._credit_file(cls.customer, cls.company)
        cls.debtor.with_user(cls.manager).credit_limit = 1000.0
        cls.posted = cls._invoice(cls.customer, 600.0, "2025-12-01", due_date="2026-01-31")

    def _draft(self, amount, user=None, move_type="out_invoice", partner=None):
        return self.env["account.move"].with_user(user or self.controller).create({
            "move_type": move_type,
            "partner_id": (partner or self.customer).id,
            "invoice_date": "2025-12-15",
            "invoice_date_due": "2026-01-15",
            "invoice_line_ids": [Command.create({"name": "Goods", "quantity": 1, "price_unit": amount,
                                                 "tax_ids": []})],
        })

    def _credit_notes(self, move):
        return move.message_ids.filtered(lambda m: "credit control" in (m.body or ""))

    def _enforce(self, mode):
        self.company.debtor_credit_enforcement = mode

    def test_usage_on_customer_and_invoice(self):
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 1000.0, "Odoo's own credit limit")
        draft = self._draft(300.0)
        self.assertEqual((draft.debtor_credit_limit, draft.debtor_credit_usage), (1000.0, 900.0))
        self.assertFalse(draft.debtor_credit_warning)
        self.assertEqual(self.debtor.credit_usage, 900.0, "open 600 + draft 300")
        self.assertEqual(self.debtor.credit_usage_percent, 90.0)
        self.assertEqual(self.customer.with_user(self.invoicing_user).debtor_credit_usage, 900.0)
        self._draft(100.0, move_type="out_refund")
        over = self._draft(500.0)
        self.assertEqual(over.debtor_credit_usage, 1300.0, "600 + 300 + 500 - 100")
        self.assertIn("would owe", over.debtor_credit_warning)
        self.assertIn("debtor_credit_warning", over.alerts)
        self.assertEqual(over.alerts["debtor_credit_warning"]["level"], "warning")
        self.assertFalse(self.posted.debtor_credit_warning, "the banner is for invoices being drafted")

    def test_the_banner_follows_the_invoice_as_it_is_edited(self):
        """In the invoice form, the customer's credit use counts the lines as they are typed (before saving)."""
        invoice = Form(self.env["account.move"].with_user(self.controller).with_context(
            default_move_type="out_invoice"))
        invoice.partner_id = self.customer
        invoice.invoice_date = "2025-12-15"
        with invoice.invoice_line_ids.new() as line:
            line.name = "Goods"
            line.price_unit = 300.0
            line.tax_ids.clear()
        self.assertEqual((invoice.debtor_credit_limit, invoice.debtor_credit_usage), (1000.0, 900.0))
        self.assertFalse(invoice.debtor_credit_warning)
        with invoice.invoice_line_ids.new() as line:
            line.name = "More goods"
            line.price_unit = 200.0
            line.tax_ids.clear()
        self.assertEqual(invoice.debtor_credit_usage, 1100.0, "600 open + 500 on this invoice, not saved yet")
        self.assertIn("would owe", invoice.debtor_credit_warning)
        self.assertFalse(invoice.debtor_credit_on_hold)

    def test_off_posts_silently(self):
        self._enforce("off")
        move = self._draft(900.0)
        move.action_post()
        self.assertEqual(move.state, "posted")
        self.assertFalse(self._credit_notes(move))

    def test_warn_posts_with_a_note(self):
        self._enforce("warn")
        within = self._draft(300.0)
        within.action_post()
        self.assertFalse(self._credit_notes(within))
        over = self._draft(500.0)
        over.action_post()
        self.assertEqual(over.state, "posted", "warn never blocks")
        note = self._credit_notes(over)
        self.assertEqual(len(note), 1)
        self.assertIn("Posted by Connie Controller despite credit control", note.body)
        self.assertIn("over its credit limit", note.body)

    def test_block_and_manager_override(self):
        self._enforce("block")
        move = self._draft(500.0)
        with self.assertRaises(UserError) as catcher:
            move.action_post()
        message = str(catcher.exception)
        for fragment in ("credit control blocks it", "would owe", "1,100.00", "Credit Override Reason"):
            self.assertIn(fragment, message)
        self.assertEqual(move.state, "draft")
        with self.assertRaises(AccessError):
            move.write({"debtor_credit_override_reason": "I say so"})
        with self.assertRaises(UserError):
            move.with_user(self.manager).action_post()  # managers too give a reason
        move.with_user(self.manager).debtor_credit_override_reason = "Paid by wire transfer today"
        self.assertEqual(move.debtor_credit_override_user_id, self.manager)
        move.action_post()  # the controller posts it now
        self.assertEqual(move.state, "posted")
        note = self._credit_notes(move)
        self.assertIn("Posted over credit control by Connie Controller, overridden by Manny Manager: "
                      "Paid by wire transfer today", note.body)
        self.assertIn("would owe", note.body)
        # within the limit, and credit notes, are never held up
        refund = self._draft(50.0, move_type="out_refund")
        refund.action_post()
        self.assertEqual(refund.state, "posted")

    def test_block_refused_and_expired_checks(self):
        self._enforce("block")
        Check = self.env["debtor.credit.check"].with_user(self.controller)
        with freeze_time("2025-12-20"):
            Check.create({"customer_id": self.debtor.id, "result": "refused", "note": "Bad references"})
            small = self._draft(10.0)
            with self.assertRaisesRegex(UserError, "refused credit"), self.cr.savepoint():
                small.action_post()
            Check.create({"customer_id": self.debtor.id, "result": "approved", "validity_days": 10})
            small.action_post()
            self.assertEqual(small.state, "posted")
        with freeze_time("2026-01-05"):
            self.env.invalidate_all()  # a new day: what was computed for the old one is gone
            late = self._draft(10.0)
            with self.assertRaisesRegex(UserError, "expired on 2025-12-30"), self.cr.savepoint():
                late.action_post()
            self.assertTrue(self.customer.debtor_credit_expired)

    def test_credit_hold_flags_and_blocks(self):
        self._enforce("block")
        debtor = self.debtor.with_user(self.controller)
        debtor.credit_hold_note = "Returned direct debit"
        debtor.action_credit_hold()
        draft = self._draft(10.0)
        self.assertTrue(draft.debtor_credit_on_hold)
        self.assertIn("on credit hold (put on hold: Returned direct debit)", draft.debtor_credit_warning)
        self.assertEqual(draft.alerts["debtor_credit_warning"]["level"], "danger")
        self.assertTrue(self.customer.debtor_credit_on_hold)
        self.assertIn(self.debtor, self.env["debtor.customer"].search([("credit_on_hold", "=", True)]))
        with self.assertRaisesRegex(UserError, "on credit hold"), self.cr.savepoint():
            draft.action_post()
        with self.assertRaises(AccessError):
            debtor.action_credit_release()
        self.debtor.with_user(self.manager).action_credit_release()
        self.assertNotIn(self.debtor, self.env["debtor.customer"].search([("credit_on_hold", "=", True)]))
        draft.action_post()
        self.assertEqual(draft.state, "posted")

    def test_automatic_hold(self):
        self.company.debtor_credit_hold_score = 50
        Customer = self.env["debtor.customer"]
        self.env["debtor.credit.check"].create({"customer_id": self.debtor.id, "result": "cash_in_advance",
                                                "rating": "E"})
        self.assertEqual(self.debtor.credit_hold_reason, "rated E")
        self.env["debtor.credit.check"].create({"customer_id": self.debtor.id, "result": "approved", "rating": "C"})
        self.assertFalse(self.debtor.credit_on_hold)
        entry = self.env["debtor.credit.check"]._score_entry({"late_share": 1.0, "overdue_ratio": 1.0},
                                                              self.company, self.d("2025-12-31"))
        Customer._write_credit_scores(self.company, {self.customer.id: entry}, self.d("2025-12-31"))
        self.assertEqual((self.debtor.credit_score, self.debtor.credit_hold_reason),
                         (55, False), "100 - 20 - 25 = 55: not below 50")
        self.company.debtor_credit_hold_score = 60
        self.assertEqual(self.debtor.credit_hold_reason, "internal score 55 below 60")
        self.assertIn(self.debtor, Customer.search([("credit_on_hold", "=", True)]))
        self.company.debtor_credit_hold_score = 0
        with freeze_time("2026-05-11"):  # 100 days after the due date of the posted invoice
            Customer._refresh(self.company, self.customer)
            self.assertEqual(self.debtor.oldest_overdue_days, 100)
            self.assertEqual(self.debtor.credit_hold_reason, "100 days overdue (more than 90)")
            self.assertIn(self.debtor, Customer.search([("credit_on_hold", "=", True)]))
            self.company.debtor_credit_hold_overdue_days = 0
            self.assertFalse(self.debtor.credit_on_hold)
            self.assertNotIn(self.debtor, Customer.search([("credit_on_hold", "=", True)]))

    def test_system_postings_are_not_checked(self):
        self._enforce("block")
        self.debtor.sudo().write({"credit_hold": True, "credit_hold_note": "Legal case"})
        invoice = self._draft(5000.0)
        with self.assertRaises(UserError):
            invoice.action_post()
        invoice.sudo().action_post()  # as the system
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self._credit_notes(invoice))
