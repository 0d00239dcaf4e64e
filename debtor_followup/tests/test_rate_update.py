from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo.addons.debtor_followup.tools import rate_sources
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

# Recorded answers of the two publications, shortened: the ECB series holds only its change dates; the Bank of
# England's daily series is cut down to the business days around each change. Both agree with the shipped tables
# up to mid-2026; the ECB change of 16 December 2026 (2.65) and the Bank Rate cut of 5 November 2026 (3.50) are
# invented for the tests, so that the update has something new to record.
DATA = Path(__file__).parent / "data"
ECB_BODY = (DATA / "ecb_mro.csv").read_bytes()
BOE_BODY = (DATA / "boe_bank_rate.csv").read_bytes()
LOGGER = "odoo.addons.debtor_followup.models.debtor_reference_rate"
HTML_ERROR_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Error</title></head><body><h1>Sorry, an error occurred"
                   b"</h1><p>The series code is not valid.</p></body></html>")
GARBAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR garbage;;;\n"


@tagged("post_install", "-at_install")
class TestRateUpdate(TransactionCase):
    """The weekly update of the reference rates from the ECB and Bank of England answers (no network)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["debtor.reference.rate"]
        cls.manager = new_test_user(cls.env, login="rate_manager", groups="debtor_followup.group_debtor_manager")
        cls.invoicing_user = new_test_user(cls.env, login="rate_invoicing", groups="account.group_account_invoice")

    @contextmanager
    def _answers(self, ecb=ECB_BODY, boe=BOE_BODY):
        """The sources answer ``ecb`` and ``boe`` (an exception is raised as the fetch would raise it)."""
        answers = {rate_sources.ECB_URL: ecb, rate_sources.BOE_URL: boe}
        calls = []

        def fetch(model, url):
            calls.append(url)
            if isinstance(answers[url], Exception):
                raise answers[url]
            return answers[url]

        with patch.object(type(self.Rate), "_fetch_rate_source", fetch):
            yield calls

    def _table(self):
        return {(row.rate_type, row.date_from): (row.rate, row.note) for row in self.Rate.search([])}

    def _rate(self, rate_type, date_from):
        return self.Rate.search([("rate_type", "=", rate_type), ("date_from", "=", date_from)])

    def _status(self):
        return self.env["res.config.settings"].create({}).debtor_rate_update_status

    # ------------------------------------------------------------------

    def test_new_rates_added_once(self):
        before = self._table()
        with freeze_time("2027-01-15 06:00:00"), self._answers() as calls:
            self.Rate._cron_update_rates()
        self.assertEqual(calls, [rate_sources.ECB_URL, rate_sources.BOE_URL])
        after = self._table()
        new = {key: value[0] for key, value in after.items() if key not in before}
        self.assertEqual(new, {
            ("ecb", date(2027, 1, 1)): 2.65,
            ("nl_commercial", date(2027, 1, 1)): 10.65,  # art. 6:120 lid 2 BW: 2.65 + 8
            ("de_base", date(2027, 1, 1)): 1.77,  # § 247 BGB: 1.52 + (2.65 - 2.40)
            ("uk_base", date(2026, 11, 5)): 3.5,
        })
        self.assertEqual({key: after[key] for key in before}, before, "no recorded rate changed")
        ecb_note = after[("ecb", date(2027, 1, 1))][1]
        self.assertIn(rate_sources.ECB_URL, ecb_note)
        self.assertIn("2027-01-15", ecb_note)
        self.assertIn(rate_sources.BOE_URL, after[("uk_base", date(2026, 11, 5))][1])
        self.assertIn("§ 247 BGB", after[("de_base", date(2027, 1, 1))][1])
        # The figures of the new half-year no longer warn about a missing rate.
        for rate_type in ("ecb", "nl_commercial", "de_base"):
            self.assertEqual(self.Rate._rate_table_checked(rate_type, date(2027, 2, 1))[1], "")

        with freeze_time("2027-01-22 06:00:00"), self._answers():
            results = self.Rate.with_user(self.manager)._update_from_sources()
        self.assertEqual(results, {"ecb": {"created": 0, "differences": 0}, "boe": {"created": 0, "differences": 0}})
        self.assertEqual(self._table(), after, "a second update adds nothing")
        status = self._status()
        self.assertIn("rates last updated 2027-01-22 06:00:00 UTC (0 new), source " + rate_sources.ECB_URL, status)
        self.assertNotIn("failed", status)
        self.assertIn("Dutch statutory interest (consumers)", status)

    def test_derived_rows(self):
        """Missing Dutch and German rows are derived from the ECB rows, half-year after half-year."""
        self._rate("nl_commercial", date(2026, 7, 1)).unlink()
        self._rate("de_base", date(2026, 7, 1)).unlink()
        self._rate("de_base", date(2026, 1, 1)).unlink()
        with freeze_time("2026-07-03 06:00:00"), self._answers():
            results = self.Rate._update_from_sources()
        self.assertEqual(results["ecb"], {"created": 3, "differences": 0})
        self.assertEqual(self._rate("nl_commercial", date(2026, 7, 1)).rate, 10.40)
        # 1 January 2026: ECB unchanged at 2.15, the base rate stays 1.27; 1 July 2026: ECB +0.25, base rate 1.52
        # (the Bundesbank's published values, shipped in the table).
        self.assertEqual(self._rate("de_base", date(2026, 1, 1)).rate, 1.27)
        self.assertEqual(self._rate("de_base", date(2026, 7, 1)).rate, 1.52)
        self.assertFalse(self._rate("ecb", date(2027, 1, 1)), "a half-year that has not begun is not recorded")

    def test_malformed_answer_changes_nothing(self):
        before = self._table()
        for name, body in (("garbage", GARBAGE), ("html", HTML_ERROR_PAGE), ("empty", b""),
                           ("wrong csv", b"DATE,XUDLUSS\n02 Jan 2026,1.25\n")):
            with self.subTest(answer=name), freeze_time("2027-01-15 06:00:00"), self._answers(ecb=body, boe=body), \
                    self.assertLogs(LOGGER, "WARNING") as logs:
                results = self.Rate._update_from_sources()
            self.assertEqual(set(results), {"ecb", "boe"})
            self.assertTrue(all(result.get("error") for result in results.values()), results)
            self.assertEqual(len(logs.output), 2, logs.output)
            self.assertIn("not updated", logs.output[0])
            self.assertEqual(self._table(), before)
        self.assertIn("last attempt 2027-01-15 06:00:00 UTC failed: BoE: header", self._status())

    def test_network_error_changes_nothing_and_settings_say_so(self):
        with freeze_time("2027-01-08 06:00:00"), self._answers():
            self.Rate._update_from_sources()
        before = self._table()
        offline = requests.ConnectionError("Failed to establish a new connection: [Errno -3] name resolution")
        with freeze_time("2027-01-15 06:00:00"), self._answers(ecb=offline, boe=offline), \
                self.assertLogs(LOGGER, "WARNING") as logs:
            self.Rate._update_from_sources()
        self.assertIn("Failed to establish a new connection", logs.output[0])
        self.assertEqual(self._table(), before)
        status = self._status()
        self.assertIn("rates last updated 2027-01-08 06:00:00 UTC (3 new)", status)
        self.assertIn("last attempt 2027-01-15 06:00:00 UTC failed: Failed to establish a new connection", status)

        # One source down, the other up: the one that answers is still read.
        self._rate("uk_base", date(2026, 11, 5)).unlink()
        with freeze_time("2027-01-16 06:00:00"), self._answers(ecb=requests.Timeout("read timed out")), \
                self.assertLogs(LOGGER, "WARNING"):
            results = self.Rate._update_from_sources()
        self.assertEqual(results, {"ecb": {"error": "read timed out"}, "boe": {"created": 1, "differences": 0}})
        self.assertEqual(self._rate("uk_base", date(2026, 11, 5)).rate, 3.5)

    def test_differing_published_value_is_kept(self):
        """A published value that differs from a recorded row is logged; the row is not overwritten."""
        changed = ECB_BODY.replace(b",2026-06-17,2.4,", b",2026-06-17,2.5,")
        self.assertNotEqual(changed, ECB_BODY)
        manual = self._rate("ecb", date(2026, 7, 1))
        manual.note = "Entered by hand"
        with freeze_time("2027-01-15 06:00:00"), self._answers(ecb=changed), \
                self.assertLogs(LOGGER, "WARNING") as logs:
            results = self.Rate._update_from_sources()
        self.assertEqual(results["ecb"]["differences"], 1)
        self.assertIn("the published ecb rate of 2026-07-01 is 2.50, the recorded 2.40 is kept", logs.output[0])
        self.assertEqual((manual.rate, manual.note), (2.40, "Entered by hand"))
        # The derived rows follow the table, not the differing publication.
        self.assertEqual(self._rate("de_base", date(2027, 1, 1)).rate, 1.77)  # 1.52 + (2.65 - 2.40 recorded)
        self.assertIn("published values that differ from the table: 1", self._status())

    def test_update_now_rights(self):
        with freeze_time("2027-01-15 06:00:00"), self._answers():
            action = self.Rate.with_user(self.manager).action_update_rates()
            with self.assertRaises(AccessError):
                self.Rate.with_user(self.invoicing_user).action_update_rates()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("(3 new)", action["params"]["message"])
        self.assertTrue(self._rate("ecb", date(2027, 1, 1)))
        cron = self.env.ref("debtor_followup.ir_cron_debtor_reference_rate_update")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.code),
                         (1, "weeks", "model._cron_update_rates()"))
        # Managers still enter a rate by hand.
        self.Rate.with_user(self.manager).create({"rate_type": "nl_statutory", "date_from": date(2027, 1, 1),
                                                  "rate": 5.0, "note": "Besluit vaststelling wettelijke rente"})


@tagged("post_install", "-at_install")
class TestRateSources(TransactionCase):
    """The parsers of tools/rate_sources.py (pure Python)."""

    def test_ecb(self):
        observations = rate_sources.parse_ecb_csv(ECB_BODY)
        self.assertEqual(observations[0], (date(1999, 1, 1), Decimal("3.0")))
        self.assertIn((date(2000, 6, 28), None), observations, "no fixed rate during the variable rate tenders")
        rates = rate_sources.half_year_rates(observations, date(2001, 1, 1), date(2009, 1, 1))
        self.assertEqual(rates, {date(2009, 1, 1): Decimal("2.5")})
        self.assertEqual(rate_sources.half_year_rates(observations, date(2022, 7, 1), date(2023, 1, 1)),
                         {date(2022, 7, 1): Decimal("0.0"), date(2023, 1, 1): Decimal("2.5")})

    def test_boe(self):
        body = b"DATE,IUDBEDR\r\n17 Dec 2025,4\r\n18 Dec 2025,3.75\r\n19 Dec 2025,..\r\n22 Dec 2025,3.75\r\n"
        observations = rate_sources.parse_boe_csv(body)
        self.assertEqual(len(observations), 3, "a day without a value is left out")
        self.assertEqual(rate_sources.changes(observations), [(date(2025, 12, 18), Decimal("3.75"))])

    def test_refused(self):
        for body in (b"", b"   \n", HTML_ERROR_PAGE, GARBAGE, b"TIME_PERIOD,OBS_VALUE\n2026-01-01,abc\n",
                     b"TIME_PERIOD,OBS_VALUE\n2026-01-01,2150\n", b"TIME_PERIOD,OBS_VALUE\n",
                     b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'):
            for parse in (rate_sources.parse_ecb_csv, rate_sources.parse_boe_csv):
                with self.subTest(body=body, parse=parse.__name__), self.assertRaises(rate_sources.RateSourceError):
                    parse(body)


class _Response:
    """What ``requests.get(..., stream=True)`` returns, enough for the fetch."""

    def __init__(self, url, body, status=200):
        self.url, self.body, self.status = url, body, status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def raise_for_status(self):
        if self.status >= 400:
            raise requests.HTTPError(f"{self.status} Server Error for url: {self.url}")

    def iter_content(self, chunk_size=1):
        for start in range(0, len(self.body), chunk_size):
            yield self.body[start:start + chunk_size]


@tagged("post_install", "-at_install")
class TestRateFetch(TransactionCase):
    """The fetch itself, with ``requests.get`` answering as the hosts do (no network)."""

    def test_fetch(self):
        Rate = self.env["debtor.reference.rate"]
        error_page = "https://www.bankofengland.co.uk/boeapps/database/ErrorPage.asp?ErrorType=1"
        answers = {rate_sources.ECB_URL: _Response(rate_sources.ECB_URL, ECB_BODY),
                   rate_sources.BOE_URL: _Response(error_page, HTML_ERROR_PAGE)}
        calls = []

        def get(url, **kwargs):
            calls.append(kwargs)
            return answers[url]

        with patch.object(requests, "get", get), freeze_time("2027-01-15 06:00:00"), \
                self.assertLogs(LOGGER, "WARNING") as logs:
            results = Rate._update_from_sources()
        self.assertEqual(results["ecb"], {"created": 3, "differences": 0})
        self.assertIn("redirected to an error page", results["boe"]["error"])
        self.assertEqual(len(logs.output), 1)
        self.assertEqual([(call["timeout"], call["stream"]) for call in calls], [(10, True), (10, True)])

        answers[rate_sources.ECB_URL] = _Response(rate_sources.ECB_URL, b"x" * (rate_sources.MAX_BODY_BYTES + 1))
        answers[rate_sources.BOE_URL] = _Response(rate_sources.BOE_URL, b"", status=503)
        with patch.object(requests, "get", get), self.assertLogs(LOGGER, "WARNING"):
            results = Rate._update_from_sources()
        self.assertIn("answer larger than", results["ecb"]["error"])
        self.assertIn("503 Server Error", results["boe"]["error"])
