from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..tools import late_payment
from .debtor_customer import LATE_PAYMENT_RULES


class DebtorCustomerLatePayment(models.Model):
    """Statutory interest and collection costs owed on a debtor file's overdue items, and the fee invoice
    that charges them.
    """

    _inherit = "debtor.customer"

    effective_late_payment_rule = fields.Selection(
        selection=LATE_PAYMENT_RULES, string="Late-Payment Rules Applied", compute="_compute_owed")
    owed_interest = fields.Monetary(string="Interest to Date", compute="_compute_owed",
                                    help="Statutory interest on the overdue items up to today (company currency).")
    owed_costs = fields.Monetary(string="Collection Costs", compute="_compute_owed")
    owed_total = fields.Monetary(string="Total Owed", compute="_compute_owed",
                                 help="Open items plus interest to date and collection costs.")

    @api.depends("partner_id", "company_id", "late_payment_rule", "policy_id", "total_due")
    @api.depends_context("date")
    def _compute_owed(self):
        today = fields.Date.context_today(self)
        for company, files in self.grouped("company_id").items():
            lines = self.env["account.move.line"].search(
                self._open_lines_domain(company, files.partner_id)
                + [("date_maturity", "<", today), ("amount_residual", ">", 0)])
            figures = self._late_payment_figures(lines, today)
            for debtor_file in files:
                debtor_file.effective_late_payment_rule = debtor_file._late_payment_rule()
                mine = [figures[line.id] for line in lines if line.partner_id == debtor_file.partner_id]
                debtor_file.owed_interest = sum(f["interest_company"] for f in mine)
                debtor_file.owed_costs = sum(f["costs_company"] for f in mine)
                debtor_file.owed_total = debtor_file.total_due + debtor_file.owed_interest + debtor_file.owed_costs

    # ------------------------------------------------------------------
    # Statutory interest and costs
    # ------------------------------------------------------------------
    def _late_payment_rule(self):
        """The rule set that applies: the customer's, else its policy's, else its company's."""
        self.ensure_one()
        return (self.late_payment_rule or self.effective_policy_id.late_payment_rule
                or self.company_id.debtor_late_payment_rule or "none")

    @api.model
    def _late_payment_figures(self, lines, on_date):
        """Statutory interest to ``on_date`` and collection costs of overdue receivable ``lines``.

        Each line is an installment or invoice owed on its own (costs are charged per invoice, on its first
        overdue line). The figures come from the dated events of the ledger, not from today's open amount: the
        line's original amount less its credit notes is the principal, and every payment matched with it up to
        ``on_date`` is applied on its own date, in the order the rule set prescribes (``late_payment``'s
        ``allocate_payments``), so the interest the paid part earned until it was paid is kept. ``interest`` is
        all the interest accrued to ``on_date``; with the costs and the open amount it makes what is owed (the
        payments already count against the open amount). Amounts are in the line's currency; fixed sums are
        converted from the rule set's currency. A regime that does not cover the debtor (consumers under EU and
        UK rules), a rate missing for a period or a missing table gives zero and says why in ``note``.

        :param lines: overdue open receivable ``account.move.line`` records
        :param on_date: the date interest runs to (included)
        :return: ``{line_id: {"rule", "interest", "costs", "interest_company", "costs_company", "note"}}``
        """
        result = {}
        currencies = {}
        costs_charged = set()
        Rate = self.env["debtor.reference.rate"]
        tables = {}
        files = {
            (debtor_file.partner_id.id, debtor_file.company_id.id): debtor_file
            for debtor_file in self.search_fetch(
                [("partner_id", "in", lines.partner_id.ids), ("company_id", "in", lines.company_id.ids)],
                ["partner_id", "company_id", "late_payment_rule", "policy_id"])
        }
        # fee invoices are owed like any invoice, but no interest or costs are charged on fees
        fee_moves = set(self.env["debtor.followup.fee"].sudo().search_fetch(
            [("fee_move_id", "in", lines.move_id.ids)], ["fee_move_id"]).fee_move_id.ids)
        events = lines._debtor_dated_events(on_date)
        letters = lines._debtor_first_reminder_dates()
        for line in lines.sorted(lambda line: (line.date_maturity or line.date, line.id)):
            debtor_file = files.get((line.partner_id.id, line.company_id.id), self.browse())
            code = debtor_file._late_payment_rule() if debtor_file else (line.company_id.debtor_late_payment_rule
                                                                    or "none")
            figures = {"rule": code, "interest": 0.0, "costs": 0.0, "interest_company": 0.0,
                       "costs_company": 0.0, "note": ""}
            result[line.id] = figures
            if (code == "none" or not line.date_maturity or line.date_maturity >= on_date
                    or line.move_id.id in fee_moves):
                continue
            rule = late_payment.get_rule(code)
            consumer = not line.partner_id.commercial_partner_id.is_company
            if consumer and rule.consumer_margin is None:
                figures["note"] = self.env._("%(rule)s covers business debtors only.", rule=rule.name)
                continue
            rate_type = "nl_statutory" if (code == "nl" and consumer) else rule.rate_type
            if rate_type not in tables:
                tables[rate_type] = Rate._rate_table_checked(rate_type, on_date)
            table, warning = tables[rate_type]
            notes = [warning] if warning else []
            principal, payments = events[line.id]
            costs = late_payment.CollectionCosts(late_payment.ZERO, late_payment.ZERO, late_payment.ZERO,
                                                 rule.currency, due=False)
            costs_from = None
            if line.move_id.id not in costs_charged:
                costs_charged.add(line.move_id.id)
                costs, costs_from = self._late_payment_costs(
                    rule, line, (principal, payments, table), consumer, letters.get(line.id), on_date, currencies)
            interest = 0
            if table is not None:
                try:
                    interest = late_payment.allocate_payments(
                        rule, principal, line.date_maturity, on_date, table, payments=payments,
                        costs=costs.total if costs.due else 0, consumer=consumer, costs_from=costs_from,
                    ).interest_accrued
                except ValueError as error:
                    notes.append(str(error))  # typically no rate known that early: shown, not guessed
                    interest = 0
            rule_currency = currencies.get(rule.currency) or line.currency_id
            amount_costs = rule_currency._convert(float(costs.total), line.currency_id, line.company_id, on_date)
            figures["note"] = " ".join(notes)
            figures["interest"] = line.currency_id.round(float(interest))
            figures["costs"] = line.currency_id.round(amount_costs)
            ratio = (line.amount_residual / line.amount_residual_currency) if line.amount_residual_currency else 1.0
            figures["interest_company"] = line.company_currency_id.round(figures["interest"] * ratio)
            figures["costs_company"] = line.company_currency_id.round(figures["costs"] * ratio)
        return result

    @api.model
    def _late_payment_costs(self, rule, line, debt, consumer, letter_date, on_date, currencies):
        """The fixed compensation or collection costs of ``line``'s invoice, and the first day they are owed.

        The costs are owed from the first day of default, for a Dutch consumer only from the day after the 14
        days that follow the receipt of the first reminder sent after the due date (art. 6:96 lid 6 BW: later
        reminders do not move that day). The scales (WIK brackets, UK bands) apply to the principal still unpaid
        on the eve of that day, the earlier payments applied in the rule set's order, converted into the rule
        set's currency.

        :param rule: the ``late_payment.RuleSet``
        :param line: the invoice's first overdue receivable item
        :param debt: ``(principal, payments, rates)``: the item's principal (original amount less credit notes,
            ``Decimal``), its dated ``late_payment.Payment`` list and the ``RateTable`` (None when missing)
        :param consumer: whether the debtor is a consumer
        :param letter_date: the date of the first reminder of the item sent after its due date, or None
        :param on_date: the evaluation date
        :param currencies: cache ``{ISO code: res.currency}``, filled here
        :return: ``(late_payment.CollectionCosts, first day owed or None for the first day of default)``
        """
        costs_from = None
        if rule.code == "nl" and consumer:
            if not letter_date:
                return late_payment.fixed_compensation(rule, 0), None
            costs_from = late_payment.wik_deadline(letter_date) + timedelta(days=1)
        principal, payments, rates = debt
        eve = min(max((costs_from or line.date_maturity + timedelta(days=1)) - timedelta(days=1),
                      line.date_maturity), on_date)
        earlier = [payment for payment in payments if payment.date <= eve]
        try:
            unpaid = late_payment.allocate_payments(
                rule, principal, line.date_maturity, eve, rates, payments=earlier, consumer=consumer).principal
        except ValueError:  # no rate known: the payments are taken off the principal as they stand
            unpaid = max(principal - sum((payment.amount for payment in earlier), late_payment.ZERO),
                         late_payment.ZERO)
        if rule.currency not in currencies:
            currencies[rule.currency] = self.env["res.currency"].with_context(active_test=False).search(
                [("name", "=", rule.currency)], limit=1)
        rule_currency = currencies[rule.currency] or line.currency_id
        debt = line.currency_id._convert(float(unpaid), rule_currency, line.company_id, on_date)
        costs = late_payment.fixed_compensation(
            rule, debt, consumer=consumer, reminder_date=letter_date, on_date=on_date,
            due_date=line.date_maturity,
            vat_rate=line.company_id.debtor_wik_vat_rate or None if rule.code == "nl" else None)
        return costs, costs_from

    def _create_fee_invoice(self, level, lines):
        """Invoice the interest and costs of ``lines``' invoices at ``level``, once per invoice and level.

        :return: the posted fee invoice, or an empty recordset when there is nothing (left) to charge
        """
        self.ensure_one()
        product = self.company_id.debtor_fee_product_id
        if not product:
            raise UserError(self.env._(
                "Level %(level)s creates fee invoices: choose the fee product in the settings of %(company)s.",
                level=level.name, company=self.company_id.name))
        Fee = self.env["debtor.followup.fee"].sudo()
        earlier = Fee.search([("move_id", "in", lines.move_id.ids)])
        charged = set(earlier.filtered(lambda fee: fee.level_id == level).move_id.ids)
        # costs are owed once per invoice; interest runs on, so only what earlier fees did not charge yet
        costs_done = set(earlier.filtered("costs").move_id.ids)
        interest_done = {}
        for fee in earlier:
            interest_done[fee.move_id.id] = interest_done.get(fee.move_id.id, 0.0) + fee.interest
        today = fields.Date.context_today(self)
        figures = self._late_payment_figures(lines, today)
        per_move = {}
        for line in lines:
            if line.move_id.id in charged:
                continue
            entry = per_move.setdefault(line.move_id, {"interest": 0.0, "costs": 0.0})
            entry["interest"] += figures[line.id]["interest_company"]
            if line.move_id.id not in costs_done:
                entry["costs"] += figures[line.id]["costs_company"]
        for move, entry in per_move.items():
            entry["interest"] = self.currency_id.round(max(entry["interest"] - interest_done.get(move.id, 0.0), 0.0))
        invoice_lines = []
        for move, amounts in per_move.items():
            for kind, label in (("interest", self.env._("Late-payment interest on %(move)s to %(date)s")),
                                ("costs", self.env._("Collection costs for %(move)s"))):
                if not self.currency_id.is_zero(amounts[kind]):
                    invoice_lines.append(fields.Command.create({
                        "product_id": product.id,
                        "name": label % {"move": move.name, "date": today},
                        "quantity": 1,
                        "price_unit": amounts[kind],
                    }))
        if not invoice_lines:
            return self.env["account.move"]
        fee_move = self.env["account.move"].sudo().with_company(self.company_id).create({
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.company_id.currency_id.id,
            "invoice_date": today,
            "invoice_origin": ", ".join(move.name for move in per_move),
            "invoice_line_ids": invoice_lines,
        })
        fee_move.action_post()
        Fee.create([{"move_id": move.id, "level_id": level.id, "fee_move_id": fee_move.id,
                     "company_id": self.company_id.id, **amounts} for move, amounts in per_move.items()])
        return fee_move
