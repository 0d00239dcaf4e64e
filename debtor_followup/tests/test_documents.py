import io
import re
from unittest.mock import patch

from freezegun import freeze_time
from lxml import html as lxml_html
from PyPDF2 import PdfReader
from stdnum import iso11649

from odoo import Command
from odoo import fields
from odoo.tests import tagged

from ..models.debtor_customer_figures import ItemsFormatter
from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestDocuments(DebtorFollowupCommon):
    """The statement and the letters are documents a company sends: letterhead, the customer's postal address,
    bank account and payment reference, disputes and credits, in the customer's language, rendered the same
    outside an HTTP request (the nightly run, the demo build)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        netherlands = cls.env.ref("base.nl")
        cls.company.write({
            "name": "Debtor Docs B.V.", "street": "Keizersgracht 100", "zip": "1015 AA", "city": "Amsterdam",
            "country_id": netherlands.id, "vat": "NL123456789B01", "company_registry": "87654321",
            "phone": "+31 20 555 0100",
        })
        bic = cls.env["res.bank"].create({"name": "Test Bank N.V.", "bic": "TESTNL2A"})
        cls.bank = cls.env["res.partner.bank"].create({
            "acc_number": "NL91ABNA0417164300", "partner_id": cls.company.partner_id.id, "bank_id": bic.id,
            "company_id": cls.company.id,
        })
        cls.company_data["default_journal_bank"].bank_account_id = cls.bank
        cls.customer.write({"ref": "C-4711", "street": "Head Office 1", "city": "Rotterdam"})
        cls.invoicing_contact = cls.env["res.partner"].create({
            "name": "Accounts Payable", "type": "invoice", "parent_id": cls.customer.id,
            "street": "Rue de la Loi 16", "zip": "1000", "city": "Brussels", "country_id": cls.env.ref("base.be").id,
        })
        cls.invoice = cls._invoice(cls.customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        cls.disputed = cls._invoice(cls.customer, 300.0, "2025-12-05", due_date="2026-01-05")
        cls.refund = cls._invoice(cls.customer, 150.0, "2026-01-10", move_type="out_refund")
        cls.env["debtor.dispute"].create({
            "move_id": cls.disputed.id, "reason_id": cls.env.ref("debtor_followup.dispute_reason_damaged").id,
            "date": "2026-01-20", "disputed_amount": 300.0})
        cls.reference = cls.env["debtor.customer"]._statement_payment_reference(cls.customer, cls.company)

    def _statement_html(self, debtor):
        with freeze_time("2026-02-10"):
            return self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_statement", debtor.ids)[0].decode()

    def _letter(self):
        with freeze_time("2026-02-10"):
            debtor = self._debtor(self.customer)
            return self.env["debtor.followup.action"].sudo().create({
                "partner_id": self.customer.id, "company_id": self.company.id, "level_id": self.level_final.id,
                "date": "2026-02-10", "state": "done",
                "line_ids": [Command.set(debtor.line_ids.filtered(lambda line: line.amount_residual > 0).ids)],
            })

    def _pdf_text(self, report_ref, records):
        """The text of the PDF that wkhtmltopdf makes as the nightly run or the demo build renders it: no HTTP
        request, and no server to serve Odoo's report styles (the report URL leads nowhere)."""
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with freeze_time("2026-02-10"):
            pdf, kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
                report_ref, records.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        return re.sub(r"[ \t]+", " ", text)

    def test_the_payment_reference_is_an_rf_creditor_reference(self):
        self.assertTrue(self.reference.startswith("RF"))
        compact = self.reference.replace(" ", "")
        self.assertTrue(compact.endswith("4711"), "the digits of the customer's reference")
        self.assertTrue(iso11649.is_valid(compact))
        self.assertEqual(self.env["debtor.customer"]._statement_bank_account(self.company), self.bank)

    def test_statement_pdf_outside_a_request(self):
        text = self._pdf_text("debtor_followup.action_report_debtor_statement", self._debtor(self.customer))
        self.assertIn("Statement of Account", text)
        for letterhead in ("Debtor Docs B.V.", "Keizersgracht 100", "1015 AA Amsterdam", "NL123456789B01",
                           "87654321"):
            self.assertIn(letterhead, text, "the letterhead")
        for address in ("Accounts Payable", "Rue de la Loi 16", "1000 Brussels", "Belgium"):
            self.assertIn(address, text, "the invoicing contact's postal address")
        self.assertIn("NL91ABNA0417164300", text.replace(" ", ""), "the bank account")
        self.assertIn("TESTNL2A", text, "the BIC")
        self.assertIn(self.reference, text, "the payment reference")
        self.assertIn("C-4711", text, "the customer's reference")
        self.assertIn(self.refund.name, text, "the credit note on its own line")
        self.assertIn("In dispute", text)

    def test_letter_pdf_outside_a_request(self):
        action = self._letter()
        text = self._pdf_text("debtor_followup.action_report_debtor_letter", action)
        self.assertIn(self.level_final.name, text)
        self.assertIn("final notice", text, "the final notice says it is one")
        for expected in ("Debtor Docs B.V.", "Keizersgracht 100", "NL123456789B01", "Rue de la Loi 16",
                         "1000 Brussels", "TESTNL2A", self.reference, self.invoice.name):
            self.assertIn(expected, text)
        self.assertIn("NL91ABNA0417164300", text.replace(" ", ""))

    def test_statement_html_is_one_article_per_customer_with_its_heading_first(self):
        debtors = self._debtor(self.customer) | self._debtor_of(self.customer_b)
        tree = lxml_html.fromstring(self._statement_html(debtors))
        articles = tree.xpath("//div[contains(concat(' ', @class, ' '), ' article ')]")
        self.assertEqual([(article.get("data-oe-model"), int(article.get("data-oe-id"))) for article in articles],
                         [("debtor.customer", debtor.id) for debtor in debtors])
        for article in articles:
            headings = article.xpath(".//h1|.//h2|.//h3")
            self.assertEqual(headings[0].text_content().strip(), "Statement of Account")
            self.assertFalse(article.xpath(".//div[contains(concat(' ', @class, ' '), ' header ') or "
                                           "contains(concat(' ', @class, ' '), ' footer ')]"),
                             "nothing in Odoo's header/footer, which Debian's wkhtmltopdf drops")
            self.assertTrue(article.xpath(".//div[hasclass('o_debtor_document_footer')]"))
            self.assertTrue(article.xpath(".//table[hasclass('o_debtor_letterhead')]//img"), "the logo")

    def test_statement_html_marks_disputes_and_lists_credits(self):
        tree = lxml_html.fromstring(self._statement_html(self._debtor(self.customer)))
        items = tree.xpath("//tr[hasclass('o_debtor_item')]")
        self.assertEqual(len(items), 2)
        disputed = [row for row in items if row.xpath(".//div[hasclass('o_debtor_disputed')]")]
        self.assertEqual(len(disputed), 1)
        self.assertIn(self.disputed.name, disputed[0].text_content())
        credits = tree.xpath("//tr[hasclass('o_debtor_credit')]")
        self.assertEqual(len(credits), 1)
        self.assertIn(self.refund.name, credits[0].text_content())
        reference = tree.xpath("//td[hasclass('o_debtor_payment_reference')]")[0].text_content().strip()
        self.assertEqual(reference, self.reference)
        self.assertEqual(tree.xpath("//td[hasclass('o_debtor_bank_account')]")[0].text_content().strip(),
                         "NL91 ABNA 0417 1643 00", "the IBAN, checked and grouped")

    def test_documents_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "fr_FR"
        self.level_final.with_context(lang="fr_FR").name = "Mise en demeure"
        tree = lxml_html.fromstring(self._statement_html(self._debtor(self.customer)))
        self.assertEqual(tree.xpath("//div[hasclass('article')]")[0].get("data-oe-lang"), "fr_FR")
        date_cell = tree.xpath("//table[hasclass('o_debtor_references')]//td")[1].text_content().strip()
        self.assertEqual(date_cell, "10/02/2026", "the date in the French format")
        action = self._letter()
        with freeze_time("2026-02-10"):
            html = self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_letter", action.ids)[0].decode()
        letter = lxml_html.fromstring(html)
        self.assertEqual(letter.xpath("//h2")[0].text_content().strip(), "Mise en demeure")

    def test_items_table_figures_are_written_as_odoos_widgets_write_them(self):
        """The items table writes its amounts and dates itself (a batch shows thousands of them): the same text as
        Odoo's monetary and date widgets, in every language and currency position."""
        for code in ("fr_FR", "de_CH", "nl_NL"):
            self.env["res.lang"]._activate_lang(code)
        euro, dollar = self.env.ref("base.EUR"), self.env.ref("base.USD")
        yen = self.env.ref("base.JPY")
        values = [0.0, -0.0, 0.004, -0.004, 0.005, 12, 1234.5, -1234.5, 1234567.891, -98765432.1, 1e-9, 2.675]
        dates = [fields.Date.to_date("2026-02-10"), fields.Date.to_date("2025-12-31"), False]
        for code in ("en_US", "fr_FR", "de_CH", "nl_NL"):
            env = self.env(context=dict(self.env.context, lang=code))
            formatter = ItemsFormatter(env)
            for currency in (euro, dollar, yen):
                for value in values:
                    widget = env["ir.qweb.field.monetary"].value_to_html(value, {"display_currency": currency})
                    ours = formatter.money(value, currency)
                    self.assertEqual(lxml_html.fromstring(f"<div>{ours}</div>").text_content(),
                                     lxml_html.fromstring(f"<div>{widget}</div>").text_content(),
                                     f"{value} {currency.name} in {code}")
            for value in dates:
                self.assertEqual(formatter.date(value), env["ir.qweb.field.date"].value_to_html(value, {}))
        # in a French statement, as a French reader writes them
        self.customer.lang = "fr_FR"
        tree = lxml_html.fromstring(self._statement_html(self._debtor(self.customer)))
        total = tree.xpath("//tr[hasclass('o_debtor_total_due')]/td")[1].text_content()
        self.assertRegex(total, r"^\$\s1\s150,00$", "1,000 + 300 - 150 in French (the company in dollars)")
        rows = tree.xpath("//tr[hasclass('o_debtor_item')]")
        self.assertEqual(rows[0].xpath("./td")[2].text_content(), "01/01/2026")

    def test_without_bank_account_the_reference_is_still_there(self):
        self.company_data["default_journal_bank"].bank_account_id = False
        self.bank.unlink()
        tree = lxml_html.fromstring(self._statement_html(self._debtor(self.customer)))
        self.assertFalse(tree.xpath("//td[hasclass('o_debtor_bank_account')]"))
        self.assertIn(self.reference, tree.xpath("//table[hasclass('o_debtor_payment')]")[0].text_content())

    def test_payment_qr_code_where_odoo_has_a_qr_method(self):
        """With a QR method installed (e.g. account_qr_code_sepa), the total due, the account and the reference
        go into Odoo's payment QR code, embedded in the page (no /report/barcode request)."""
        seen = []

        def params(bank, qr_method, amount, currency, debtor_partner, free_communication, structured_communication):
            seen.append((bank, qr_method, amount, currency, debtor_partner, structured_communication))
            return {"barcode_type": "QR", "quiet": 0, "width": 128, "height": 128, "value": "BCD-test"}

        Bank = type(self.env["res.partner.bank"])
        with patch.object(Bank, "_get_available_qr_methods", lambda _self: [("test_qr", "Test QR", 10)]), \
                patch.object(Bank, "_get_qr_code_generation_params", params, create=False):
            tree = lxml_html.fromstring(self._statement_html(self._debtor(self.customer)))
        self.assertEqual(seen, [(self.bank, "test_qr", 1150.0, self.company.currency_id, self.customer,
                                 self.reference)], "the total due (open items less credits) and the reference")
        [image] = tree.xpath("//img[hasclass('o_debtor_qr_code')]")
        self.assertTrue(image.get("src").startswith("data:image/png;base64,"))
        # without a QR method: no code
        tree = lxml_html.fromstring(self._statement_html(self._debtor(self.customer)))
        self.assertFalse(tree.xpath("//img[hasclass('o_debtor_qr_code')]"))

    def test_a_statement_without_open_items_asks_for_nothing(self):
        refund = self._invoice(self.customer_b, 80.0, "2026-01-10", move_type="out_refund")
        debtor = self._debtor(self.customer_b)
        self.assertFalse(debtor.line_ids.filtered(lambda line: line.amount_residual > 0))
        tree = lxml_html.fromstring(self._statement_html(debtor))
        self.assertTrue(tree.xpath("//table[hasclass('o_debtor_letterhead')]"))
        self.assertFalse(tree.xpath("//table[hasclass('o_debtor_payment')]"), "no payment instructions")
        self.assertIn(refund.name, tree.text_content(), "the credit is still shown")

    def _debtor_of(self, partner):
        if not self._debtor(partner):
            self._invoice(partner, 50.0, "2025-12-01", due_date="2026-01-01")
        return self._debtor(partner)
