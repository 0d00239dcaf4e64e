from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestDemoGenerator(DebtorFollowupCommon):
    """The generator the demo data and the benchmark use."""

    def test_generate_small_set(self):
        result = self.env["debtor.demo.generator"].generate(
            company=self.company, customers=6, invoices=40, seed=7, today=self.d("2026-06-30"))
        moves = result["moves"]
        self.assertEqual(len(result["partners"]), 6)
        self.assertEqual(len(moves), 40)
        self.assertTrue(all(move.state == "posted" for move in moves))
        self.assertEqual(set(moves.partner_id.ids), set(result["partners"].ids), "every customer has invoices")
        self.assertIn("out_refund", moves.mapped("move_type"))
        self.assertEqual(len(moves.currency_id), 2, "two currencies")
        invoices = moves.filtered(lambda m: m.move_type == "out_invoice")
        states = set(invoices.mapped("payment_state"))
        self.assertTrue({"paid", "not_paid"} <= states | {"in_payment"}, states)
        self.assertIn("partial", states)
        dates = moves.mapped("invoice_date")
        self.assertTrue(min(dates) >= self.d("2025-06-30") and max(dates) < self.d("2026-06-30"))
        open_partners = self._receivable(moves).filtered(lambda line: not line.reconciled).partner_id
        debtors = self.env["debtor.customer"].search([("partner_id", "in", open_partners.ids)])
        self.assertEqual(debtors.partner_id, open_partners, "one debtor file per customer with open items")
        self.assertEqual(
            round(sum(debtors.mapped("total_due")), 2),
            round(sum(self._receivable(moves).mapped(
                "amount_residual")), 2))

    def test_same_seed_same_data(self):
        first = self.env["debtor.demo.generator"].generate(company=self.company, customers=2, invoices=5, seed=3)
        second = self.env["debtor.demo.generator"].generate(company=self.company, customers=2, invoices=5, seed=3)
        self.assertEqual(first["moves"].mapped("amount_total"), second["moves"].mapped("amount_total"))
