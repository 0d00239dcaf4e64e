import base64
import os

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DebtorFollowupCommon
from .common import billion_laughs

SAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "samples")

XXE_PAYLOAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE creditReport [
  <!ENTITY x SYSTEM "file:///etc/passwd">
]>
<creditReport xmlns="urn:debtor-followup:credit-report:1" version="1">
  <reportId>&x;</reportId>
</creditReport>
"""


def _sample(name):
    with open(os.path.join(SAMPLES_DIR, name), "rb") as sample:
        return sample.read()


@tagged("post_install", "-at_install")
class TestCreditReportImport(DebtorFollowupCommon):
    """External credit reports imported through the wizard: all or nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exemple = cls._exemple_partner()
        cls.demo_bv = cls.env["res.partner"].create({
            "name": "Demo Handelshuis BV", "is_company": True, "country_id": cls.env.ref("base.be").id,
            "vat": "BE0765432146"})
        # a fixed rate: 1 company currency unit = 2 EUR
        eur = cls.env.ref("base.EUR")
        if cls.company.currency_id != eur:
            eur.active = True
            cls.env["res.currency.rate"].search([("currency_id", "=", eur.id)]).unlink()
            cls.env["res.currency.rate"].create({"name": "2025-01-01", "rate": 2.0, "currency_id": eur.id,
                                                 "company_id": cls.company.id})
        cls.in_company_currency = 0.5 if cls.company.currency_id != eur else 1.0

    def _import(self, partner, data, user=None, filename="report.xml", **vals):
        customer = self.env["debtor.customer"]._credit_file(partner, self.company)
        wizard = self.env["debtor.credit.report.import"].with_user(user or self.controller).create({
            "customer_id": customer.id, "report_file": base64.b64encode(data), "report_filename": filename, **vals})
        return wizard.action_import()

    def _written(self):
        """What an import writes: credit checks and their attachments."""
        return (self.env["debtor.credit.check"].search_count([]),
                self.env["ir.attachment"].search_count([("res_model", "=", "debtor.credit.check")]))

    def assertRefused(self, partner, data, *fragments):
        before = self._written()
        last_check = self._debtor(partner).credit_check_id
        with self.assertRaises(UserError) as catcher:
            self._import(partner, data)
        for fragment in fragments:
            self.assertIn(fragment, str(catcher.exception))
        self.assertEqual(self._written(), before, "nothing is written when a report is refused")
        self.assertEqual(self._debtor(partner).credit_check_id, last_check)
        return catcher.exception

    @freeze_time("2025-11-10")
    def test_import_good_report(self):
        data = _sample("credit_report_good.xml")
        action = self._import(self.exemple, data, filename="exemple.xml")
        check = self.env["debtor.credit.check"].browse(action["res_id"])
        self.assertEqual((check.source, check.result, check.rating), ("external", "approved_limit", "A"))
        self.assertEqual((check.external_rating, check.external_score, check.external_source),
                         ("A (A-E)", 86, "Example Credit Agency"))
        self.assertEqual((check.external_report_ref, str(check.external_issue_date), str(check.date)),
                         ("ECA-2025-000142", "2025-11-03", "2025-11-03"))
        self.assertAlmostEqual(check.credit_limit_proposal, 250000.0 * self.in_company_currency)
        self.assertFalse(check.negative_events)
        self.assertIn("1.5 days beyond terms", check.note)
        self.assertEqual(check.user_id, self.controller)
        self.assertEqual((check.attachment_id.name, check.attachment_id.raw), ("exemple.xml", data))
        self.assertEqual((check.attachment_id.res_model, check.attachment_id.res_id), (check._name, check.id))
        debtor = self._debtor(self.exemple)
        self.assertEqual((debtor.credit_check_id, debtor.credit_external_check_id), (check, check))
        self.assertEqual((debtor.credit_external_rating, debtor.credit_external_source, debtor.credit_external_score),
                         ("A (A-E)", "Example Credit Agency", 86))
        self.assertEqual(self.exemple.debtor_credit_external_source, "Example Credit Agency")
        # the same report twice is refused
        self.assertRefused(self.exemple, data, "already imported")
        self.assertEqual(debtor.credit_check_ids, check)

    def test_import_risky_report(self):
        action = self._import(self.demo_bv, _sample("credit_report_risky.xml"), note="Asked by sales")
        check = self.env["debtor.credit.check"].browse(action["res_id"])
        self.assertEqual((check.result, check.rating, check.external_score), ("cash_in_advance", "D", 23))
        self.assertEqual(check.credit_limit_proposal, 0.0, "no limit proposed without credit")
        self.assertEqual(check.negative_events.splitlines(), [
            "2025-06-12 Payment default 18400.50 EUR: Invoice of a logistics supplier unpaid 120 days after its "
            "due date.",
            "2025-08-29 Judgement 7250.00 EUR: Ordered by the enterprise court to pay a supplier's outstanding "
            "invoices.",
            "2025-09-15 Other: Annual accounts for 2024 filed four months late.",
        ])
        self.assertTrue(check.note.startswith("Asked by sales\n"))
        # a bankruptcy refuses credit whatever the score; the person importing may decide otherwise
        bankrupt = _sample("credit_report_risky.xml").replace(b"ECA-2025-000917", b"ECA-2025-000918").replace(
            b"<type>judgement</type>", b"<type>bankruptcy</type>")
        check = self.env["debtor.credit.check"].browse(self._import(self.demo_bv, bankrupt)["res_id"])
        self.assertEqual(check.result, "refused")
        chosen = bankrupt.replace(b"ECA-2025-000918", b"ECA-2025-000919")
        check = self.env["debtor.credit.check"].browse(
            self._import(self.demo_bv, chosen, result="cash_in_advance")["res_id"])
        self.assertEqual(check.result, "cash_in_advance")

    def test_schema_invalid_report(self):
        data = _sample("credit_report_good.xml").replace(b"<score>86</score>", b"<score>150</score>")
        self.assertRefused(self.exemple, data, "does not match the credit report schema",
                           "line 19: Element 'score'")
        self.assertRefused(self.exemple, b"<creditReport", "not well-formed XML")
        self.assertRefused(self.exemple, b"", "empty")

    def test_external_entities_and_billion_laughs(self):
        error = self.assertRefused(self.exemple, XXE_PAYLOAD, "DOCTYPE declarations are not allowed", "line 2")
        self.assertNotIn("root:", str(error))
        self.assertRefused(self.exemple, billion_laughs(), "DOCTYPE declarations are not allowed")

    def test_mismatched_identifiers(self):
        self.exemple.vat = "FR61954506077"
        self.assertRefused(self.exemple, _sample("credit_report_good.xml"),
                           "VAT number differs (report: FR19812345676, customer: FR61954506077)")
        # the right report for another customer
        self.assertRefused(self.demo_bv, _sample("credit_report_good.xml"), "Demo Handelshuis BV",
                           "VAT number differs")
        # nothing in common
        self.customer.write({"vat": False})
        self.assertRefused(self.customer, _sample("credit_report_risky.xml"), "No identifier to compare")

    def test_invalid_identifier_of_the_customer(self):
        self.demo_bv.bank_ids = [(0, 0, {"acc_number": "BE31435411161156"})]
        self.assertRefused(self.demo_bv, _sample("credit_report_risky.xml"), "IBAN BE31435411161156 is invalid")

    def test_access(self):
        with self.assertRaises(AccessError):
            self._import(self.exemple, _sample("credit_report_good.xml"), user=self.invoicing_user)
        self.assertFalse(self.env["debtor.credit.check"].search_count([("partner_id", "=", self.exemple.id)]))
