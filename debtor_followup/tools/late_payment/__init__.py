"""Statutory late-payment interest and collection costs.

A small calculation engine in plain Python (standard library only, no ORM) for the
statutory consequences of paying a commercial debt late, under four rule sets:

``eu``
    Directive 2011/7/EU: simple interest at the reference rate (the ECB main
    refinancing operations rate in force on 1 January / 1 July of the half-year in
    which the interest accrues) plus 8 points; a fixed compensation of EUR 40.
``nl``
    Netherlands, art. 6:119a BW (wettelijke handelsrente): the published half-yearly
    rate, which already includes the 8 points (art. 6:120 lid 2 BW); yearly
    compounding (art. 6:119 lid 2 / 6:119a lid 3 BW); extrajudicial collection costs
    according to the WIK scale (Besluit vergoeding voor buitengerechtelijke
    incassokosten), for consumers only after the 14-day letter (art. 6:96 lid 6 BW).
``uk``
    Late Payment of Commercial Debts (Interest) Act 1998: simple interest at Bank of
    England Bank Rate plus 8 points; fixed sums of GBP 40 / 70 / 100 (section 5A).
``de``
    Germany, § 288 BGB: base rate (Basiszinssatz, § 247 BGB) plus 9 points between
    businesses, plus 5 points when a consumer is involved; EUR 40 flat fee
    (§ 288 Abs. 5 BGB, not against consumers).

Rules applied by this module (documented choices):

* **Interest period.** Interest runs from the day after the due date up to and
  including the evaluation date (``until``); a payment made on a day still bears
  interest for that day and reduces the interest-bearing amount from the next day
  (art. 6:119a lid 1 BW: "tot en met de dag waarop de schuldenaar de geldsom heeft
  voldaan").
* **Day count: actual/365 for every rule set**, also in leap years. None of the four
  texts prescribes a day count; actual/365 is what the UK guidance and most German
  and Dutch practice use. A full leap year therefore yields 366/365 of the annual rate.
* **Rate changes.** The interval is split at every change of the applicable
  statutory rate and each period is rounded to cents (ROUND_HALF_UP) on its own; the
  total is the sum of the rounded periods.

  - ``eu``: the rate of each half-year is the ECB rate in force on its first day
    (1 January / 1 July), so a table of ECB change dates and a table of half-yearly
    values give the same result.
  - ``nl`` and ``de``: the published table is used as a step function (both only
    change on 1 January / 1 July); rate changes apply to interest already running.
  - ``uk``: the Late Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002
    (SI 2002/1675, art. 4) fixes the rate **once, when the interest starts to run**:
    Bank Rate in force on the 31 December (interest starting 1 January - 30 June) or
    30 June (interest starting 1 July - 31 December) immediately before that day.
    The rate then applies for the whole life of the debt, so UK results have a single
    period line.
* **Dutch compounding.** At the end of each year counted from the first day of
  interest (the anniversary of that day; a start on 29 February has its anniversary
  on 1 March) the interest of that year still unpaid is added to the amount on which
  interest is calculated. It stays *interest* for the allocation of payments; a
  payment allocated to interest pays the oldest (capitalised) interest first.
* **Payments** are allocated costs -> interest -> principal for ``de`` (§ 367 BGB)
  and ``nl`` (art. 6:44 BW), principal -> interest -> costs for ``eu`` and ``uk``;
  either order can be forced with ``order``.

Rates are percentages per year as :class:`~decimal.Decimal` (``Decimal("4.50")`` means
4.50 %). Money is :class:`~decimal.Decimal`; amounts given as ``int``, ``str`` or
``float`` are converted (floats through ``str`` to avoid binary artefacts).
"""

import csv
from bisect import bisect_right
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
#: Day-count denominator, for every rule set (actual/365, see the module docstring).
DAYS_IN_YEAR = Decimal(365)

COSTS = "costs"
INTEREST = "interest"
PRINCIPAL = "principal"
#: § 367 BGB / art. 6:44 BW: costs, then interest, then principal.
ORDER_COSTS_FIRST = (COSTS, INTEREST, PRINCIPAL)
#: Principal first, then interest, then costs.
ORDER_PRINCIPAL_FIRST = (PRINCIPAL, INTEREST, COSTS)

