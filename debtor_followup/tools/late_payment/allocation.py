"""Payments allocated to costs, interest and principal over time, and the interest on an unpaid principal.

Part of :mod:`..late_payment` (see its docstring for the rules applied).
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from decimal import Decimal

from .rates import RateTable
from .rates import statutory_periods
from .results import Allocation
from .results import AllocationResult
from .results import InterestLine
from .results import InterestResult
from .rules import COSTS
from .rules import DAYS_IN_YEAR
from .rules import HUNDRED
from .rules import INTEREST
from .rules import ORDER_COSTS_FIRST
from .rules import PRINCIPAL
from .rules import ZERO
from .rules import _add_years
from .rules import _as_amount
from .rules import _as_date
from .rules import _cents
from .rules import _margin
from .rules import get_rule

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
