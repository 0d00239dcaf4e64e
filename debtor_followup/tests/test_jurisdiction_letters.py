"""The letter of the customer's country: the Dutch 14-day letter, the German Mahnung, the UK letter of claim.

The figures each letter announces are derived from the law by hand below, and checked against the figures the
addon shows elsewhere for the same invoice (one figure, wherever it is shown).
"""

import io
import re

from freezegun import freeze_time
from lxml import html as lxml_html
from PyPDF2 import PdfReader

from odoo import Command
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestJurisdictionLetters(DebtorFollowupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 USD (company currency) = 1 EUR = 1 GBP: the figures read the same in both currencies
        cls.eur = cls.setup_other_currency("EUR", rates=[("2015-01-01", 1.0)])
        cls.gbp = cls.setup_other_currency("GBP", rates=[("2015-01-01", 1.0)])
        cls.nl_consumer = cls.env["res.partner"].create({
            "name": "Jan Jansen", "email": "jan@example.nl", "country_id": cls.env.ref("base.nl").id})
        cls.de_business = cls.env["res.partner"].create({
            "name": "Schmidt GmbH", "is_company": True, "email": "buchhaltung@schmidt.example.de",
            "country_id": cls.env.ref("base.de").id})
        cls.uk_individual = cls.env["res.partner"].create({
            "name": "John Smith", "email": "john@example.co.uk", "country_id": cls.env.ref("base.uk").id})
        cls.be_business = cls.env["res.partner"].create({
            "name": "Dupont SA", "is_company": True, "email": "compta@dupont.example.be",
            "country_id": cls.env.ref("base.be").id})

    def _action(self, partner, level, day, invoices):
        return self.env["debtor.followup.action"].sudo().create({
            "partner_id": partner.id, "company_id": self.company.id, "level_id": level.id, "date": day,
            "state": "done", "manual": True, "line_ids": [Command.set(self._receivable(invoices).ids)]})

    def _letter_text(self, action):
        with freeze_time(action.date):
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_letter", action.ids)[0].decode()
        return self._text(html)

    @staticmethod
    def _text(html):
        """The visible text of an HTML document or email, a space between elements, spaces normalised."""
        text = " ".join(lxml_html.fromstring(html).itertext()).replace("\xa0", " ")
        return re.sub(r"\s+", " ", text)

    # ------------------------------------------------------------------ Netherlands

    def test_dutch_consumer_gets_the_14_day_letter_with_the_costs_that_become_due(self):
        """1,000 due 1 January 2026, first reminder sent 10 January: received (presumed) 11 January, the 14 days
        run until 25 January included. WIK costs on 1,000: 15 % = 150.00 (at least 40; art. 2 Besluit), no VAT.
        From 26 January the invoice owes exactly those 150.00."""
        self.company.debtor_late_payment_rule = "nl"
        invoice = self._invoice(self.nl_consumer, 1000.0, "2025-12-01", due_date="2026-01-01", currency=self.eur)
        text = self._letter_text(self._action(self.nl_consumer, self.level_1, "2026-01-10", invoice))
        self.assertIn("Veertiendagenbrief", text)
        self.assertIn("Geachte Jan Jansen", text)
        self.assertIn("binnen veertien dagen, te rekenen vanaf de dag na ontvangst van deze aanmaning", text)
        self.assertIn("Ontvangt u deze aanmaning op 11 januari 2026, dan is 25 januari 2026 de laatste dag", text)
        self.assertIn("buitengerechtelijke incassokosten verschuldigd van € 150,00", text)
        self.assertIn("Over deze kosten wordt geen btw berekend", text)
        self.assertIn("Met vriendelijke groet", text)
        self.assertNotIn("This is our final notice", text)
        # the same figure where the invoice shows what it owes: nothing on the last day, 150 the day after
        for day, costs in (("2026-01-25", 0.0), ("2026-01-26", 150.0)):
            with freeze_time(day):
                invoice.invalidate_recordset()
                self.assertEqual(invoice.debtor_owed_costs, costs, day)

    def test_dutch_costs_with_vat_when_the_creditor_cannot_deduct_it(self):
        """WIK costs on 300: 15 % = 45.00, plus 21 % VAT 9.45 = 54.45, stated as including VAT."""
        self.company.write({"debtor_late_payment_rule": "nl", "debtor_wik_vat_rate": 21.0})
        invoice = self._invoice(self.nl_consumer, 300.0, "2025-12-01", due_date="2026-01-01", currency=self.eur)
        text = self._letter_text(self._action(self.nl_consumer, self.level_1, "2026-01-10", invoice))
        self.assertIn("verschuldigd van € 54,45", text)
        self.assertIn("Dit bedrag is inclusief € 9,45 btw", text)

    def test_a_later_reminder_does_not_restart_the_14_days(self):
        """The second reminder is not a new 14-day letter: the term of the first stands, the costs are owed."""
        self.company.debtor_late_payment_rule = "nl"
        invoice = self._invoice(self.nl_consumer, 1000.0, "2025-12-01", due_date="2026-01-01", currency=self.eur)
        self._action(self.nl_consumer, self.level_1, "2026-01-10", invoice)
        text = self._letter_text(self._action(self.nl_consumer, self.level_2, "2026-02-01", invoice))
        self.assertNotIn("Veertiendagenbrief", text)
        self.assertIn("loopt de termijn vanaf onze eerste aanmaning", text)
        self.assertIn("incassokosten € 150,00", text)

    def test_dutch_businesses_and_policies_without_country_letters_get_the_generic_letter(self):
        self.company.debtor_late_payment_rule = "nl"
        business = self.env["res.partner"].create({
            "name": "Bakkerij B.V.", "is_company": True, "country_id": self.env.ref("base.nl").id})
        invoice = self._invoice(business, 1000.0, "2025-12-01", due_date="2026-01-01", currency=self.eur)
        text = self._letter_text(self._action(business, self.level_final, "2026-02-10", invoice))
        self.assertNotIn("Veertiendagenbrief", text)
        self.assertIn("This is our final notice", text)
        self.policy.jurisdiction_letters = False
        invoice = self._invoice(self.nl_consumer, 1000.0, "2025-12-01", due_date="2026-01-01", currency=self.eur)
        text = self._letter_text(self._action(self.nl_consumer, self.level_final, "2026-02-10", invoice))
        self.assertNotIn("Veertiendagenbrief", text)
        self.assertIn("This is our final notice", text)

    def test_the_nightly_reminder_of_a_dutch_consumer_is_the_14_day_letter(self):
        """The first reminder after the due date goes by email: it carries the 14-day letter instead of the
        generic seven days."""
        self.company.debtor_late_payment_rule = "nl"
        self._invoice(self.nl_consumer, 1000.0, "2025-12-01", due_date="2026-01-01", currency=self.eur)
        with freeze_time("2026-01-08"):
            run = self._run()
        action = run.action_ids.filtered(lambda action: action.partner_id == self.nl_consumer)
        self.assertEqual(action.level_id, self.level_1)
        body = self._text(self._mails(action).body_html)
        self.assertIn("Veertiendagenbrief", body)
        self.assertIn("€ 150,00", body)
        self.assertIn("23 januari 2026", body)  # sent 8 January, received 9, last day 23
        self.assertNotIn("within seven days", body)

    # ------------------------------------------------------------------ Germany

    def test_german_business_gets_the_letzte_mahnung_with_default_interest_and_lump_sum(self):
        """1,000 due 31 May 2025, letzte Mahnung on 31 July 2025. Basiszinssatz 2.27 % (H1) and 1.27 % (H2),
        + 9 points (§ 288 Abs. 2 BGB):
        - 1 - 30 June (30 days) at 11.27 %: 1000 x 0.1127 x 30 / 365 = 9.263 -> 9.26
        - 1 - 31 July (31 days) at 10.27 %: 1000 x 0.1027 x 31 / 365 = 8.722 -> 8.72
        Interest 17.98, lump sum 40.00 (§ 288 Abs. 5 BGB): total 1,057.98; pay within 14 days: 14 August."""
        self.company.debtor_late_payment_rule = "de"
        invoice = self._invoice(self.de_business, 1000.0, "2025-05-01", due_date="2025-05-31", currency=self.eur)
        text = self._letter_text(self._action(self.de_business, self.level_final, "2025-07-31", invoice))
        self.assertIn("Letzte Mahnung", text)
        self.assertIn("Sehr geehrte Damen und Herren", text)
        self.assertIn("Zahlungsverzug (§ 286 Abs. 2 Nr. 1 BGB)", text)
        self.assertIn("der Basiszinssatz beträgt derzeit 1,27 %, der Verzugszinssatz somit 10,27 % p. a.", text)
        self.assertIn("Verzugspauschale von 40 EUR zu (§ 288 Abs. 5 BGB)", text)
        self.assertIn("Verzugszinsen bis heute 17,98 €", text)
        self.assertIn("Gesamtforderung 1.057,98 €", text)
        self.assertIn("bis spätestens 14. August 2025", text)
        self.assertIn("gerichtliches Mahnverfahren", text)
        with freeze_time("2025-07-31"):
            invoice.invalidate_recordset()
            self.assertEqual((invoice.debtor_owed_interest, invoice.debtor_owed_costs), (17.98, 40.0))

    def test_german_mahnung_before_the_final_notice(self):
        self.company.debtor_late_payment_rule = "de"
        invoice = self._invoice(self.de_business, 1000.0, "2025-05-01", due_date="2025-05-31", currency=self.eur)
        text = self._letter_text(self._action(self.de_business, self.level_2, "2025-06-21", invoice))
        self.assertIn("Mahnung", text)
        self.assertNotIn("Letzte Mahnung", text)
        self.assertNotIn("gerichtliches Mahnverfahren", text)
        self.assertIn("bis spätestens 1. Juli 2025", text)

    # ------------------------------------------------------------------ United Kingdom

    def test_uk_individual_gets_the_letter_of_claim_with_information_sheet_and_reply_form(self):
        """Pre-Action Protocol for Debt Claims: the amount, whether interest is added (not on a consumer debt
        under the 1998 Act), how to pay, 30 days to reply, the Information Sheet and the Reply Form."""
        self.company.debtor_late_payment_rule = "uk"
        invoice = self._invoice(self.uk_individual, 450.0, "2025-12-01", due_date="2026-01-01", currency=self.gbp)
        text = self._letter_text(self._action(self.uk_individual, self.level_final, "2026-02-10", invoice))
        self.assertIn("Letter of claim", text)
        self.assertIn("Dear John Smith", text)
        self.assertIn("the debt of £450.00", text)
        self.assertIn("No interest or other charges are being added to this debt", text)
        self.assertIn("within 30 days of the date of this letter, that is by 12 March 2026", text)
        self.assertIn("Information Sheet", text)
        self.assertIn("Reply Form", text)
        self.assertIn("I dispute the whole amount", text)
        self.assertIn("Standard Financial Statement", text)
        self.assertIn("National Debtline", text)
        # a UK business is not under the protocol: the generic final notice
        business = self.env["res.partner"].create({
            "name": "Widgets Ltd", "is_company": True, "country_id": self.env.ref("base.uk").id})
        invoice = self._invoice(business, 450.0, "2025-12-01", due_date="2026-01-01", currency=self.gbp)
        text = self._letter_text(self._action(business, self.level_final, "2026-02-10", invoice))
        self.assertNotIn("Letter of claim", text)
        self.assertIn("This is our final notice", text)

    def test_uk_letter_of_claim_pdf_puts_each_annex_on_its_own_page(self):
        """The printed letter as the nightly run renders it: the letter, then the Information Sheet and the Reply
        Form each on a page of its own (the debtor fills in and returns the form)."""
        self.company.debtor_late_payment_rule = "uk"
        invoice = self._invoice(self.uk_individual, 450.0, "2025-12-01", due_date="2026-01-01", currency=self.gbp)
        action = self._action(self.uk_individual, self.level_final, "2026-02-10", invoice)
        with freeze_time("2026-02-10"):
            pdf = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
                "debtor_followup.action_report_debtor_letter", action.ids)[0]
        pages = [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
        self.assertGreaterEqual(len(pages), 3)
        self.assertIn("Letter of claim", pages[0])
        self.assertEqual([index for index, page in enumerate(pages) if "Information Sheet" in page
                          and "free, independent debt advice" in page.lower()], [len(pages) - 2])
        self.assertIn("Reply Form", pages[-1])
        self.assertIn("Signed", pages[-1])

    def test_other_countries_get_the_generic_letter(self):
        self.company.debtor_late_payment_rule = "eu"
        invoice = self._invoice(self.be_business, 1000.0, "2025-12-01", due_date="2026-01-01", currency=self.eur)
        text = self._letter_text(self._action(self.be_business, self.level_final, "2026-02-10", invoice))
        self.assertIn("This is our final notice", text)
        self.assertNotIn("Mahnung", text)
