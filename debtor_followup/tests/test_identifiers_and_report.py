import dataclasses
import os
from datetime import date
from decimal import Decimal
from unittest import mock

from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools import credit_report
from ..tools import identifiers
from .common import billion_laughs

# Valid example numbers are the ones used in python-stdnum's own doctests.
SAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "samples")


def _sample(name):
    with open(os.path.join(SAMPLES_DIR, name), "rb") as sample:
        return sample.read()


XXE_PAYLOAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE creditReport [
  <!ENTITY x SYSTEM "file:///etc/passwd">
]>
<creditReport xmlns="urn:debtor-followup:credit-report:1">
  <reportId>&x;</reportId>
</creditReport>
"""


@tagged("post_install", "-at_install")
class TestIdentifiers(BaseCase):
    """Offline identifier checks (python-stdnum) and the VIES degradation."""

    def assertValid(self, result, compact, formatted=None):
        self.assertIs(result.valid, True, result.reason)
        self.assertEqual(result.compact, compact)
        self.assertEqual(result.reason, "")
        self.assertEqual(result.state, "valid")
        if formatted is not None:
            self.assertEqual(result.formatted, formatted)

    def assertInvalid(self, result, reason):
        self.assertIs(result.valid, False)
        self.assertEqual(result.state, "invalid")
        self.assertTrue(result.reason.startswith(reason), f"{result.reason!r} does not start with {reason!r}")

    def test_result_object(self):
        result = identifiers.check_lei("213800KUD8LAJWSQ9D15")
        self.assertIsInstance(result, identifiers.IdentifierResult)
        self.assertEqual(
            [f.name for f in dataclasses.fields(result)][:4], ["valid", "compact", "formatted", "reason"])
        with self.assertRaises(dataclasses.FrozenInstanceError):
            result.valid = False
        self.assertTrue(result.checked)

    def test_vat_eu_valid(self):
        self.assertValid(identifiers.check_vat("BE403019261"), "BE0403019261")
        self.assertValid(identifiers.check_vat("BE 428759497"), "BE0428759497")
        self.assertValid(identifiers.check_vat("FR 61 954 506 077"), "FR61954506077")
        self.assertValid(identifiers.check_vat("ATU 57194903"), "ATU57194903")
        self.assertValid(identifiers.check_vat("DE 136,695 976"), "DE136695976")
        self.assertValid(identifiers.check_vat("NL004495445B01"), "NL004495445B01")
        pl = identifiers.check_vat("PL8567346215")
        self.assertValid(pl, "PL8567346215", "PL 856-734-62-15")
        self.assertEqual((pl.kind, pl.country, pl.scheme), ("vat", "PL", "pl.nip"))

    def test_vat_country_from_argument(self):
        self.assertValid(identifiers.check_vat("0403019261", "BE"), "BE0403019261")
        self.assertValid(identifiers.check_vat("0403.019.261", "be"), "BE0403019261")
        # Greece: ISO code GR, VAT prefix EL
        greek = identifiers.check_vat("094259216", "GR")
        self.assertValid(greek, "EL094259216")
        self.assertEqual(greek.country, "GR")
        self.assertValid(identifiers.check_vat("GR 094259216"), "EL094259216")
        # the number's own prefix wins over the given country
        self.assertValid(identifiers.check_vat("FR61954506077", "BE"), "FR61954506077")

    def test_vat_invalid(self):
        self.assertInvalid(identifiers.check_vat("BE431150351"), "invalid checksum")
        self.assertInvalid(identifiers.check_vat("DE136695978"), "invalid checksum")
        self.assertInvalid(identifiers.check_vat("ATU13585626"), "invalid checksum")
        short = identifiers.check_vat("BE04030192")
        self.assertInvalid(short, "invalid length")
        self.assertEqual(short.reason, "invalid length (expected 10 digits after BE)")
        self.assertEqual(short.compact, "BE04030192")
        self.assertInvalid(identifiers.check_vat("FRIO334175221"), "invalid format")
        self.assertInvalid(identifiers.check_vat(""), "empty number")
        self.assertInvalid(identifiers.check_vat(None), "empty number")
        self.assertInvalid(identifiers.check_vat(False, False), "empty number")  # empty Odoo fields

    def test_vat_gb_ch_no(self):
        self.assertValid(identifiers.check_vat("GB 980 7806 84"), "GB980780684", "GB 980 7806 84")
        self.assertValid(identifiers.check_vat("980780684", "GB"), "GB980780684")
        self.assertInvalid(identifiers.check_vat("802311781", "GB"), "invalid checksum")
        self.assertValid(identifiers.check_vat("CHE-107.787.577 IVA"), "CHE107787577IVA", "CHE-107.787.577 IVA")
        self.assertValid(identifiers.check_vat("107.787.577 IVA", "CH"), "CHE107787577IVA")
        self.assertInvalid(identifiers.check_vat("CHE-107.787.578 IVA"), "invalid checksum")
        self.assertValid(identifiers.check_vat("NO 995 525 828 MVA"), "NO995525828MVA", "NO 995 525 828 MVA")
        self.assertValid(identifiers.check_vat("995525828MVA", "NO"), "NO995525828MVA")
        self.assertInvalid(identifiers.check_vat("NO 995 525 829 MVA"), "invalid checksum")

    def test_vat_unknown_country(self):
        no_country = identifiers.check_vat("123456789")
        self.assertInvalid(no_country, "unknown country")
        self.assertInvalid(identifiers.check_vat("123456789", "Belgium"), "unknown country")
        unchecked = identifiers.check_vat("12-3456789", "US")
        self.assertIsNone(unchecked.valid)
        self.assertEqual(unchecked.state, "unchecked")
        self.assertFalse(unchecked.checked)
        self.assertEqual(unchecked.reason, "no check known for country US")
        self.assertEqual(unchecked.compact, "123456789")

    def test_vat_online_degrades_when_vies_unreachable(self):
        for error in (OSError("Name or service not known"), TimeoutError("timed out"),
                      RuntimeError("SOAP fault: MS_MAX_CONCURRENT_REQ")):
            with self.subTest(error=error), mock.patch("stdnum.eu.vat.check_vies", side_effect=error) as vies:
                result = identifiers.check_vat_online("BE 0403.019.261", timeout=3)
                vies.assert_called_once_with("BE0403019261", timeout=3)
                self.assertIs(result.online, False)
                self.assertIs(result.valid, True)  # offline check still applies
                self.assertEqual(result.compact, "BE0403019261")
                self.assertEqual(result.reason, f"not verified online: {error}")

    def test_vat_online_answers(self):
        answer = {"valid": True, "name": "NV EXAMPLE", "address": "Street 1\n1000 Brussels", "requestDate": None}
        with mock.patch("stdnum.eu.vat.check_vies", return_value=answer):
            result = identifiers.check_vat_online("BE0403019261")
        self.assertIs(result.online, True)
        self.assertIs(result.valid, True)
        self.assertEqual(result.details["name"], "NV EXAMPLE")
        with mock.patch("stdnum.eu.vat.check_vies", return_value={"valid": False}):
            result = identifiers.check_vat_online("BE0403019261")
        self.assertIs(result.online, True)
        self.assertIs(result.valid, False)
        self.assertIn("VIES", result.reason)
        # no network call for numbers VIES cannot confirm
        with mock.patch("stdnum.eu.vat.check_vies") as vies:
            invalid = identifiers.check_vat_online("BE431150351")
            british = identifiers.check_vat_online("GB980780684")
            self.assertFalse(vies.called)
        self.assertEqual((invalid.valid, invalid.online, invalid.reason), (False, False, "invalid checksum"))
        self.assertEqual((british.valid, british.online), (True, False))
        self.assertTrue(british.reason.startswith("not verified online: "))

    def test_company_registry_valid(self):
        cases = [
            ("552 008 443", "FR", "552008443", "552 008 443", "fr.siren"),
            ("732 829 320 00074", "FR", "73282932000074", "732 829 320 00074", "fr.siret"),
            ("BE 0403.019.261", "BE", "0403019261", "0403.019.261", "be.vat"),
            ("403019261", "BE", "0403019261", "0403.019.261", "be.vat"),
            ("DK 13585628", "DK", "13585628", "13585628", "dk.cvr"),
            ("988 077 917", "NO", "988077917", "988 077 917", "no.orgnr"),
            ("Aachen HRA 11223", "DE", "Aachen HRA 11223", "Aachen HRA 11223", "de.handelsregisternummer"),
            ("1234567897", "SE", "1234567897", "123456-7897", "se.orgnr"),
            ("2077474-0", "FI", "20774740", "2077474-0", "fi.ytunnus"),
            ("CHE-100.155.212", "CH", "CHE100155212", "CHE-100.155.212", "ch.uid"),
            ("192598184", "PL", "192598184", "192598184", "pl.regon"),
            ("J52/750/2012", "RO", "J52/750/2012", "J52/750/2012", "ro.onrc"),
            ("16.727.230/0001-97", "BR", "16727230000197", "16.727.230/0001-97", "br.cnpj"),
        ]
        for number, country, compact, formatted, scheme in cases:
            with self.subTest(number=number, country=country):
                result = identifiers.check_company_registry(number, country)
                self.assertValid(result, compact, formatted)
                self.assertEqual((result.kind, result.country, result.scheme), ("company_registry", country, scheme))

    def test_company_registry_invalid(self):
        cases = [
            ("404833047", "FR", "invalid checksum"),
            ("73282932000079", "FR", "invalid checksum"),
            ("12345", "FR", "invalid length (expected 9 digits for SIREN or 14 digits for SIRET)"),
            ("BE431150351", "BE", "invalid checksum"),
            ("13585627", "DK", "invalid checksum"),
            ("988 077 918", "NO", "invalid checksum"),
            ("9880779", "NO", "invalid length (expected 9 digits)"),
            ("Aachen HRC 44123", "DE", "invalid format"),
            ("1234567891", "SE", "invalid checksum"),
        ]
        for number, country, reason in cases:
            with self.subTest(number=number, country=country):
                self.assertInvalid(identifiers.check_company_registry(number, country), reason)

    def test_company_registry_scheme(self):
        self.assertInvalid(identifiers.check_company_registry("404833048", "FR", scheme="SIRET"),
                           "invalid length (expected 14 digits)")
        self.assertValid(identifiers.check_company_registry("404833048", "FR", scheme="FR:SIREN"), "404833048")
        self.assertValid(identifiers.check_company_registry("73282932000074", "FR", scheme="siret"), "73282932000074")

    def test_company_registry_unknown_country(self):
        for country in ("NL", "GB", "US"):
            with self.subTest(country=country):
                result = identifiers.check_company_registry("12345678", country)
                self.assertIsNone(result.valid)
                self.assertEqual(result.state, "unchecked")
                self.assertEqual(result.reason, f"no check known for country {country}")
        self.assertInvalid(identifiers.check_company_registry("12345678", None), "unknown country")
        self.assertInvalid(identifiers.check_company_registry("12345678", False), "unknown country")
        self.assertInvalid(identifiers.check_company_registry("12345678", "XYZ"), "unknown country")
        self.assertIn("FR", identifiers.company_registry_countries())

    def test_lei(self):
        self.assertValid(identifiers.check_lei("213800KUD8LAJWSQ9D15"), "213800KUD8LAJWSQ9D15")
        self.assertValid(identifiers.check_lei(" 213800kud8lajwsq9d15 "), "213800KUD8LAJWSQ9D15")
        self.assertInvalid(identifiers.check_lei("213800KUD8LXJWSQ9D15"), "invalid checksum")
        self.assertInvalid(identifiers.check_lei("213800KUD8LAJWSQ9D1"), "invalid length (expected 20")
        self.assertInvalid(identifiers.check_lei("213800KUD8LAJWSQ9D1!"), "invalid format")

    def test_iban(self):
        self.assertValid(identifiers.check_iban("GR16 0110 1050 0000 1054 7023 795"),
                         "GR1601101050000010547023795", "GR16 0110 1050 0000 1054 7023 795")
        self.assertValid(identifiers.check_iban("BE31435411161155"), "BE31435411161155", "BE31 4354 1116 1155")
        self.assertInvalid(identifiers.check_iban("BE31435411161156"), "invalid checksum")
        self.assertInvalid(identifiers.check_iban("GR16011010500000105470237"),
                           "invalid length (expected 27 characters for a GR IBAN)")
        self.assertInvalid(identifiers.check_iban("XX00123"), "unknown country")
        self.assertInvalid(identifiers.check_iban("1234"), "invalid format")

    def test_compact_helpers(self):
        self.assertEqual(identifiers.compact_vat("be 0403.019.261"), "BE0403019261")
        self.assertEqual(identifiers.compact_vat("403019261", "BE"), "BE0403019261")
        self.assertEqual(identifiers.compact_vat("123", "FR"), "FR123")  # invalid numbers are compacted too
        self.assertEqual(identifiers.compact_company_registry("BE 0403.019.261", "BE"), "0403019261")
        self.assertEqual(identifiers.compact_company_registry("12 34-56.7", None), "1234567")
        self.assertEqual(identifiers.compact_lei(" 213800kud8 lajwsq9d15"), "213800KUD8LAJWSQ9D15")


@tagged("post_install", "-at_install")
class TestCreditReport(BaseCase):
    """Secure parsing and validation of external credit reports."""

    def assertRefused(self, data, *fragments):
        with self.assertRaises(credit_report.CreditReportError) as catcher:
            credit_report.parse_credit_report(data)
        message = str(catcher.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return catcher.exception

    def test_error_is_value_error(self):
        self.assertTrue(issubclass(credit_report.CreditReportError, ValueError))
        self.assertTrue(os.path.isfile(credit_report.XSD_PATH))

    def test_good_sample(self):
        report = credit_report.parse_credit_report(_sample("credit_report_good.xml"))
        self.assertEqual(report["report_id"], "ECA-2025-000142")
        self.assertEqual(report["issue_date"], date(2025, 11, 3))
        self.assertEqual(report["agency"], {"name": "Example Credit Agency"})
        self.assertEqual(report["subject"], {"name": "Exemple Industries SAS", "country": "FR"})
        self.assertEqual(report["identifiers"], {
            "vat": "FR19812345676",
            "registry_number": "812 345 676",
            "registry_scheme": "FR:SIREN",
            "lei": "5299000DEBTORFLWUP91",
        })
        self.assertEqual((report["rating"], report["rating_scale"]), ("A", "A-E"))
        self.assertEqual(report["score"], 86)
        self.assertIsInstance(report["score"], int)
        self.assertEqual(report["credit_limit"], {"amount": Decimal("250000.00"), "currency": "EUR"})
        self.assertIsInstance(report["credit_limit"]["amount"], Decimal)
        self.assertEqual(report["payment_behaviour"], {
            "average_days_beyond_terms": Decimal("1.5"), "late_payment_share": Decimal("4.25")})
        self.assertEqual(report["negative_events"], [])
        # the sample's identifiers are consistent (fictitious numbers with valid check digits)
        self.assertTrue(identifiers.check_vat(report["identifiers"]["vat"]).valid)
        self.assertTrue(identifiers.check_company_registry(report["identifiers"]["registry_number"], "FR").valid)
        self.assertTrue(identifiers.check_lei(report["identifiers"]["lei"]).valid)

    def test_risky_sample(self):
        report = credit_report.parse_credit_report(_sample("credit_report_risky.xml"))
        self.assertEqual(report["report_id"], "ECA-2025-000917")
        self.assertEqual(report["issue_date"], date(2025, 10, 20))
        self.assertEqual(report["subject"], {"name": "Demo Handelshuis BV", "country": "BE"})
        self.assertEqual(report["identifiers"], {
            "vat": "BE 0765.432.146",
            "registry_number": "0765.432.146",
            "registry_scheme": "BE:KBO",
            "lei": None,
        })
        self.assertEqual((report["rating"], report["score"]), ("D", 23))
        self.assertEqual(report["credit_limit"], {"amount": Decimal("5000"), "currency": "EUR"})
        self.assertEqual(report["payment_behaviour"], {
            "average_days_beyond_terms": Decimal("47.5"), "late_payment_share": Decimal("68")})
        events = report["negative_events"]
        self.assertEqual([(e["date"], e["type"], e["amount"], e["currency"]) for e in events], [
            (date(2025, 6, 12), "payment_default", Decimal("18400.50"), "EUR"),
            (date(2025, 8, 29), "judgement", Decimal("7250.00"), "EUR"),
            (date(2025, 9, 15), "other", None, None),
        ])
        self.assertEqual(events[2]["description"], "Annual accounts for 2024 filed four months late.")
        self.assertTrue(identifiers.check_vat(report["identifiers"]["vat"]).valid)

    def test_schema_errors_are_listed_with_lines(self):
        data = _sample("credit_report_good.xml").replace(b"<score>86</score>", b"<score>150</score>")
        start, end = data.index(b"<identifiers>"), data.index(b"</identifiers>")
        data = data[:start] + b"<identifiers>" + data[end:]
        error = self.assertRefused(
            data,
            "does not match the credit report schema",
            "line 12: Element 'identifiers': Missing child element(s).",
            "line 15: Element 'score': [facet 'maxInclusive'] The value '150' is greater than the maximum",
        )
        self.assertEqual([line for line, _message in error.errors], [12, 15])

    def test_other_schema_errors(self):
        good = _sample("credit_report_good.xml")
        risky = _sample("credit_report_risky.xml")
        cases = [
            (good.replace(b'currency="EUR"', b'currency="eur"'), "line 20: Element 'recommendedCreditLimit'"),
            (good.replace(b">250000.00<", b">-1<"), "line 20: Element 'recommendedCreditLimit'"),
            (good.replace(b">4.25<", b">100.5<"), "line 23: Element 'latePaymentShare'"),
            (good.replace(b"2025-11-03", b"2025-02-30"), "line 5: Element 'issueDate'"),
            (good.replace(b"<country>FR</country>", b"<country>France</country>"), "line 11: Element 'country'"),
            (good.replace(b"5299000DEBTORFLWUP91", b"5299-000"), "line 15: Element 'lei'"),
            (risky.replace(b"<type>other</type>", b"<type>fraud</type>"), "line 39: Element 'type'"),
            (good.replace(b'xmlns="urn:debtor-followup:credit-report:1"', b'xmlns="urn:other"'),
             "No matching global declaration"),
        ]
        for data, fragment in cases:
            with self.subTest(fragment=fragment):
                self.assertRefused(data, fragment)

    def test_malformed_xml(self):
        data = _sample("credit_report_good.xml").replace(b"</agency>", b"</agent>")
        error = self.assertRefused(data, "not well-formed XML", "line 8: Opening and ending tag mismatch")
        self.assertEqual(error.errors[0][0], 8)
        self.assertRefused(b"this is not xml", "not well-formed XML", "line 1:")
        self.assertRefused(b"", "empty")
        self.assertRefused(b" " * (credit_report.MAX_REPORT_SIZE + 1), "too large")
        with self.assertRaises(TypeError):
            credit_report.parse_credit_report("<creditReport/>")

    def test_external_entity_refused(self):
        error = self.assertRefused(XXE_PAYLOAD, "DOCTYPE declarations are not allowed", "line 2:")
        self.assertNotIn("root:", str(error))
        # same document in UTF-16 (the byte scan must still see the DOCTYPE)
        utf16 = XXE_PAYLOAD.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")
        self.assertRefused(utf16, "DOCTYPE declarations are not allowed")

    def test_billion_laughs_refused(self):
        self.assertRefused(billion_laughs(), "DOCTYPE declarations are not allowed", "line 2:")

    def test_doctype_refused_after_parsing_too(self):
        # Second line of defence: even if the byte scan missed a DOCTYPE, the safe
        # parser does not expand anything and the parsed document is refused.
        with mock.patch.object(credit_report, "_check_no_doctype_bytes"):
            error = self.assertRefused(XXE_PAYLOAD)
            self.assertNotIn("root:", str(error))
            self.assertIn("DOCTYPE", str(error))
            with self.assertRaises(credit_report.CreditReportError):
                credit_report.parse_credit_report(billion_laughs())
            self.assertRefused(b'<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">\n<x/>',
                               "DOCTYPE")

    def test_matches_partner(self):
        good = credit_report.parse_credit_report(_sample("credit_report_good.xml"))
        risky = credit_report.parse_credit_report(_sample("credit_report_risky.xml"))
        # exact and formatting differences (case, spaces, dots, missing country prefix)
        self.assertEqual(credit_report.matches_partner(good, vat="FR19812345676"), (True, "Matched on VAT number."))
        self.assertTrue(credit_report.matches_partner(good, vat="fr 19 812 345 676")[0])
        self.assertTrue(credit_report.matches_partner(good, vat="19812345676")[0])
        self.assertTrue(credit_report.matches_partner(risky, vat="0765432146")[0])
        self.assertTrue(credit_report.matches_partner(risky, company_registry="BE0765.432.146")[0])
        self.assertTrue(credit_report.matches_partner(good, lei="5299000debtorflwup91")[0])
        # a SIRET matches the SIREN it starts with
        self.assertTrue(credit_report.matches_partner(good, company_registry="812 345 676 00017")[0])
        ok, reason = credit_report.matches_partner(
            good, vat="FR19812345676", company_registry="812345676", lei="5299000DEBTORFLWUP91")
        self.assertTrue(ok)
        self.assertEqual(reason, "Matched on VAT number, company registry number and LEI.")
        # mismatch
        ok, reason = credit_report.matches_partner(good, vat="FR61954506077")
        self.assertFalse(ok)
        self.assertEqual(reason, "VAT number differs (report: FR19812345676, customer: FR61954506077).")
        ok, reason = credit_report.matches_partner(good, vat="FR19812345676", lei="213800KUD8LAJWSQ9D15")
        self.assertFalse(ok)
        self.assertIn("LEI differs", reason)
        self.assertFalse(credit_report.matches_partner(risky, vat="NL004495445B01")[0])
        # nothing to compare
        ok, reason = credit_report.matches_partner(risky, lei="213800KUD8LAJWSQ9D15")
        self.assertFalse(ok)
        self.assertIn("No identifier to compare", reason)
        self.assertFalse(credit_report.matches_partner(good, vat=False, company_registry="")[0])
