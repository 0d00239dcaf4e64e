"""Collection costs: the Dutch WIK scale (and its 14-day letter) and the fixed compensations.

Part of :mod:`..late_payment` (see its docstring for the rules applied).
"""

from datetime import timedelta
from decimal import Decimal

from .results import CollectionCosts
from .rules import DE_FLAT_FEE
from .rules import EU_COMPENSATION
from .rules import HUNDRED
from .rules import UK_FIXED_SUMS
from .rules import WIK_BRACKETS
from .rules import WIK_LETTER_DAYS
from .rules import WIK_MAXIMUM
from .rules import WIK_MINIMUM
from .rules import ZERO
from .rules import _as_amount
from .rules import _as_date
from .rules import _as_decimal
from .rules import _cents
from .rules import _margin
from .rules import get_rule

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
