from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestLatePaymentIntegration(DebtorFollowupCommon):
    """What is owed on top of the principal, shown and charged by the follow-up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])  # 1 USD = 2 EUR
        Rate = cls.env["debtor.reference.rate"]
        Rate.search([("rate_type", "=", "ecb")]).unlink()
        Rate.create([{"rate_type": "ecb", "date_from": "2025-07-01", "rate": 2.0},
                     {"rate_type": "ecb", "date_from": "2026-01-01", "rate": 3.0}])
        cls.company.debtor_late_payment_rule = "eu"
        cls.fee_product = cls.env["product.product"].create({
            "name": "Late-payment fees", "type": "service", "taxes_id": [(5, 0, 0)],
            "property_account_income_id": cls.company_data["default_account_revenue"].id})
        cls.company.debtor_fee_product_id = cls.fee_product

    def test_shipped_rates_load(self):
        self.assertEqual(self.env.ref("debtor_followup.rate_de_base_2024_01_01").rate, 3.62)
        for rate_type in ("nl_commercial", "nl_statutory", "de_base", "uk_base"):
            self.assertTrue(self.env["debtor.reference.rate"].search_count([("rate_type", "=", rate_type)]))

    def test_what_is_owed_on_the_invoice(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2025-12-31", currency=self.eur)
        with freeze_time("2026-01-30"):
            invoice.invalidate_recordset()
            # 1 Jan - 30 Jan 2026: 30 days at ECB 3.00 + 8 = 11 %: 1000 * 0.11 * 30 / 365 = 9.0411 -> 9.04
            self.assertEqual(invoice.debtor_owed_rule, "eu")
            self.assertEqual(invoice.debtor_owed_interest, 9.04)
            self.assertEqual(invoice.debtor_owed_costs, 40.0, "EUR 40 per invoice")
            self.assertEqual(invoice.debtor_owed_total, 1049.04)
            debtor = self._debtor(self.customer)
            # in company currency (USD, 1 USD = 2 EUR)
            self.assertEqual((debtor.owed_interest, debtor.owed_costs), (4.52, 20.0))
            self.assertEqual(debtor.owed_total, 500.0 + 4.52 + 20.0)

    def test_rate_change_mid_period(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-11-15", due_date="2025-12-15", currency=self.eur)
        with freeze_time("2026-01-14"):
            invoice.invalidate_recordset()
            # 16 - 31 Dec 2025: 16 days at 2 + 8 = 10 %: 4.3836 -> 4.38
            #  1 - 14 Jan 2026: 14 days at 3 + 8 = 11 %: 4.2192 -> 4.22
            self.assertEqual(invoice.debtor_owed_interest, 8.60)

    def test_rules_chosen_per_customer_over_policy_over_company(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2025-12-31", currency=self.eur)
        debtor = self._debtor(self.customer)
        self.policy.late_payment_rule = "none"
        with freeze_time("2026-01-30"):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.debtor_owed_total, 1000.0, "the policy says none")
            debtor.late_payment_rule = "de"
            invoice.invalidate_recordset()
            # 30 days at 1.27 + 9 = 10.27 %: 1000 * 0.1027 * 30 / 365 = 8.4411 -> 8.44; EUR 40 flat fee
            self.assertEqual(invoice.debtor_owed_rule, "de")
            self.assertEqual((invoice.debtor_owed_interest, invoice.debtor_owed_costs), (8.44, 40.0))

    def test_consumers_are_not_charged_under_b2b_rules(self):
        person = self.env["res.partner"].create({"name": "Jo Consumer", "email": "jo@example.com"})
        invoice = self._invoice(person, 100.0, "2025-12-01", due_date="2025-12-31", currency=self.eur)
        with freeze_time("2026-01-30"):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.debtor_owed_total, 100.0)
            self.assertIn("business debtors only", invoice.debtor_owed_note)

    def test_fee_invoice_once_per_invoice_and_level(self):
        self.level_1.write({"create_fee_invoice": True, "show_late_payment_amounts": True})
        invoice = self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        with freeze_time("2026-01-08"):
            action = self._run().action_ids
            fee_move = action.fee_move_id
            # 2 - 8 Jan: 7 days at 11 %: 1000 * 0.11 * 7 / 365 = 2.1096 -> 2.11; EUR 40 = USD 20
            self.assertEqual(fee_move.state, "posted")
            self.assertEqual(fee_move.partner_id, self.customer)
            self.assertEqual(sorted(fee_move.invoice_line_ids.mapped("price_unit")), [2.11, 20.0])
            self.assertEqual(fee_move.amount_total, 22.11)
            self.assertEqual(fee_move.invoice_line_ids.product_id, self.fee_product)
            fee = self.env["debtor.followup.fee"].search([("move_id", "=", invoice.id)])
            self.assertEqual((fee.level_id, fee.interest, fee.costs), (self.level_1, 2.11, 20.0))
            mail = self._mails(action)
            self.assertIn("Interest and costs to date", mail.body_html)
            # the same level again, by hand: nothing charged twice
            debtor = self._debtor(self.customer)
            again = debtor._execute_level(self.level_1, self._receivable(invoice), manual=True)
            self.assertFalse(again.fee_move_id)
            self.assertEqual(self.env["debtor.followup.fee"].search_count([("move_id", "=", invoice.id)]), 1)
            with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
                self.env["debtor.followup.fee"].sudo().create({
                    "move_id": invoice.id, "level_id": self.level_1.id, "fee_move_id": fee_move.id,
                    "company_id": self.company.id})

    def test_fee_level_without_product_fails_the_customer_only(self):
        self.company.debtor_fee_product_id = False
        self.level_1.create_fee_invoice = True
        self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        with freeze_time("2026-01-08"):
            run = self._run()
        self.assertEqual(run.action_ids.state, "failed")
        self.assertIn("fee product", run.action_ids.error)

    def test_statement_shows_interest_and_costs(self):
        self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2025-12-31", currency=self.eur)
        with freeze_time("2026-01-30"):
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_statement", self._debtor(self.customer).ids)[0].decode()
        self.assertIn("Interest and costs to date (EUR)", html)
        self.assertIn("49.04", html)

    def test_costs_once_per_invoice_interest_net_and_no_fees_on_fees(self):
        self.level_1.create_fee_invoice = True
        self.level_2.create_fee_invoice = True
        invoice = self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        with freeze_time("2026-01-08"):
            first = self._run().action_ids.fee_move_id
            self.assertEqual(first.amount_total, 22.11, "interest 2.11 (7 days) + costs 20.00")
        with freeze_time("2026-01-22"):
            actions = self._run().action_ids
        second = actions.filtered(lambda a: invoice in a.line_ids.move_id).fee_move_id
        # 2 - 22 Jan: 21 days at 11 %: 6.3288 -> 6.33, of which 2.11 already charged: 4.22; no costs again
        self.assertEqual(second.amount_total, 4.22)
        self.assertEqual(len(second.invoice_line_ids), 1)
        self.assertFalse(actions.filtered(lambda a: first in a.line_ids.move_id).fee_move_id,
                         "no interest or costs are charged on a fee invoice")
        with freeze_time("2026-01-22"):
            first.invalidate_recordset()
            self.assertEqual((first.debtor_owed_interest, first.debtor_owed_costs), (0.0, 0.0))

    def test_cost_bands_use_the_rules_currency(self):
        self.company.debtor_late_payment_rule = "uk"
        gbp = self.setup_other_currency("GBP", rates=[("2025-01-01", 0.5)])  # 1 USD = 0.5 GBP
        self.env["debtor.reference.rate"].create({"rate_type": "uk_base", "date_from": "2025-06-01", "rate": 4.0})
        # USD 1,800 = GBP 900: under 1,000 -> GBP 40 = USD 80 (not the 1,000-10,000 band of the USD figure)
        invoice = self._invoice(self.customer, 1800.0, "2025-12-01", due_date="2025-12-31")
        with freeze_time("2026-01-30"):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.debtor_owed_costs, 80.0)
        self.assertTrue(gbp)
