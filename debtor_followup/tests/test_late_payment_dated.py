"""Worked legal examples: statutory interest and costs of partly paid invoices, each payment dated.

Every figure below is computed by hand from the law and the shipped rate tables, period by period, each period
rounded to cents (see README, "Statutory interest and costs"). The dated payments (the reconciliations) drive
the figures: the part paid earns interest until the day it is paid, and each payment settles costs, interest and
principal in the rule set's legal order.
"""

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestLatePaymentDated(DebtorFollowupCommon):
    """What a partly paid invoice owes on a given day, under each rule set, on every screen that shows it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 USD (company currency) = 1 EUR = 1 GBP: the examples read the same in both currencies
        cls.eur = cls.setup_other_currency("EUR", rates=[("2015-01-01", 1.0)])
        cls.gbp = cls.setup_other_currency("GBP", rates=[("2015-01-01", 1.0)])
        cls.consumer = cls.env["res.partner"].create({"name": "Jan Jansen", "email": "jan@example.nl"})

    def _owed(self, invoice):
        invoice.invalidate_recordset()
        return invoice.debtor_owed_interest, invoice.debtor_owed_costs, invoice.debtor_owed_total

    def _remind(self, invoice, day):
        """A reminder of ``invoice`` sent on ``day`` (a done follow-up action naming its receivable item)."""
        return self.env["debtor.followup.action"].sudo().create({
            "partner_id": invoice.partner_id.id, "company_id": self.company.id, "level_id": self.level_1.id,
            "date": day, "state": "done", "manual": True,
            "line_ids": [Command.set(self._receivable(invoice).ids)]})

    def test_eu_partly_paid_invoice_keeps_the_interest_of_the_paid_part(self):
        """EU: 1,000 due 7 May 2025, 600 paid on 26 June, on 15 August 2025.

        ECB rate on 1 January 2025: 3.15 % (+ 8 = 11.15 %), on 1 July 2025: 2.15 % (+ 8 = 10.15 %).
        - 8 May - 26 June (50 days) on 1,000 at 11.15 %: 1000 x 0.1115 x 50 / 365 = 15.274 -> 15.27
        - 27 - 30 June (4 days) on 400 at 11.15 %: 400 x 0.1115 x 4 / 365 = 0.489 -> 0.49
        - 1 July - 15 August (46 days) on 400 at 10.15 %: 400 x 0.1015 x 46 / 365 = 5.117 -> 5.12
        Interest 20.88 (not 11.72, the interest of today's 400 for all 100 days); EUR 40 compensation.
        """
        self.company.debtor_late_payment_rule = "eu"
        invoice = self._invoice(self.customer, 1000.0, "2025-04-07", due_date="2025-05-07", currency=self.eur)
        self._pay(invoice, 600.0, "2025-06-26")
        with freeze_time("2025-08-15"):
            self.assertEqual(self._owed(invoice), (20.88, 40.0, 460.88))
            debtor = self._debtor(self.customer)
            debtor.invalidate_recordset()
            self.assertEqual((debtor.owed_interest, debtor.owed_costs, debtor.owed_total), (20.88, 40.0, 460.88),
                             "the debtor file shows the invoice's figures")
            values = self.env["debtor.handover"]._line_values(invoice, self.d("2025-08-15"))[0]
            self.assertEqual((values["principal"], values["interest"], values["costs"]), (400.0, 20.88, 40.0),
                             "the agency file claims the same")

    def test_nl_commercial_compounds_yearly_and_applies_payments_to_costs_first(self):
        """NL commercial: 1,000 due 31 March 2024, 300 paid on 31 October 2024, on 30 June 2025.

        Art. 6:119a BW rates: 12.50 % (2024 H1), 12.25 % (2024 H2), 11.15 % (2025 H1); WIK costs on 1,000:
        15 % = 150.00, owed from the first day of default. Art. 6:44 BW: a payment settles costs, then interest,
        then principal.
        - 1 April - 30 June 2024 (91 days) on 1,000 at 12.50 %: 31.164 -> 31.16
        - 1 July - 31 October 2024 (123 days) on 1,000 at 12.25 %: 41.281 -> 41.28
        - 31 October: 300 pays costs 150.00, interest 72.44 and principal 77.56: principal 922.44
        - 1 November - 31 December 2024 (61 days) on 922.44 at 12.25 %: 18.885 -> 18.88
        - 1 January - 31 March 2025 (90 days) on 922.44 at 11.15 %: 25.361 -> 25.36
        - 1 April 2025, a year of default: the year's unpaid interest 44.24 is added: base 966.68
        - 1 April - 30 June 2025 (91 days) on 966.68 at 11.15 %: 26.872 -> 26.87
        Interest accrued 143.55; owed 922.44 + 44.24 + 26.87 = 993.55 = open 700 + 143.55 + 150.
        """
        self.company.debtor_late_payment_rule = "nl"
        invoice = self._invoice(self.customer, 1000.0, "2024-03-01", due_date="2024-03-31", currency=self.eur)
        self._pay(invoice, 300.0, "2024-10-31")
        with freeze_time("2025-06-30"):
            self.assertEqual(self._owed(invoice), (143.55, 150.0, 993.55))

    def test_nl_consumer_costs_run_from_the_first_reminder_only(self):
        """NL consumer: 500 due 31 March 2025, 200 paid on 20 April, reminded on 10 April and 1 May 2025.

        Art. 6:119 BW rate 6 % (from 1 January 2025), compounding yearly. The 14 days of the first reminder
        (art. 6:96 lid 6 BW) run from the day after its receipt, presumed the day after sending (11 April): 12 to
        25 April. The WIK costs are owed
        from 26 April, on the principal still unpaid then; the second reminder does not move that day.
        - 1 - 20 April (20 days) on 500 at 6 %: 1.644 -> 1.64
        - 20 April: 200 pays interest 1.64 and principal 198.36 (no costs are owed yet): principal 301.64
        - 21 April - 10 May (20 days) on 301.64 at 6 %: 0.992 -> 0.99
        WIK costs on 301.64: 15 % = 45.246 -> 45.25 (at least 40). On 25 April nothing is owed yet.
        """
        self.company.debtor_late_payment_rule = "nl"
        invoice = self._invoice(self.consumer, 500.0, "2025-03-01", due_date="2025-03-31", currency=self.eur)
        self._pay(invoice, 200.0, "2025-04-20")
        with freeze_time("2025-04-25"):
            self.assertEqual(self._owed(invoice)[1], 0.0, "no reminder yet: no costs")
        self._remind(invoice, "2025-04-10")
        self._remind(invoice, "2025-05-01")
        with freeze_time("2025-04-25"):
            self.assertEqual(self._owed(invoice)[1], 0.0, "the 14 days run until 25 April included")
        with freeze_time("2025-04-26"):
            self.assertEqual(self._owed(invoice)[1], 45.25, "owed from the day after the 14 days")
        with freeze_time("2025-05-10"):
            self.assertEqual(self._owed(invoice), (2.63, 45.25, 347.88))

    def test_uk_rate_fixed_when_interest_starts(self):
        """UK: 2,000 due 28 February 2025, 1,500 paid on 15 April, on 30 June 2025.

        Bank Rate on 31 December 2024: 4.75 % + 8 = 12.75 % for the life of the debt (SI 2002/1675 art. 4);
        fixed sum GBP 70 for a debt of 1,000 to 9,999.99 (s. 5A). Payments go to the principal first.
        - 1 March - 15 April (46 days) on 2,000: 2000 x 0.1275 x 46 / 365 = 32.137 -> 32.14
        - 16 April - 30 June (76 days) on 500: 500 x 0.1275 x 76 / 365 = 13.274 -> 13.27
        """
        self.company.debtor_late_payment_rule = "uk"
        invoice = self._invoice(self.customer, 2000.0, "2025-01-29", due_date="2025-02-28", currency=self.gbp)
        self._pay(invoice, 1500.0, "2025-04-15")
        with freeze_time("2025-06-30"):
            self.assertEqual(self._owed(invoice), (45.41, 70.0, 615.41))

    def test_de_payment_settles_costs_and_interest_before_principal(self):
        """DE: 1,000 due 31 May 2025, 500 paid on 30 June, on 31 July 2025.

        Basiszinssatz 2.27 % (2025 H1) and 1.27 % (2025 H2), + 9 points between businesses; EUR 40 flat fee
        (§ 288 Abs. 5 BGB). § 367 BGB: costs, then interest, then principal.
        - 1 - 30 June (30 days) on 1,000 at 11.27 %: 9.263 -> 9.26
        - 30 June: 500 pays costs 40.00, interest 9.26 and principal 450.74: principal 549.26
        - 1 - 31 July (31 days) on 549.26 at 10.27 %: 4.791 -> 4.79
        Owed 549.26 + 4.79 = 554.05 = open 500 + interest 14.05 + costs 40.
        """
        self.company.debtor_late_payment_rule = "de"
        invoice = self._invoice(self.customer, 1000.0, "2025-05-01", due_date="2025-05-31", currency=self.eur)
        self._pay(invoice, 500.0, "2025-06-30")
        with freeze_time("2025-07-31"):
            self.assertEqual(self._owed(invoice), (14.05, 40.0, 554.05))

    def test_credit_note_reduces_the_debt_from_the_start(self):
        """A credit note corrects the invoice: interest never ran on the credited part (EU, 11.15 %).

        1,000 due 7 May 2025, credited 400 on 26 June, on 30 June: 600 x 0.1115 x 54 / 365 = 9.898 -> 9.90.
        """
        self.company.debtor_late_payment_rule = "eu"
        invoice = self._invoice(self.customer, 1000.0, "2025-04-07", due_date="2025-05-07", currency=self.eur)
        refund = self._invoice(self.customer, 400.0, "2025-06-26", move_type="out_refund", currency=self.eur)
        (self._receivable(invoice) | self._receivable(refund)).reconcile()
        with freeze_time("2025-06-30"):
            self.assertEqual(self._owed(invoice), (9.9, 40.0, 649.9))

    def test_missing_rates_give_a_note_and_zero_never_an_error(self):
        """A Dutch consumer's invoice without any art. 6:119 BW rate recorded: a clear note, no interest."""
        self.company.debtor_late_payment_rule = "nl"
        self.env["debtor.reference.rate"].search([("rate_type", "=", "nl_statutory")]).unlink()
        invoice = self._invoice(self.consumer, 500.0, "2025-03-01", due_date="2025-03-31", currency=self.eur)
        with freeze_time("2025-05-10"):
            interest, costs, total = self._owed(invoice)
            self.assertEqual((interest, costs, total), (0.0, 0.0, 500.0))
            self.assertIn("No Dutch statutory interest (consumers) is recorded", invoice.debtor_owed_note)

    def test_a_half_year_without_its_rate_is_flagged(self):
        """The last recorded German base rate is used for a later half-year, and the figure says so."""
        self.company.debtor_late_payment_rule = "de"
        self.env["debtor.reference.rate"].search(
            [("rate_type", "=", "de_base"), ("date_from", ">=", "2026-01-01")]).unlink()
        invoice = self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2025-12-31", currency=self.eur)
        with freeze_time("2026-01-30"):
            # 30 days at 1.27 + 9 = 10.27 %: 8.441 -> 8.44, with the warning
            self.assertEqual(self._owed(invoice)[0], 8.44)
            self.assertIn("half-year from 2026-01-01 is not recorded", invoice.debtor_owed_note)
