"""The results of the engine: interest lines, interest, collection costs and payment allocations.

Part of :mod:`..late_payment` (see its docstring for the rules applied).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .rules import ZERO

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
