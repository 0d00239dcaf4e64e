"""The rule sets (``RuleSet``, ``RULES``), their constants and the shared conversions of amounts and dates.

Part of :mod:`..late_payment` (see its docstring for the rules applied).
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
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
