import json
import logging
from datetime import date
from decimal import Decimal

import requests

from odoo import api
from odoo import fields
from odoo import models

from ..tools import late_payment
from ..tools import rate_sources

_logger = logging.getLogger(__name__)

RATE_TYPES = [
    ("ecb", "ECB main refinancing rate"),
    ("nl_commercial", "Dutch statutory commercial interest"),
    ("nl_statutory", "Dutch statutory interest (consumers)"),
    ("de_base", "German base rate (Basiszinssatz)"),
    ("uk_base", "Bank of England Bank Rate"),
]
# Rate types published for each half-year (1 January, 1 July): a table without the current half-year is stale.
HALF_YEARLY_TYPES = {"ecb", "nl_commercial", "nl_statutory", "de_base"}
# The update from the publications: seconds to wait for an answer, the first half-year it fills in (the shipped
# tables start there) and the system parameters that keep the outcome of the last attempt per source.
RATE_FETCH_TIMEOUT = 10
UPDATE_FROM = date(2019, 1, 1)
UPDATE_STATUS_PARAM = "debtor_followup.rate_update"


class DebtorReferenceRate(models.Model):
    """A dated reference or base rate: the tables statutory late-payment interest is computed from.

    Shipped with the known historical values (see the README for the sources); managers add new ones as they are
    published. A rate applies from its date until the next one of the same type.
    """

    _name = "debtor.reference.rate"
    _description = "Reference Interest Rate"
    _order = "rate_type, date_from desc"

    rate_type = fields.Selection(selection=RATE_TYPES, required=True, index=True)
    date_from = fields.Date(string="Valid From", required=True)
    rate = fields.Float(string="Rate (%)", digits=(6, 4), required=True)
    note = fields.Char()

    _type_date_unique = models.Constraint(
        "UNIQUE(rate_type, date_from)", "A rate type has one rate per date.")

    @api.model
    def _rate_table(self, rate_type):
        """The rates of ``rate_type`` as the engine's ``RateTable`` (empty tables are allowed)."""
        rows = self.search_fetch([("rate_type", "=", rate_type)], ["date_from", "rate"], order="date_from")
        return late_payment.RateTable.from_records(
            [{"date_from": row.date_from, "rate": row.rate} for row in rows], name=rate_type)

    @api.model
    def _rate_table_checked(self, rate_type, on_date):
        """The rates of ``rate_type`` for a figure on ``on_date``, and what is wrong with them.

        :return: ``(RateTable or None, warning or "")``: no table when no rate of the type is recorded; a warning
            when the rate of the half-year of ``on_date`` is not recorded yet (the last known one is then used)
        """
        label = dict(RATE_TYPES)[rate_type]
        try:
            table = self._rate_table(rate_type)
        except ValueError:
            return None, self.env._(
                "No %(rates)s is recorded: no interest is computed. Add the rates under Reference Rates.",
                rates=label)
        if rate_type in HALF_YEARLY_TYPES:
            half_year = on_date.replace(month=1 if on_date.month <= 6 else 7, day=1)
            last = table.entries[-1][0]
            if last < half_year:
                return table, self.env._(
                    "The %(rates)s of the half-year from %(half_year)s is not recorded: the rate of %(last)s is "
                    "used.", rates=label, half_year=half_year, last=last)
        return table, ""

    # ------------------------------------------------------------------
    # Updates from the official publications
    # ------------------------------------------------------------------

    @api.model
    def action_update_rates(self):
        """Update Now: read the publications at once and say what came of it."""
        self.check_access("create")
        results = self._update_from_sources()
        failed = any(result.get("error") for result in results.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Reference rates"),
                "message": self._update_status_text(),
                "type": "warning" if failed else "success",
                "sticky": failed,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_update_rates(self):
        """Called from the weekly cron: record the rates published since the last update."""
        self._update_from_sources()

    @api.model
    def _fetch_rate_source(self, url):
        """The body of the answer of ``url`` (a short timeout: the cron must not hang on a dead host).

        :raise requests.RequestException: when the host cannot be reached or answers with an error
        :raise RateSourceError: when the answer is an error page behind a redirect, or too large
        """
        headers = {"User-Agent": "Odoo debtor_followup reference rate update", "Accept": "text/csv, */*;q=0.1"}
        with requests.get(url, timeout=RATE_FETCH_TIMEOUT, headers=headers, stream=True) as response:
            response.raise_for_status()
            # The Bank of England answers a bad query with a redirect to an HTML error page (status 200).
            if "errorpage" in response.url.lower():
                raise rate_sources.RateSourceError(f"redirected to an error page ({response.url})")
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > rate_sources.MAX_BODY_BYTES:
                    raise rate_sources.RateSourceError(f"answer larger than {rate_sources.MAX_BODY_BYTES} bytes")
                chunks.append(chunk)
        return b"".join(chunks)

    @api.model
    def _update_from_sources(self):
        """Read each publication, record the rates it adds to the tables and keep the status of the attempt.

        Never raises for an unreachable host or an unreadable answer: the tables are left as they are, a warning
        is logged and the failure is kept for the settings page. Existing rows are never changed.

        :return: ``{source: {"created": int, "differences": int} or {"error": str}}``
        """
        results = {}
        for source, (url, update) in self._rate_sources().items():
            now = fields.Datetime.now()
            try:
                body = self._fetch_rate_source(url)
                with self.env.cr.savepoint():
                    created, differences = update(body, url, now.date())
            except (requests.RequestException, rate_sources.RateSourceError) as exc:
                error = " ".join(str(exc).split())[:300] or exc.__class__.__name__
                _logger.warning("Reference rates: %s (%s) not updated: %s", source, url, error)
                results[source] = {"error": error}
                self._set_update_status(source, attempt=now, error=error)
            else:
                _logger.info("Reference rates: %s (%s): %d new rates, %d differing values kept",
                             source, url, len(created), differences)
                results[source] = {"created": len(created), "differences": differences}
                self._set_update_status(source, attempt=now, success=now, created=len(created),
                                        differences=differences)
        return results

    @api.model
    def _rate_sources(self):
        """The publications read by the update: ``{source: (url, method(body, url, fetch_date))}``."""
        return {
            "ecb": (rate_sources.ECB_URL, self._update_from_ecb),
            "boe": (rate_sources.BOE_URL, self._update_from_boe),
        }

    @api.model
    def _update_from_ecb(self, body, url, fetch_date):
        """The missing ``ecb`` half-years from the ECB's answer, then ``nl_commercial`` and ``de_base`` from them.

        :return: ``(created records, number of differing values kept)``
        """
        observations = rate_sources.parse_ecb_csv(body)
        source = self.env._("%(url)s (fetched %(date)s)", url=url, date=fetch_date)
        tables = self._rate_tables(["ecb", "nl_commercial", "de_base"])
        vals_list, differences = [], 0
        published = rate_sources.half_year_rates(observations, UPDATE_FROM, fetch_date)
        for start, rate in published.items():
            differences += self._queue_rate(vals_list, tables, "ecb", start, rate, source)
        ecb = tables["ecb"]
        for start in rate_sources.half_year_starts(UPDATE_FROM, fetch_date):
            if start not in ecb:
                continue
            differences += self._queue_rate(
                vals_list, tables, "nl_commercial", start, rate_sources.nl_commercial_rate(ecb[start]),
                self.env._("Art. 6:120 lid 2 BW: ECB rate %(ecb)s + 8 points; %(origin)s",
                           ecb=ecb[start], origin=source))
            previous = rate_sources.previous_half_year(start)
            if previous in ecb and previous in tables["de_base"]:
                differences += self._queue_rate(
                    vals_list, tables, "de_base", start,
                    rate_sources.de_base_rate(tables["de_base"][previous], ecb[previous], ecb[start]),
                    self.env._("§ 247 BGB: %(base)s + (%(ecb)s - %(previous_ecb)s), the change of the ECB rate; "
                               "%(origin)s", base=tables["de_base"][previous], ecb=ecb[start],
                               previous_ecb=ecb[previous], origin=source))
        return self.create(vals_list), differences

    @api.model
    def _update_from_boe(self, body, url, fetch_date):
        """A ``uk_base`` row for each change of the Bank Rate in the Bank of England's answer that is missing.

        :return: ``(created records, number of differing values kept)``
        """
        observations = [(day, rate) for day, rate in rate_sources.parse_boe_csv(body) if day <= fetch_date]
        source = self.env._("%(url)s (fetched %(date)s)", url=url, date=fetch_date)
        tables = self._rate_tables(["uk_base"])
        vals_list, differences = [], 0
        for day, rate in rate_sources.changes(observations):
            differences += self._queue_rate(vals_list, tables, "uk_base", day, rate, source)
        return self.create(vals_list), differences

    @api.model
    def _rate_tables(self, rate_types):
        """``{rate_type: {date_from: Decimal}}`` of the recorded rates, in one query."""
        tables = {rate_type: {} for rate_type in rate_types}
        for row in self.search_fetch([("rate_type", "in", rate_types)], ["rate_type", "date_from", "rate"]):
            tables[row.rate_type][row.date_from] = _decimal(row.rate)
        return tables

    @api.model
    def _queue_rate(self, vals_list, tables, rate_type, date_from, rate, note):
        """Add the values of a missing rate to ``vals_list`` (and to ``tables``); keep a recorded one.

        :return: 1 when a recorded rate differs from the published ``rate`` (logged, not changed), else 0
        """
        rate = _decimal(rate)
        recorded = tables[rate_type].get(date_from)
        if recorded is None:
            tables[rate_type][date_from] = rate
            vals_list.append({"rate_type": rate_type, "date_from": date_from, "rate": float(rate), "note": note})
            return 0
        if recorded != rate:
            _logger.warning("Reference rates: the published %s rate of %s is %s, the recorded %s is kept",
                            rate_type, date_from, rate, recorded)
            return 1
        return 0

    @api.model
    def _set_update_status(self, source, attempt, success=None, error="", created=0, differences=0):
        """Keep the outcome of an attempt to read ``source`` (company-independent, for the settings page)."""
        params = self.env["ir.config_parameter"].sudo()
        status = self._get_update_status(source)
        status.update(attempt=fields.Datetime.to_string(attempt), error=error)
        if success:
            status.update(success=fields.Datetime.to_string(success), created=created, differences=differences)
        params.set_param(f"{UPDATE_STATUS_PARAM}.{source}", json.dumps(status))

    @api.model
    def _get_update_status(self, source):
        value = self.env["ir.config_parameter"].sudo().get_param(f"{UPDATE_STATUS_PARAM}.{source}")
        try:
            status = json.loads(value) if value else {}
        except ValueError:
            status = {}
        return status if isinstance(status, dict) else {}

    @api.model
    def _update_status_text(self):
        """What the settings page says about the updates: per source, the last success and the last failure."""
        labels = {
            "ecb": self.env._("ECB main refinancing rate (ECB, Dutch commercial and German base rates)"),
            "boe": self.env._("Bank of England Bank Rate"),
        }
        lines = []
        for source, (url, _update) in self._rate_sources().items():
            status = self._get_update_status(source)
            if status.get("success"):
                line = self.env._(
                    "%(label)s: rates last updated %(date)s UTC (%(created)s new), source %(url)s",
                    label=labels[source], date=status["success"], created=status.get("created", 0), url=url)
                if status.get("differences"):
                    line += self.env._("; published values that differ from the table: %(count)s (the table is "
                                       "kept, see the server log)", count=status["differences"])
            else:
                line = self.env._("%(label)s: never updated, source %(url)s", label=labels[source], url=url)
            if status.get("error"):
                line += self.env._("; last attempt %(date)s UTC failed: %(error)s",
                                   date=status.get("attempt"), error=status["error"])
            lines.append(line)
        lines.append(self.env._("Dutch statutory interest (consumers): set by decree, no machine-readable source: "
                                "enter it by hand under Reference Rates."))
        return "\n".join(lines)


def _decimal(value):
    """A rate as a Decimal of at most 4 decimals (the precision of the field), shown with at least 2."""
    rate = Decimal(str(round(float(value), 4)))
    return rate.quantize(Decimal("0.01")) if rate == rate.quantize(Decimal("0.01")) else rate
