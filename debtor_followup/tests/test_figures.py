from odoo import Command
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestDisputeCreditNote(DebtorFollowupCommon):
    """An accepted dispute credits exactly the disputed amount, on the disputed lines only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env.ref("debtor_followup.dispute_reason_damaged")
        cls.vat21 = cls.env["account.tax"].create({
            "name": "VAT 21 %", "amount_type": "percent", "amount": 21.0, "type_tax_use": "sale",
            "company_id": cls.company.id})

    def _taxed_invoice(self, lines):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": "2025-12-01",
            "invoice_date_due": "2026-01-01",
            "invoice_line_ids": [Command.create({"name": name, "quantity": quantity, "price_unit": price,
                                                 "tax_ids": [Command.set(self.vat21.ids)]})
                                 for name, quantity, price in lines],
        })
        invoice.action_post()
        return invoice

    def _accept(self, invoice, **vals):
        dispute = self.env["debtor.dispute"].with_user(self.controller).create({
            "move_id": invoice.id, "reason_id": self.reason.id, "date": "2026-01-05", **vals})
        residual = invoice.amount_residual
        dispute.with_user(self.manager).action_accept()
        credit_note = dispute.credit_note_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, dispute.disputed_amount, "exactly the disputed amount")
        self.assertEqual(invoice.amount_residual, round(residual - dispute.disputed_amount, 2),
                         "the invoice owes exactly the disputed amount less")
        lines = credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        return dispute, [(line.name, line.quantity, line.price_unit, line.price_subtotal)
                         for line in lines]

    def test_one_of_two_identical_lines(self):
        invoice = self._taxed_invoice([("Chair", 1, 100.0), ("Chair", 1, 100.0)])
        first = invoice.invoice_line_ids[0]
        dispute, lines = self._accept(invoice, invoice_line_ids=[Command.set(first.ids)])
        self.assertEqual(dispute.disputed_amount, 121.0)
        self.assertEqual(lines, [("Chair", 1.0, 100.0, 100.0)], "one chair credited, not both")
        self.assertEqual(dispute.credit_note_id.amount_total, 121.0)
        self.assertEqual(invoice.amount_residual, 121.0)

    def test_round_amount_with_21_percent_vat(self):
        invoice = self._taxed_invoice([("Desk", 1, 500.0)])  # 605.00
        dispute, lines = self._accept(invoice, disputed_amount=100.0)
        credit_note = dispute.credit_note_id
        self.assertEqual(lines, [("Desk", 1.0, 82.64, 82.64)])
        self.assertEqual((credit_note.amount_untaxed, credit_note.amount_tax, credit_note.amount_total),
                         (82.64, 17.36, 100.0), "100.00, not 100.01: the cent of rounding goes on the VAT")
        self.assertEqual(invoice.amount_residual, 505.0)

    def test_part_of_one_line(self):
        invoice = self._taxed_invoice([("Chair", 3, 40.0), ("Table", 1, 400.0)])  # 145.20 + 484.00
        chairs = invoice.invoice_line_ids.filtered(lambda line: line.name == "Chair")
        # two of the three chairs: 96.80 with VAT
        dispute, lines = self._accept(invoice, invoice_line_ids=[Command.set(chairs.ids)], disputed_amount=96.8)
        self.assertEqual(lines, [("Chair", 2.0, 40.0, 80.0)], "two chairs at their price")
        self.assertEqual(invoice.amount_residual, 532.4)
        # an amount that is no whole number of units: one unit of the credited net amount
        invoice = self._taxed_invoice([("Chair", 3, 40.0), ("Table", 1, 400.0)])
        chairs = invoice.invoice_line_ids.filtered(lambda line: line.name == "Chair")
        dispute, lines = self._accept(invoice, invoice_line_ids=[Command.set(chairs.ids)], disputed_amount=50.0)
        self.assertEqual(lines, [("Chair", 1.0, 41.32, 41.32)])
        self.assertEqual(dispute.credit_note_id.amount_tax, 8.68)
        self.assertEqual(invoice.amount_residual, 579.2)

    def test_amount_of_a_partly_paid_invoice_in_proportion(self):
        invoice = self._taxed_invoice([("Chair", 2, 50.0), ("Table", 1, 300.0)])  # 121 + 363 = 484
        self._pay(invoice, 84.0, "2026-01-02")
        dispute, lines = self._accept(invoice)  # the open 400.00
        self.assertEqual(dispute.disputed_amount, 400.0)
        # 400 / 484 of each line's net amount: 82.64 and 247.93, 69.43 of VAT (the cent of rounding on it)
        self.assertEqual(lines, [("Chair", 1.0, 82.64, 82.64), ("Table", 1.0, 247.93, 247.93)],
                         "each line once, in proportion")
        self.assertEqual(dispute.credit_note_id.amount_tax, 69.43)
        self.assertEqual(invoice.payment_state, "paid")
