"""The letter of the customer's country: which legal text a reminder carries, and its figures.

A reminder to a customer whose country has its own rules for the last steps of a collection carries that
country's text (``report/debtor_jurisdiction_letters.xml``), in that country's language whatever the UI's:

* Netherlands, consumer, Dutch late-payment rules: the *veertiendagenbrief* of art. 6:96 lid 6 BW. The first
  reminder sent after an item's due date is the one from which the addon counts the 14 days after which the
  collection costs are owed (``account.move.line._debtor_first_reminder_dates``), so that reminder, whatever
  its level, is the 14-day letter: fourteen days from the day after receipt, the exact costs that become due
  and whether VAT is added.
* Germany, business, German rules: a *Mahnung* (the final notice: *letzte Mahnung*) announcing default
  (§ 286 BGB), interest at 9 points above the base rate (§ 288 Abs. 2 BGB) and the EUR 40 lump sum per
  invoice (§ 288 Abs. 5 BGB).
* United Kingdom, individual or sole trader (a contact that is not a company), at the final notice: the letter
  of claim of the Pre-Action Protocol for Debt Claims, with its Information Sheet and Reply Form.

A policy turns this off with *Letters of the customer's country*.
"""

from datetime import timedelta

from babel.dates import format_date
from babel.numbers import format_currency
from babel.numbers import format_decimal

from odoo import api
from odoo import models

from ..tools import late_payment

#: days a German Mahnung / letzte Mahnung gives to pay
DE_PAYMENT_DAYS = 10
DE_FINAL_PAYMENT_DAYS = 14
#: days the Pre-Action Protocol for Debt Claims gives the debtor to reply (para. 3.1, 3.3)
UK_REPLY_DAYS = 30
#: the language each country letter is written in (its amounts and dates are formatted in it)
NOTICE_LOCALES = {"nl_14day": "nl_NL", "de_mahnung": "de_DE", "uk_letter_of_claim": "en_GB"}