#: The table is a step function: the rate in force on each day applies to that day.
REFERENCE_STEP = "step"
#: The rate in force on 1 January / 1 July applies to the whole half-year.
REFERENCE_HALF_YEAR = "half_year"
#: The rate in force on the 31 December / 30 June before interest starts applies throughout.
REFERENCE_FIXED_AT_START = "fixed_at_start"

#: Dutch WIK scale: (width of the bracket, percentage); ``None`` is the open top bracket.
WIK_BRACKETS = (
    (Decimal(2500), Decimal(15)),
    (Decimal(2500), Decimal(10)),
    (Decimal(5000), Decimal(5)),
    (Decimal(190000), Decimal(1)),
    (None, Decimal("0.5")),
)
WIK_MINIMUM = Decimal(40)
WIK_MAXIMUM = Decimal(6775)
#: Days the Dutch 14-day letter gives the consumer, counted from the day after receipt.
WIK_LETTER_DAYS = 14

EU_COMPENSATION = Decimal(40)
DE_FLAT_FEE = Decimal(40)
#: UK fixed sums (s. 5A of the 1998 Act): (debt lower than, sum); the last one is open-ended.
UK_FIXED_SUMS = ((Decimal(1000), Decimal(40)), (Decimal(10000), Decimal(70)), (None, Decimal(100)))


@dataclass(frozen=True)
class RuleSet:
    """The parameters of one statutory regime.

    :param code: short code (``eu``, ``nl``, ``uk``, ``de``)
    :param name: human readable name with its legal basis
    :param currency: ISO code of the currency of the fixed amounts
    :param rate_type: ``rate_type`` of the ``debtor.reference.rate`` rows to pass as ``rates``
    :param margin: points added to the table's rate between businesses
    :param consumer_margin: points added when the debtor is a consumer, ``None`` when the
        regime does not apply to consumers
    :param reference: how the table is read, one of :data:`REFERENCE_STEP`,
        :data:`REFERENCE_HALF_YEAR` and :data:`REFERENCE_FIXED_AT_START`
    :param compounding: add each year's unpaid interest to the interest-bearing amount
    :param allocation: default order in which payments settle costs, interest, principal
    """

    code: str
    name: str
    currency: str
    rate_type: str
    margin: Decimal
    consumer_margin: Decimal | None
    reference: str
    compounding: bool
    allocation: tuple[str, str, str]


RULES = {
    "eu": RuleSet(
        code="eu", name="EU Directive 2011/7/EU", currency="EUR", rate_type="ecb",
        margin=Decimal(8), consumer_margin=None, reference=REFERENCE_HALF_YEAR,
        compounding=False, allocation=ORDER_PRINCIPAL_FIRST,
    ),
    # The published Dutch commercial rate already includes the 8 points. For consumers
    # the caller passes the table of the (non-commercial) statutory rate of art. 6:119 BW.
    "nl": RuleSet(
        code="nl", name="Netherlands, art. 6:119a BW and WIK", currency="EUR", rate_type="nl_commercial",
        margin=Decimal(0), consumer_margin=Decimal(0), reference=REFERENCE_STEP,
        compounding=True, allocation=ORDER_COSTS_FIRST,
    ),
    "uk": RuleSet(
        code="uk", name="UK Late Payment of Commercial Debts (Interest) Act 1998", currency="GBP",
        rate_type="uk_base", margin=Decimal(8), consumer_margin=None, reference=REFERENCE_FIXED_AT_START,
        compounding=False, allocation=ORDER_PRINCIPAL_FIRST,
    ),
    "de": RuleSet(
        code="de", name="Germany, §§ 247, 288 BGB", currency="EUR", rate_type="de_base",
        margin=Decimal(9), consumer_margin=Decimal(5), reference=REFERENCE_STEP,
        compounding=False, allocation=ORDER_COSTS_FIRST,
    ),
}


# --------------------------------------------------------------------------- helpers


def _cents(amount):
    """Round a :class:`~decimal.Decimal` to cents, half up.

    :param amount: the amount to round
    :return: the amount with two decimals
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def as_money(value):
    """An amount from the ledger (a float) as a :class:`~decimal.Decimal` in cents, its sign kept.

    :param value: the amount (int, float, str or Decimal)
    """
    return _cents(_as_decimal(value, "The amount"))


def _as_date(value, what):
    """Convert ``value`` to a :class:`~datetime.date`.

    :param value: a date, a datetime (its date is used) or an ISO ``YYYY-MM-DD`` string
    :param what: the name of the value, for error messages
    :raise ValueError: when the value is missing or is not a date
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{what} must be an ISO date (YYYY-MM-DD), got {value!r}.")
    if value is None or value is False:
        raise ValueError(f"{what} is required.")
    raise ValueError(f"{what} must be a date, got {value!r}.")


