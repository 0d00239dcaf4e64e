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

The engine is split by concern: :mod:`.rules` (rule sets, constants, conversions), :mod:`.rates` (rate
tables and periods), :mod:`.results` (result records), :mod:`.allocation` (payments and interest) and
:mod:`.costs` (collection costs); everything is importable from this package, as before.
"""

from .allocation import Payment
from .allocation import allocate
from .allocation import allocate_payments
from .allocation import compute_interest
from .costs import fixed_compensation
from .costs import wik_costs
from .costs import wik_costs_due
from .costs import wik_deadline
from .rates import RatePeriod
from .rates import RateTable
from .rates import read_rate_csv
from .rates import statutory_periods
from .results import Allocation
from .results import AllocationResult
from .results import CollectionCosts
from .results import InterestLine
from .results import InterestResult
from .rules import CENT
from .rules import COSTS
from .rules import DAYS_IN_YEAR
from .rules import DE_FLAT_FEE
from .rules import EU_COMPENSATION
from .rules import HUNDRED
from .rules import INTEREST
from .rules import ORDER_COSTS_FIRST
from .rules import ORDER_PRINCIPAL_FIRST
from .rules import PRINCIPAL
from .rules import REFERENCE_FIXED_AT_START
from .rules import REFERENCE_HALF_YEAR
from .rules import REFERENCE_STEP
from .rules import RULES
from .rules import UK_FIXED_SUMS
from .rules import WIK_BRACKETS
from .rules import WIK_LETTER_DAYS
from .rules import WIK_MAXIMUM
from .rules import WIK_MINIMUM
from .rules import ZERO
from .rules import RuleSet
from .rules import as_money
from .rules import get_rule

__all__ = [
    "Allocation",
    "AllocationResult",
    "CENT",
    "COSTS",
    "CollectionCosts",
    "DAYS_IN_YEAR",
    "DE_FLAT_FEE",
    "EU_COMPENSATION",
    "HUNDRED",
    "INTEREST",
    "InterestLine",
    "InterestResult",
    "ORDER_COSTS_FIRST",
    "ORDER_PRINCIPAL_FIRST",
    "PRINCIPAL",
    "Payment",
    "REFERENCE_FIXED_AT_START",
    "REFERENCE_HALF_YEAR",
    "REFERENCE_STEP",
    "RULES",
    "RatePeriod",
    "RateTable",
    "RuleSet",
    "UK_FIXED_SUMS",
    "WIK_BRACKETS",
    "WIK_LETTER_DAYS",
    "WIK_MAXIMUM",
    "WIK_MINIMUM",
    "ZERO",
    "allocate",
    "allocate_payments",
    "as_money",
    "compute_interest",
    "fixed_compensation",
    "get_rule",
    "read_rate_csv",
    "statutory_periods",
    "wik_costs",
    "wik_costs_due",
    "wik_deadline",
]
