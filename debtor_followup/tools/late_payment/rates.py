"""Statutory rate tables (``RateTable``) and the periods of a rule set's rate between two dates.

Part of :mod:`..late_payment` (see its docstring for the rules applied).
"""

import csv
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from .rules import REFERENCE_FIXED_AT_START
from .rules import REFERENCE_HALF_YEAR
from .rules import REFERENCE_STEP
from .rules import _as_date
from .rules import _as_decimal
from .rules import _half_year_start
from .rules import _margin
from .rules import _uk_reference_date
from .rules import get_rule

# --------------------------------------------------------------------------- rates


@dataclass(frozen=True)
class RatePeriod:
    """A run of consecutive days with one annual rate.

    :param date_from: first day (inclusive)
    :param date_to: last day (inclusive)
    :param rate: annual rate in percent
    """

    date_from: date
    date_to: date
    rate: Decimal

    @property
    def days(self):
        """Number of days in the period, both ends included."""
        return (self.date_to - self.date_from).days + 1


class RateTable:
    """Dated rates: each rate applies from its date until the next one.

    >>> table = RateTable({"2024-01-01": "3.62", "2024-07-01": "3.37"}, name="de_base")
    >>> table.rate_on(date(2024, 8, 1))
    Decimal('3.37')
    """

    def __init__(self, rates, name="reference"):
        """Build the table.

        :param rates: a mapping ``{date: rate}`` or an iterable of ``(date, rate)`` pairs;
            dates may be ISO strings, rates anything :func:`_as_decimal` accepts
        :param name: the name used in error messages (e.g. the ``rate_type``)
        :raise ValueError: for an empty table, a bad value or one date with two rates
        """
        self.name = name
        pairs = rates.items() if hasattr(rates, "items") else rates
        entries = {}
        for day, rate in pairs:
            day = _as_date(day, f"The date of a {name} rate")
            rate = _as_decimal(rate, f"The {name} rate on {day}")
            if day in entries and entries[day] != rate:
                raise ValueError(f"The {name} table has two rates on {day}: {entries[day]} and {rate}.")
            entries[day] = rate
        if not entries:
            raise ValueError(f"The {name} table is empty: give at least one dated rate.")
        self._dates = sorted(entries)
        self._rates = [entries[day] for day in self._dates]

    @classmethod
    def from_records(cls, records, name="reference", date_field="date_from", rate_field="rate"):
        """Build a table from records (e.g. ``debtor.reference.rate`` rows) or dicts.

        :param records: iterable of objects or mappings with a date and a rate
        :param name: the name used in error messages
        :param date_field: attribute or key holding the first day of the rate
        :param rate_field: attribute or key holding the rate in percent
        """
        def read(record, key):
            return record[key] if isinstance(record, dict) else getattr(record, key)

        return cls([(read(record, date_field), read(record, rate_field)) for record in records], name=name)

    def __repr__(self):
        return f"RateTable({self.name!r}, {len(self._dates)} rates from {self._dates[0]})"

    @property
    def entries(self):
        """The ``(date, rate)`` pairs, oldest first."""
        return list(zip(self._dates, self._rates))

    @property
    def first_date(self):
        """The first day for which the table knows a rate."""
        return self._dates[0]

    def rate_on(self, day):
        """Return the rate in force on ``day``.

        :param day: the day (date or ISO string)
        :raise ValueError: when the table starts after ``day``
        """
        day = _as_date(day, "day")
        index = bisect_right(self._dates, day) - 1
        if index < 0:
            raise ValueError(f"No {self.name} rate known on {day}: the table starts on {self._dates[0]}.")
        return self._rates[index]

    def periods(self, start, end):
        """Split ``[start, end]`` (both included) at every change of rate.

        Consecutive table rows with the same rate give one period.

        :param start: first day
        :param end: last day
        :return: list of :class:`RatePeriod`
        :raise ValueError: when ``end`` is before ``start`` or no rate is known on ``start``
        """
        start, end = _as_date(start, "start"), _as_date(end, "end")
        if end < start:
            raise ValueError(f"The end date {end} is before the start date {start}.")
        current_from, current_rate = start, self.rate_on(start)
        result = []
        for day, rate in zip(self._dates, self._rates):
            if day <= start or day > end or rate == current_rate:
                continue
            result.append(RatePeriod(current_from, day - timedelta(days=1), current_rate))
            current_from, current_rate = day, rate
        result.append(RatePeriod(current_from, end, current_rate))
        return result


def read_rate_csv(path):
    """Read an Odoo data file of ``debtor.reference.rate`` into one table per rate type.

    :param path: path of a CSV file with the columns ``id,rate_type,date_from,rate``
    :return: ``{rate_type: RateTable}``
    """
    grouped = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            grouped.setdefault(row["rate_type"], []).append((row["date_from"], row["rate"]))
    return {rate_type: RateTable(pairs, name=rate_type) for rate_type, pairs in grouped.items()}


def _merge(periods):
    """Join adjacent periods with the same rate.

    :param periods: consecutive :class:`RatePeriod` objects
    """
    merged = []
    for period in periods:
        if merged and merged[-1].rate == period.rate:
            merged[-1] = RatePeriod(merged[-1].date_from, period.date_to, period.rate)
        else:
            merged.append(period)
    return merged


def statutory_periods(rule, rates, start, end, consumer=False):
    """Return the full statutory annual rate (reference + margin) over ``[start, end]``.

    :param rule: rule set code or :class:`RuleSet`
    :param rates: :class:`RateTable` of the rule set's ``rate_type``
    :param start: the first day of interest (for ``uk`` it fixes the rate of the whole debt)
    :param end: the last day of interest
    :param consumer: whether the debtor is a consumer
    :return: list of :class:`RatePeriod` with the statutory rate, split where it changes
    :raise ValueError: for an unknown rule set, a consumer under a B2B-only regime,
        ``end`` before ``start`` or a missing rate
    """
    rule = get_rule(rule)
    margin = _margin(rule, consumer)
    start, end = _as_date(start, "start"), _as_date(end, "end")
    if end < start:
        raise ValueError(f"The end date {end} is before the start date {start}.")
    if rule.reference == REFERENCE_STEP:
        return [RatePeriod(p.date_from, p.date_to, p.rate + margin) for p in rates.periods(start, end)]
    if rule.reference == REFERENCE_FIXED_AT_START:
        return [RatePeriod(start, end, rates.rate_on(_uk_reference_date(start)) + margin)]
    if rule.reference == REFERENCE_HALF_YEAR:
        periods, half = [], _half_year_start(start)
        while half <= end:
            following = date(half.year, 7, 1) if half.month == 1 else date(half.year + 1, 1, 1)
            periods.append(RatePeriod(
                max(half, start), min(following - timedelta(days=1), end), rates.rate_on(half) + margin))
            half = following
        return _merge(periods)
    raise ValueError(f"Unknown reference mode {rule.reference!r} in rule set {rule.code!r}.")