def _as_decimal(value, what):
    """Convert ``value`` to a :class:`~decimal.Decimal`.

    :param value: a Decimal, int, float (converted through ``str``) or numeric string
    :param what: the name of the value, for error messages
    :raise ValueError: when the value is missing or not a finite number
    """
    if value is None or isinstance(value, bool):
        raise ValueError(f"{what} must be a number, got {value!r}.")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip()) if isinstance(value, (float, str)) else Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueError(f"{what} must be a number, got {value!r}.")
    if not result.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value!r}.")
    return result


def _as_amount(value, what):
    """Convert ``value`` to a non-negative :class:`~decimal.Decimal` amount in cents.

    :param value: the amount (see :func:`_as_decimal`)
    :param what: the name of the value, for error messages
    :return: the amount rounded to cents (half up)
    :raise ValueError: when the amount is negative or not a number
    """
    amount = _as_decimal(value, what)
    if amount < 0:
        raise ValueError(f"{what} must not be negative, got {amount}.")
    return _cents(amount)


def _add_years(day, years):
    """Return the same calendar day ``years`` later; 29 February becomes 1 March.

    :param day: the starting day
    :param years: the number of years to add
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the year ends on 28 February
        return date(day.year + years, 3, 1)


def _half_year_start(day):
    """Return 1 January or 1 July of the half-year containing ``day``.

    :param day: any day
    """
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _uk_reference_date(first_day):
    """Return the day whose Bank Rate fixes the UK statutory rate (SI 2002/1675, art. 4).

    :param first_day: the first day on which statutory interest runs
    :return: 31 December of the previous year for a start from 1 January to 30 June,
        30 June of the same year for a start from 1 July to 31 December
    """
    if first_day.month <= 6:
        return date(first_day.year - 1, 12, 31)
    return date(first_day.year, 6, 30)


def get_rule(rule):
    """Return the :class:`RuleSet` for a code (or the rule set itself).

    :param rule: ``"eu"``, ``"nl"``, ``"uk"``, ``"de"`` (case-insensitive) or a :class:`RuleSet`
    :raise ValueError: for an unknown code
    """
    if isinstance(rule, RuleSet):
        return rule
    code = rule.strip().lower() if isinstance(rule, str) else rule
    if code not in RULES:
        raise ValueError(f"Unknown rule set {rule!r}: expected one of {', '.join(sorted(RULES))}.")
    return RULES[code]


def _margin(rule, consumer):
    """Return the points added to the reference rate for this debtor.

    :param rule: the :class:`RuleSet`
    :param consumer: whether the debtor is a consumer
    :raise ValueError: when the regime does not cover consumers
    """
    if not consumer:
        return rule.margin
    if rule.consumer_margin is None:
        raise ValueError(f"{rule.name} only covers transactions between businesses, not a consumer debtor.")
    return rule.consumer_margin


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


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class InterestLine:
    """Interest of one period with a constant rate and a constant base.

    :param date_from: first day (inclusive)
    :param date_to: last day (inclusive)
    :param days: number of days, both ends included
    :param rate: annual rate in percent
    :param base: amount bearing interest (principal plus capitalised interest)
    :param amount: ``base * rate / 100 * days / 365`` rounded to cents
    """

    date_from: date
    date_to: date
    days: int
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class InterestResult:
    """Result of :func:`compute_interest`.

    :param rule: code of the rule set
    :param principal: the principal
    :param due_date: the last day for payment
    :param until: the last day of interest
    :param lines: the :class:`InterestLine` per period
    :param total: sum of the line amounts
    """

    rule: str
    principal: Decimal
    due_date: date
    until: date
    lines: list[InterestLine]
    total: Decimal

    @property
    def days(self):
        """Number of days of interest."""
        return sum(line.days for line in self.lines)


@dataclass(frozen=True)
class CollectionCosts:
    """A fixed compensation or collection-cost amount.

    :param amount: the amount before VAT
    :param vat: VAT added on top (Dutch WIK costs when the creditor cannot deduct VAT)
    :param total: ``amount + vat``
    :param currency: ISO code of the currency
    :param due: ``False`` when the costs are not (yet) due, e.g. the 14-day letter period
        has not passed; the amounts are then zero
    """

    amount: Decimal
    vat: Decimal
    total: Decimal
    currency: str
    due: bool = True


@dataclass(frozen=True)
class Allocation:
    """How one payment was applied.

    :param date: payment date (``None`` for :func:`allocate`)
    :param amount: the amount paid
    :param costs: part applied to costs
    :param interest: part applied to interest
    :param principal: part applied to the principal
    :param unallocated: surplus left after everything was paid
    """

    date: date | None
    amount: Decimal
    costs: Decimal
    interest: Decimal
    principal: Decimal
    unallocated: Decimal


@dataclass(frozen=True)
class AllocationResult:
    """Result of :func:`allocate_payments`: what is left on the evaluation date.

    :param allocations: one :class:`Allocation` per payment, in date order
    :param interest_lines: the :class:`InterestLine` of every period, payments included
    :param interest_accrued: all interest accrued up to ``until``
    :param principal: principal still owed
    :param interest: interest still owed (capitalised interest included)
    :param costs: costs still owed
    :param unallocated: total surplus of the payments
    :param capitalised_interest: part of ``interest`` that bears interest (Dutch compounding)
    """

    allocations: list[Allocation]
    interest_lines: list[InterestLine]
    interest_accrued: Decimal
    principal: Decimal
    interest: Decimal
    costs: Decimal
    unallocated: Decimal
    capitalised_interest: Decimal = ZERO

    @property
    def total_due(self):
        """Principal, interest and costs still owed."""
        return self.principal + self.interest + self.costs


# --------------------------------------------------------------------------- payments


@dataclass(frozen=True)
class Payment:
    """A dated payment.

    :param date: the day the money was received
    :param amount: the amount (not negative)
    """

    date: date
    amount: Decimal


def _check_order(order):
    """Validate an allocation order.

    :param order: a permutation of ``("costs", "interest", "principal")``
    :raise ValueError: for anything else
    """
    order = tuple(order)
    if sorted(order) != sorted(ORDER_COSTS_FIRST):
        raise ValueError(f"Unknown allocation order {order!r}: use a permutation of {ORDER_COSTS_FIRST}.")
    return order


@dataclass
class _Balance:
    """Mutable state of a debt during the computation."""

    principal: Decimal
    costs: Decimal
    capitalised: Decimal = ZERO  # unpaid interest of past years, bearing interest
    interest: Decimal = ZERO  # unpaid interest of the current year
    costs_added: bool = False  # the costs are owed from their first day on
    accrued: Decimal = ZERO
    lines: list = field(default_factory=list)

    def pay(self, day, amount, order):
        """Apply one payment in ``order`` and return its :class:`Allocation`."""
        rest = amount
        paid = {COSTS: ZERO, INTEREST: ZERO, PRINCIPAL: ZERO}
        for bucket in order:
            if bucket == COSTS:
                part = min(rest, self.costs)
                self.costs -= part
            elif bucket == PRINCIPAL:
                part = min(rest, self.principal)
                self.principal -= part
            else:
                part = min(rest, self.capitalised + self.interest)
                from_capitalised = min(part, self.capitalised)  # oldest interest first
                self.capitalised -= from_capitalised
                self.interest -= part - from_capitalised
            paid[bucket] = part
            rest -= part
        return Allocation(day, amount, paid[COSTS], paid[INTEREST], paid[PRINCIPAL], rest)


def allocate(amount, principal, interest=0, costs=0, order=ORDER_COSTS_FIRST):
    """Apply one payment to given balances, without dates or interest computation.

    :param amount: the payment (not negative)
    :param principal: principal owed
    :param interest: interest owed
    :param costs: costs owed
    :param order: :data:`ORDER_COSTS_FIRST` (§ 367 BGB, art. 6:44 BW),
        :data:`ORDER_PRINCIPAL_FIRST` or another permutation
    :return: an :class:`Allocation` (its ``date`` is ``None``)
    :raise ValueError: for a negative amount or balance or an unknown order
    """
    balance = _Balance(principal=_as_amount(principal, "The principal"), costs=_as_amount(costs, "The costs"))
    balance.interest = _as_amount(interest, "The interest")
    return balance.pay(None, _as_amount(amount, "The payment"), _check_order(order))


def allocate_payments(rule, principal, due_date, until, rates, payments=(), costs=0, consumer=False, order=None,
                      costs_from=None):
    """Compute interest on a debt with dated partial payments and allocate each payment.

    Interest accrues on the outstanding principal (plus, for ``nl``, the capitalised
    interest of past years) from the day after ``due_date`` to ``until``; each payment
    is applied at the end of its day in ``order`` to the costs, the interest accrued so
    far and the principal. A payment on or before the due date only reduces the
    balances (no interest has run yet).

    :param rule: rule set code (``eu``, ``nl``, ``uk``, ``de``) or a :class:`RuleSet`
    :param principal: the principal of the debt (not negative)
    :param due_date: last day for payment; interest runs from the next day
    :param until: evaluation date, the last day of interest (not before ``due_date``)
    :param rates: :class:`RateTable` of the rule set's ``rate_type``
    :param payments: iterable of :class:`Payment` or ``(date, amount)`` pairs
    :param costs: costs owed (e.g. the fixed compensation or the WIK costs), not interest-bearing
    :param consumer: whether the debtor is a consumer
    :param order: allocation order; ``None`` uses the rule set's default
        (:data:`ORDER_COSTS_FIRST` for ``de``/``nl``, :data:`ORDER_PRINCIPAL_FIRST` otherwise)
    :param costs_from: the first day on which ``costs`` are owed; payments of earlier days are not applied to
        them, and when it is after ``until`` they are not owed at all (``costs`` of the result is then zero).
        ``None``: from the start (the first day of interest), as for the fixed compensation of a business debt
        (the Dutch consumer's costs are owed only once the 14-day letter's period has passed)
    :return: an :class:`AllocationResult`
    :raise ValueError: for a negative principal, costs or payment, ``until`` before
        ``due_date``, a payment after ``until``, an unknown rule set or order, a consumer
        under a B2B-only regime, or a date for which no rate is known
    """
    rule = get_rule(rule)
    order = rule.allocation if order is None else _check_order(order)
    owed_costs = _as_amount(costs, "The costs")
    balance = _Balance(principal=_as_amount(principal, "The principal"), costs=ZERO)
    due_date, until = _as_date(due_date, "The due date"), _as_date(until, "The evaluation date")
    if until < due_date:
        raise ValueError(f"The evaluation date {until} is before the due date {due_date}.")
    costs_from = due_date + timedelta(days=1) if costs_from is None else _as_date(costs_from, "The costs date")

    def pay(payment):
        if owed_costs and payment.date >= costs_from and not balance.costs_added:
            balance.costs, balance.costs_added = owed_costs, True
        allocations.append(balance.pay(payment.date, payment.amount, order))
    if not isinstance(rates, RateTable):
        raise ValueError(f"rates must be a RateTable, got {type(rates).__name__}.")
    _margin(rule, consumer)  # refuses a consumer under a B2B-only regime even without interest days

    dated = []
    for payment in payments:
        pay_date, amount = (payment.date, payment.amount) if isinstance(payment, Payment) else payment
        pay_date = _as_date(pay_date, "The payment date")
        amount = _as_amount(amount, f"The payment of {pay_date}")
        if pay_date > until:
            raise ValueError(f"The payment of {pay_date} is after the evaluation date {until}.")
        dated.append(Payment(pay_date, amount))
    dated.sort(key=lambda payment: payment.date)  # stable: same-day payments keep their order

    allocations = []
    pending = list(dated)
    while pending and pending[0].date <= due_date:
        pay(pending.pop(0))

    start = due_date + timedelta(days=1)
    if start <= until:
        periods = statutory_periods(rule, rates, start, until, consumer=consumer)
        anniversaries = set()
        if rule.compounding:
            years = 1
            while _add_years(start, years) <= until:
                anniversaries.add(_add_years(start, years))
                years += 1
        cuts = {period.date_from for period in periods} | anniversaries
        cuts |= {payment.date + timedelta(days=1) for payment in pending if payment.date < until}
        starts = sorted(day for day in cuts if start <= day <= until)
        if not starts or starts[0] != start:
            starts.insert(0, start)
        for index, first in enumerate(starts):
            last = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else until
            rate = next(period.rate for period in periods if period.date_from <= first <= period.date_to)
            base = balance.principal + balance.capitalised
            days = (last - first).days + 1
            if base > 0:
                amount = _cents(base * rate / HUNDRED * Decimal(days) / DAYS_IN_YEAR)
                balance.lines.append(InterestLine(first, last, days, rate, base, amount))
                balance.interest += amount
                balance.accrued += amount
            if last + timedelta(days=1) in anniversaries:
                balance.capitalised += balance.interest
                balance.interest = ZERO
            while pending and pending[0].date <= last:
                pay(pending.pop(0))
    if owed_costs and until >= costs_from and not balance.costs_added:
        balance.costs, balance.costs_added = owed_costs, True

    return AllocationResult(
        allocations=allocations,
        interest_lines=balance.lines,
        interest_accrued=balance.accrued,
        principal=balance.principal,
        interest=balance.capitalised + balance.interest,
        costs=balance.costs,
        unallocated=sum((allocation.unallocated for allocation in allocations), ZERO),
        capitalised_interest=balance.capitalised,
    )


# --------------------------------------------------------------------------- interest


def compute_interest(rule, principal, due_date, until, rates, consumer=False):
    """Compute statutory late-payment interest on an unpaid principal.

    :param rule: rule set code (``eu``, ``nl``, ``uk``, ``de``) or a :class:`RuleSet`
    :param principal: the unpaid principal (not negative)
    :param due_date: last day for payment; interest runs from the next day
    :param until: last day of interest, included (not before ``due_date``; equal gives zero)
    :param rates: :class:`RateTable` of the rule set's ``rate_type``: ECB rates for
        ``eu``, published commercial rates for ``nl`` (the art. 6:119 BW rates when
        ``consumer``), Bank Rate for ``uk``, Basiszinssatz for ``de``
    :param consumer: whether the debtor is a consumer (``de``: base + 5 instead of + 9;
        refused for ``eu`` and ``uk``, which only cover business debtors)
    :return: an :class:`InterestResult` with one line per period and the total
    :raise ValueError: for a negative principal, ``until`` before ``due_date``, an
        unknown rule set, a consumer under a B2B-only regime or a missing rate
    """
    rule = get_rule(rule)
    principal = _as_amount(principal, "The principal")
    result = allocate_payments(rule, principal, due_date, until, rates, consumer=consumer)
    return InterestResult(
        rule=rule.code,
        principal=principal,
        due_date=_as_date(due_date, "The due date"),
        until=_as_date(until, "The evaluation date"),
        lines=result.interest_lines,
        total=result.interest_accrued,
    )


# --------------------------------------------------------------------------- costs


def wik_costs(principal, vat_rate=None):
    """Dutch extrajudicial collection costs (Besluit vergoeding voor buitengerechtelijke incassokosten).

    15 % of the first 2,500, 10 % of the next 2,500, 5 % of the next 5,000, 1 % of the
    next 190,000 and 0.5 % of the rest, at least EUR 40 and at most EUR 6,775, rounded to
    cents; VAT is added on top when the creditor cannot deduct it.

    :param principal: the principal of the claim (not negative; zero gives zero costs)
    :param vat_rate: VAT percentage to add (e.g. ``21``), ``None`` when the creditor can deduct VAT
    :return: a :class:`CollectionCosts` in EUR
    :raise ValueError: for a negative principal or VAT rate
    """
    principal = _as_amount(principal, "The principal")
    vat_rate = ZERO if vat_rate is None else _as_decimal(vat_rate, "The VAT rate")
    if vat_rate < 0:
        raise ValueError(f"The VAT rate must not be negative, got {vat_rate}.")
    if not principal:
        return CollectionCosts(ZERO, ZERO, ZERO, "EUR")
    raw, rest = Decimal(0), principal
    for width, percent in WIK_BRACKETS:
        part = rest if width is None else min(rest, width)
        raw += part * percent / HUNDRED
        rest -= part
        if not rest:
            break
    amount = _cents(min(max(raw, WIK_MINIMUM), WIK_MAXIMUM))
    vat = _cents(amount * vat_rate / HUNDRED)
    return CollectionCosts(amount, vat, amount + vat, "EUR")


def wik_deadline(reminder_date, received_date=None):
    """Last day of the 14-day period of a Dutch consumer reminder (art. 6:96 lid 6 BW).

    The period starts the day after the debtor received the reminder (HR 25 November
    2016, ECLI:NL:HR:2016:2704); receipt is assumed the day after sending unless given.
    The extension of the Algemene termijnenwet (a period ending on a weekend or public
    holiday) is not applied.

    :param reminder_date: the day the reminder was sent
    :param received_date: the day it was received, when known
    :return: the last day on which the debtor can still pay without costs
    :raise ValueError: when the reminder was received before it was sent
    """
    reminder_date = _as_date(reminder_date, "The reminder date")
    if received_date is None:
        received_date = reminder_date + timedelta(days=1)
    received_date = _as_date(received_date, "The receipt date")
    if received_date < reminder_date:
        raise ValueError(f"The reminder cannot be received ({received_date}) before it was sent ({reminder_date}).")
    return received_date + timedelta(days=WIK_LETTER_DAYS)


def wik_costs_due(reminder_date, on_date, received_date=None, due_date=None):
    """Whether a Dutch consumer owes collection costs on ``on_date`` (the 14-day letter rule).

    :param reminder_date: the day the 14-day letter was sent, ``None`` if none was sent
    :param on_date: the evaluation date
    :param received_date: the day the letter was received, when known (default: the day after sending)
    :param due_date: the invoice's due date; a letter sent on or before it does not count
        (the debtor must already be in default)
    :return: ``True`` when the 14 days after receipt have passed
    """
    if reminder_date is None or reminder_date is False:
        return False
    reminder_date, on_date = _as_date(reminder_date, "The reminder date"), _as_date(on_date, "The evaluation date")
    if due_date is not None and reminder_date <= _as_date(due_date, "The due date"):
        return False
    return on_date > wik_deadline(reminder_date, received_date)


def fixed_compensation(rule, principal, consumer=False, reminder_date=None, on_date=None, received_date=None,
                       vat_rate=None, due_date=None):
    """Fixed compensation or collection costs for one late invoice.

    * ``eu``: EUR 40 (Art. 6 of the directive); not for consumers.
    * ``uk``: GBP 40 for a debt under 1,000, 70 from 1,000 to under 10,000, 100 from
      10,000 (s. 5A of the 1998 Act); not for consumers.
    * ``de``: EUR 40 flat fee (§ 288 Abs. 5 BGB); zero when the debtor is a consumer.
    * ``nl``: the WIK costs (minimum EUR 40, which implements the directive's EUR 40);
      for a consumer only once the 14-day letter period has passed.

    :param rule: rule set code or :class:`RuleSet`
    :param principal: the principal of the invoice (not negative; zero gives zero)
    :param consumer: whether the debtor is a consumer
    :param reminder_date: ``nl`` consumers: the day the 14-day letter was sent
    :param on_date: ``nl`` consumers: the evaluation date (required with ``reminder_date``)
    :param received_date: ``nl`` consumers: the day the letter was received, if known
    :param vat_rate: ``nl`` only: VAT percentage to add when the creditor cannot deduct VAT
    :param due_date: ``nl`` consumers: the due date, to refuse a letter sent too early
    :return: a :class:`CollectionCosts`
    :raise ValueError: for a negative principal, an unknown rule set, a consumer under a
        B2B-only regime, a VAT rate outside ``nl`` or a reminder without evaluation date
    """
    rule = get_rule(rule)
    principal = _as_amount(principal, "The principal")
    _margin(rule, consumer)
    if vat_rate is not None and rule.code != "nl":
        raise ValueError(f"A VAT rate only applies to the Dutch WIK costs, not to {rule.name}.")
    none = CollectionCosts(ZERO, ZERO, ZERO, rule.currency, due=False)
    if not principal:
        return none
    if rule.code == "nl":
        if consumer:
            if reminder_date is not None and on_date is None:
                raise ValueError("The evaluation date (on_date) is required to apply the 14-day letter rule.")
            if not wik_costs_due(reminder_date, on_date, received_date=received_date, due_date=due_date):
                return none
        return wik_costs(principal, vat_rate=vat_rate)
    if rule.code == "uk":
        amount = next(fixed for limit, fixed in UK_FIXED_SUMS if limit is None or principal < limit)
    elif rule.code == "de":
        if consumer:
            return none
        amount = DE_FLAT_FEE
    else:
        amount = EU_COMPENSATION
    amount = _cents(amount)
    return CollectionCosts(amount, ZERO, amount, rule.currency)