class DebtorCustomerLetters(models.Model):
    _inherit = "debtor.customer"

    @api.model
    def _legal_notice_kind(self, partner, company, level, debtor_file=None):
        """Which country letter a reminder of ``level`` to ``partner`` in ``company`` is, if any.

        :param debtor_file: the customer's debtor file when known (else looked up, only for a customer of a
            country that has a letter)
        :return: ``"nl_14day"``, ``"de_mahnung"``, ``"uk_letter_of_claim"`` or ``False``
        """
        if not level or level.delay_days <= 0:
            return False
        commercial = partner.commercial_partner_id
        consumer = not commercial.is_company
        kind = {
            ("NL", True): "nl_14day",
            ("DE", False): "de_mahnung",
            ("GB", True): "uk_letter_of_claim" if level.is_final_notice else False,
        }.get((commercial.country_id.code, consumer), False)
        if not kind:
            return False
        if debtor_file is None:
            debtor_file = self.search([("partner_id", "=", commercial.id), ("company_id", "=", company.id)], limit=1)
        policy = debtor_file.effective_policy_id or level.policy_id
        if not policy.jurisdiction_letters:
            return False
        rule = (debtor_file._late_payment_rule() if debtor_file
                else policy.late_payment_rule or company.debtor_late_payment_rule or "none")
        # the Dutch and German letters announce the costs and interest of their own country's rules
        required_rule = {"nl_14day": "nl", "de_mahnung": "de"}.get(kind)
        return kind if required_rule in (None, rule) else False

    @api.model
    def _legal_notice(self, partner, company, lines, on_date, level, debtor_file=None):
        """What the country letter of a reminder says, computed by the addon's own late-payment figures.

        :param partner: the customer
        :param company: the company that sends the reminder
        :param lines: the reminded receivable items
        :param on_date: the reminder's date
        :param level: the reminder's ``debtor.followup.level``
        :param debtor_file: the customer's debtor file when known
        :return: ``False`` when no country letter applies, else a dict with ``kind``, ``currency``, ``money``,
            ``date`` and ``number`` (format an amount, a date, a rate in the letter's language), ``open``
            (the open amount of the items), ``interest`` and ``costs`` (accrued to ``on_date``, from
            ``_late_payment_figures``), and per kind: ``nl_14day``: ``deadline`` (the last day of the 14 days if
            received the day after sending), ``received`` (that day), ``letter_lines`` (the items for which this
            reminder is the 14-day letter), ``costs_due`` (the costs owed after the 14 days), ``costs_vat`` (of
            which VAT, 0 when the company adds none), ``earlier`` (``{line: first letter date}`` for items whose
            letter was sent before); ``de_mahnung``: ``final``, ``base_rate``, ``rate``, ``lump_sums`` (40 EUR per
            invoice, in the items' currency), ``pay_by``; ``uk_letter_of_claim``: ``reply_by``
        """
        kind = self._legal_notice_kind(partner, company, level, debtor_file)
        overdue = lines.filtered(lambda line: line.date_maturity and line.date_maturity < on_date
                                 and line.amount_residual > 0)
        if not kind or not overdue:
            return False
        currency = overdue[:1].currency_id
        figures = self._late_payment_figures(overdue, on_date)
        locale = NOTICE_LOCALES[kind]
        notice = {
            "kind": kind,
            "currency": currency,
            # the letter's own language, whatever the user's: amounts and dates as that country writes them
            "money": lambda amount: format_currency(amount, currency.name, locale=locale),
            "date": lambda day: format_date(day, format="long", locale=locale),
            "number": lambda value: format_decimal(value, format="0.00##", locale=locale),
            "open": sum(overdue.mapped("amount_residual_currency")),
            "interest": sum(figure["interest"] for figure in figures.values()),
            "costs": sum(figure["costs"] for figure in figures.values()),
        }
        if kind == "nl_14day":
            notice.update(self._legal_notice_nl(overdue, company, on_date))
        elif kind == "de_mahnung":
            final = level.is_final_notice
            base = self.env["debtor.reference.rate"]._rate_table_checked("de_base", on_date)[0]
            base_rate = base.rate_on(on_date) if base is not None else None
            notice.update({
                "final": final,
                "base_rate": base_rate,
                "rate": base_rate + late_payment.get_rule("de").margin if base_rate is not None else None,
                "lump_sums": notice["costs"],
                "invoice_count": len(overdue.move_id),
                "pay_by": on_date + timedelta(days=DE_FINAL_PAYMENT_DAYS if final else DE_PAYMENT_DAYS),
            })
        else:
            notice["reply_by"] = on_date + timedelta(days=UK_REPLY_DAYS)
        notice["total"] = notice["open"] + notice["interest"] + notice["costs"]
        return notice

    @api.model
    def _legal_notice_nl(self, lines, company, on_date):
        """The 14-day letter's figures: which items it is the letter for, the term, and the WIK costs that become
        due after it (``_late_payment_costs``, the function the figures use, asked for the day after the term)."""
        first_letters = lines._debtor_first_reminder_dates()
        earlier = {line: first_letters[line.id] for line in lines
                   if first_letters.get(line.id) and first_letters[line.id] < on_date}
        letter_lines = lines.filtered(lambda line: line not in earlier)
        deadline = late_payment.wik_deadline(on_date)
        rule = late_payment.get_rule("nl")
        events = letter_lines._debtor_dated_events(on_date)
        table = self.env["debtor.reference.rate"]._rate_table_checked("nl_statutory", on_date)[0]
        currencies = {}
        costs_due = costs_vat = 0.0
        charged = set()
        for line in letter_lines.sorted(lambda line: (line.date_maturity, line.id)):
            if line.move_id in charged:
                continue  # costs are charged per invoice, on its first overdue item
            charged.add(line.move_id)
            principal, payments = events[line.id]
            costs, _costs_from = self._late_payment_costs(
                rule, line, (principal, payments, table), True, on_date, deadline + timedelta(days=1), currencies)
            rule_currency = currencies.get(rule.currency) or line.currency_id
            costs_due += rule_currency._convert(float(costs.total), line.currency_id, company, on_date)
            costs_vat += rule_currency._convert(float(costs.vat), line.currency_id, company, on_date)
        return {
            "letter_lines": letter_lines,
            "earlier": earlier,
            "received": on_date + timedelta(days=1),
            "deadline": deadline,
            "costs_due": costs_due,
            "costs_vat": costs_vat,
        }

    def _legal_notice_html(self, notice):
        """The country letter's text for this customer's reminder email (``notice``: ``_legal_notice``)."""
        self.ensure_one()
        reference = self._statement_payment_reference(self.partner_id, self.company_id)
        return self.env["ir.qweb"]._render("debtor_followup.debtor_legal_notice", {
            "notice": notice, "company": self.company_id, "letter": False, "reference": reference,
            "bank": self._statement_bank_account(self.company_id), "addressee_name": self.partner_id.name,
        })
