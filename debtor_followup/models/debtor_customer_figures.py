import ast
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from markupsafe import escape

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.base.models.res_lang import intersperse
from odoo.tools import SQL
from odoo.tools import float_is_zero
from odoo.tools import format_date
from odoo.tools.misc import get_lang

from .debtor_customer import DELAY_COLUMNS
from .debtor_customer import DELAY_MONTHS
from .debtor_customer_engine import EXCLUDING_DISPUTE_STATES
from .debtor_customer_engine import EXCLUDING_PLAN_STATES
from .debtor_customer_engine import EXCLUDING_PROMISE_STATES
from .debtor_handover import EXCLUDING_STATES as EXCLUDING_HANDOVER_STATES


class ItemsFormatter:
    """The amounts and dates of an items table as text, as Odoo's ``monetary`` and ``date`` QWeb widgets write them
    in the language of ``env`` (the same digits, separators, symbol and spaces), without the widget machinery
    around each value: a batch of reminders shows some 15 figures per customer.

    An amount is written without the widget's ``oe_currency_value`` span, which only serves Odoo's editors.
    """

    def __init__(self, env):
        self.env = env
        lang = env["res.lang"]._get_data(id=get_lang(env).id)
        self.decimal_point = lang.decimal_point
        self.thousands_sep = lang.thousands_sep or ""
        self.grouping = ast.literal_eval(lang.grouping)
        self.dates = {}

    def money(self, value, currency):
        """``value`` in ``currency``, like ``ir.qweb.field.monetary`` (without ``from_currency``)."""
        digits = currency.decimal_places
        if float_is_zero(value, precision_digits=digits):
            value = 0.0
        integer, _sep, decimals = f"{currency.round(value):.{digits}f}".partition(".")
        integer = intersperse(integer, self.grouping, self.thousands_sep)[0]
        text = self.decimal_point.join([integer, decimals]) if _sep else integer
        text = text.replace(" ", "\N{NO-BREAK SPACE}").replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        symbol = currency.symbol or ""
        if currency.position == "before":
            return escape(f"{symbol}\N{NO-BREAK SPACE}{text}")
        return escape(f"{text}\N{NO-BREAK SPACE}{symbol}")

    def date(self, value):
        """``value`` like ``ir.qweb.field.date`` (the language's date format)."""
        if value not in self.dates:
            self.dates[value] = format_date(self.env, value)
        return self.dates[value]


class DebtorCustomerFigures(models.Model):
    """The open items of debtor files and their money figures: the one items query that the work queue,
    the statement, the reminders, the reports and the dashboard read, and the usual payment delay.
    """

    _inherit = "debtor.customer"

    # ------------------------------------------------------------------
    # The follow-up engine
    # ------------------------------------------------------------------
    @api.model
    def _open_lines_domain(self, companies, partners=None):
        """Open receivable items of ``partners`` (all partners when None) in ``companies``."""
        domain = [
            ("company_id", "in", companies.ids),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("partner_id", "!=", False),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        return domain

    @api.model
    def _debtor_items_query(self, today, companies=None, partners=None, lines=None, totals_only=False):
        """The open receivable items with the figures of each, as an ``SQL`` query: the one definition of the money
        figures that the work queue, the statement, the reminders, the aging, the forecast and the dashboard read.

        An item is an unreconciled posted receivable line with a partner and an open amount. Its open amount
        (``amount_residual``, company currency) is either owed to us (``amount_open``: invoices, installments,
        debit entries) or a credit (``amount_credit``, negative: open credit notes and unapplied payments). Only
        what is owed can be overdue (``amount_overdue``: owed items past their due date); credits are shown on
        their own and offset the total (``amount_residual`` = owed + credits), never the overdue. An open dispute's
        amount (capped at what its invoice still owes) is laid on the invoice's open items earliest due first
        (``amount_disputed``). ``exclusion_reason`` says why an item is not followed up (the engine's
        ``_exclusion_reason_sql``, NULL when it is) and ``followup_state`` groups it for the reports (``excluded``:
        by hand, with the debtor file or by Odoo's ``no_followup``). The ``*_currency`` columns are the same in the
        item's own currency.

        :param today: the date to age the items on
        :param companies: ``res.company`` records to restrict to (all when None)
        :param partners: commercial partners to restrict to (all when None)
        :param lines: ``account.move.line`` records to restrict to (all open items when None)
        :param totals_only: leave out the salesperson, responsible, country, level and policy (NULL)
        """
        self.env["account.move.line"].flush_model([
            "move_id", "partner_id", "company_id", "company_currency_id", "currency_id", "account_id", "date",
            "date_maturity", "amount_residual", "amount_residual_currency", "reconciled", "parent_state",
            "no_followup", "debtor_level_id", "debtor_manual_exclusion"])
        self.env["debtor.dispute"].flush_model(["state", "move_id", "disputed_amount", "disputed_amount_company"])
        self.env["debtor.handover.line"].flush_model(["state", "move_id"])
        self.env["debtor.payment.plan"].flush_model(["state", "move_ids"])
        self.env["debtor.promise"].flush_model(["state", "line_ids"])
        self.env["debtor.portal.answer"].flush_model(["kind", "pause_until", "move_ids"])
        self.flush_model(["partner_id", "company_id", "policy_id", "responsible_id", "excluded"])
        accounts = self.env["account.move.line"]._debtor_receivable_account_ids()
        filters = [SQL("TRUE")]
        if companies is not None:
            filters.append(SQL("line.company_id = ANY(%s)", companies.ids))
        if partners is not None:
            filters.append(SQL("line.partner_id = ANY(%s)", partners.ids))
        if lines is not None:
            filters.append(SQL("line.id = ANY(%s)", lines.ids))
        days = SQL("(%s::date - COALESCE(line.date_maturity, line.date))", today)
        describe = SQL(
            """move.invoice_user_id,
                   customer.responsible_id,
                   partner.country_id,
                   line.debtor_level_id AS level_id,
                   COALESCE(customer.policy_id, policy.id) AS policy_id,""") if not totals_only else SQL(
            """NULL::int AS invoice_user_id,
                   NULL::int AS responsible_id,
                   NULL::int AS country_id,
                   NULL::int AS level_id,
                   NULL::int AS policy_id,""")
        describe_joins = SQL(
            """LEFT JOIN account_move move ON move.id = line.move_id
              LEFT JOIN res_partner partner ON partner.id = line.partner_id
              LEFT JOIN debtor_followup_policy policy
                     ON policy.company_id = line.company_id AND policy.is_default AND policy.active""") \
            if not totals_only else SQL()
        return SQL(
            """
            SELECT line.id,
                   line.move_id,
                   line.partner_id,
                   line.company_id,
                   line.company_currency_id AS currency_id,
                   line.currency_id AS item_currency_id,
                   %(describe)s
                   line.date,
                   COALESCE(line.date_maturity, line.date) AS date_maturity,
                   %(days)s AS days_overdue,
                   %(reason)s AS exclusion_reason,
                   CASE WHEN %(reason)s IN ('manual', 'customer', 'no_followup') THEN 'excluded'
                        ELSE COALESCE(%(reason)s, 'followed')
                   END AS followup_state,
                   line.amount_residual,
                   GREATEST(line.amount_residual, 0) AS amount_open,
                   LEAST(line.amount_residual, 0) AS amount_credit,
                   CASE WHEN line.amount_residual > 0 AND %(days)s > 0 THEN line.amount_residual ELSE 0 END
                       AS amount_overdue,
                   COALESCE(disputed.amount, 0) AS amount_disputed,
                   line.amount_residual_currency,
                   CASE WHEN line.amount_residual > 0 THEN line.amount_residual_currency ELSE 0 END
                       AS amount_open_currency,
                   CASE WHEN line.amount_residual < 0 THEN line.amount_residual_currency ELSE 0 END
                       AS amount_credit_currency,
                   CASE WHEN line.amount_residual > 0 AND %(days)s > 0 THEN line.amount_residual_currency ELSE 0 END
                       AS amount_overdue_currency,
                   COALESCE(disputed.amount_currency, 0) AS amount_disputed_currency
              FROM account_move_line line
              %(describe_joins)s
              LEFT JOIN debtor_customer customer
                     ON customer.partner_id = line.partner_id AND customer.company_id = line.company_id
              LEFT JOIN (SELECT DISTINCT handover.move_id FROM debtor_handover_line handover
                          WHERE handover.state IN %(handover_states)s) AS handed_over
                     ON handed_over.move_id = line.move_id
              LEFT JOIN (
                    -- an open dispute's amount on its invoice's open items, earliest due first
                    SELECT item.id,
                           GREATEST(LEAST(item.amount_residual, dispute.amount
                                          - COALESCE(SUM(item.amount_residual) OVER earlier, 0)), 0) AS amount,
                           GREATEST(LEAST(item.amount_residual_currency, dispute.amount_currency
                                          - COALESCE(SUM(item.amount_residual_currency) OVER earlier, 0)), 0)
                               AS amount_currency
                      FROM (SELECT move_id, SUM(disputed_amount_company) AS amount,
                                   SUM(disputed_amount) AS amount_currency
                              FROM debtor_dispute
                             WHERE state IN %(dispute_states)s
                          GROUP BY move_id) AS dispute
                      JOIN account_move_line item
                        ON item.move_id = dispute.move_id
                       AND item.account_id = ANY(%(accounts)s)
                       AND item.reconciled IS NOT TRUE
                       AND item.parent_state = 'posted'
                       AND item.amount_residual > 0
                    WINDOW earlier AS (PARTITION BY item.move_id
                                       ORDER BY COALESCE(item.date_maturity, item.date), item.id
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   ) AS disputed ON disputed.id = line.id
              LEFT JOIN (SELECT DISTINCT rel.move_id FROM debtor_payment_plan_move_rel rel
                           JOIN debtor_payment_plan plan ON plan.id = rel.plan_id
                          WHERE plan.state IN %(plan_states)s) AS planned
                     ON planned.move_id = line.move_id
              LEFT JOIN (SELECT DISTINCT rel.line_id FROM debtor_promise_line_rel rel
                           JOIN debtor_promise promise ON promise.id = rel.promise_id
                          WHERE promise.state IN %(promise_states)s) AS promised
                     ON promised.line_id = line.id
              LEFT JOIN (SELECT DISTINCT rel.move_id FROM debtor_portal_answer_move_rel rel
                           JOIN debtor_portal_answer answer ON answer.id = rel.answer_id
                          WHERE answer.kind = 'paid' AND answer.pause_until > %(today)s) AS reported_paid
                     ON reported_paid.move_id = line.move_id
             WHERE line.account_id = ANY(%(accounts)s)
               AND line.reconciled IS NOT TRUE
               AND line.parent_state = 'posted'
               AND line.partner_id IS NOT NULL
               AND line.amount_residual != 0
               AND %(filters)s
            """,
            describe=describe, describe_joins=describe_joins, days=days, accounts=accounts,
            handover_states=EXCLUDING_HANDOVER_STATES, dispute_states=EXCLUDING_DISPUTE_STATES,
            plan_states=EXCLUDING_PLAN_STATES, promise_states=EXCLUDING_PROMISE_STATES,
            reason=self._exclusion_reason_sql(), filters=SQL(" AND ").join(filters), today=today,
        )

    @api.model
    def _debtor_figures(self, company, partners=None, today=None):
        """The money figures of the customers of ``company``, in its currency, from ``_debtor_items_query``.

        :param partners: commercial partners (all customers with open items when None)
        :return: ``{partner_id: figures}``, where figures is a dict: ``open`` (what is owed: open invoices and
            installments), ``credits`` (open credit notes and unapplied payments, negative), ``total`` (total
            due: open + credits), ``overdue`` (what is owed past its due date; credits do not reduce it),
            ``disputed`` (in open disputes), ``plan`` (on an active payment plan), ``promised`` (under an open
            promise to pay), ``collection`` (handed over to an agency), ``excluded`` (left out by hand or with the
            customer), and ``oldest_overdue_days`` (of the oldest item owed past its due date, 0 without); customers
            without open items are left out
        """
        today = today or fields.Date.context_today(self)
        states = ("plan", "promise", "collection", "excluded")
        self.env.cr.execute(SQL(
            """SELECT item.partner_id,
                      SUM(item.amount_open), SUM(item.amount_credit), SUM(item.amount_residual),
                      SUM(item.amount_overdue), SUM(item.amount_disputed),
                      %(by_state)s,
                      COALESCE(MAX(item.days_overdue) FILTER (WHERE item.amount_overdue > 0), 0)
                 FROM (%(items)s) AS item
             GROUP BY item.partner_id""",
            items=self._debtor_items_query(today, companies=company, partners=partners, totals_only=True),
            by_state=SQL(", ").join(
                SQL("COALESCE(SUM(item.amount_residual) FILTER (WHERE item.followup_state = %s), 0)", state)
                for state in states),
        ))
        rows = self.env.cr.fetchall()
        round_ = company.currency_id.round
        keys = ("open", "credits", "total", "overdue", "disputed", "plan", "promised", "collection", "excluded")
        result = {}
        for partner_id, *values, oldest in rows:
            result[partner_id] = dict(zip(keys, (round_(float(value)) for value in values), strict=True))
            result[partner_id]["oldest_overdue_days"] = oldest
        return result

    @api.model
    def _debtor_items_table(self, lines, today):
        """What the open items table of statements, letters and reminders shows for ``lines``: the items owed
        and, on their own lines, the customers' open credits (credit notes, unapplied payments), with totals per
        currency that add up, from ``_debtor_items_query``. A batch of reminders computes the tables of all its
        customers at once (``_debtor_items_tables``) and passes them in the context key ``debtor_followup``.

        :return: dict with ``debits`` and ``credits`` (``account.move.line``, earliest due first), ``disputed``
            (``{line_id: disputed amount in the item's currency}``), ``totals`` (list of
            ``(currency, figures)`` with figures ``open``, ``credits``, ``total``, ``overdue``, ``disputed`` in
            that currency) and ``fmt`` (an ``ItemsFormatter`` in the language of the environment)
        """
        batch = self.env.context.get("debtor_followup") or {}
        table = (batch.get("items_tables") or {}).get(self._debtor_items_key(lines, today))
        if table:
            prefetch = batch.get("items_prefetch_ids") or [*table["debits"], *table["credits"]]
        else:
            table = self._debtor_items_tables([lines], today)[0]
            prefetch = [*table["debits"], *table["credits"]]
        Line, Currency = self.env["account.move.line"], self.env["res.currency"]
        return {
            "debits": Line.browse(table["debits"]).with_prefetch(prefetch),
            "credits": Line.browse(table["credits"]).with_prefetch(prefetch),
            "disputed": table["disputed"],
            "totals": [(Currency.browse(currency_id), figures) for currency_id, figures in table["totals"]],
            "fmt": ItemsFormatter(self.env),
        }

    @api.model
    def _debtor_items_key(self, lines, today):
        return f"{today}:{','.join(str(line_id) for line_id in sorted(lines.ids))}"

    @api.model
    def _debtor_items_tables(self, line_groups, today):
        """The open items tables of several groups of lines (one per customer) in two queries per company and one
        in all, whatever the number of groups: the data of ``_debtor_items_table`` as ids and figures.

        :param line_groups: list of ``account.move.line`` recordsets
        :return: list of dicts with ``debits``, ``credits`` (line ids, earliest due first), ``disputed`` and
            ``totals`` (list of ``(currency id, figures)``), in the order of ``line_groups``
        """
        Line = self.env["account.move.line"]
        all_lines = Line.concat(*line_groups)
        credits = Line
        for company, company_lines in all_lines.grouped("company_id").items():
            credits |= Line.search(self._open_lines_domain(company, company_lines.partner_id.commercial_partner_id)
                                   + [("amount_residual", "<", 0)])
        rows = {}
        if all_lines | credits:
            self.env.cr.execute(SQL(
                """SELECT id, item_currency_id, amount_open_currency, amount_credit_currency,
                          amount_overdue_currency, amount_disputed_currency
                     FROM (%s) AS item""",
                self._debtor_items_query(today, lines=all_lines | credits, totals_only=True)))
            rows = {row[0]: row for row in self.env.cr.fetchall()}
        credits_by_key = defaultdict(list)
        for credit in credits:
            credits_by_key[credit.partner_id.id, credit.company_id.id].append(credit.id)
        order = lambda line: (line.date_maturity or line.date, line.id)  # noqa: E731
        tables = []
        for lines in line_groups:
            keys = {(line.partner_id.commercial_partner_id.id, line.company_id.id) for line in lines}
            credit_ids = [credit_id for key in keys for credit_id in credits_by_key[key]]
            items = (lines | Line.browse(credit_ids)).filtered(lambda line: line.id in rows)
            by_currency = defaultdict(lambda: dict.fromkeys(("open", "credits", "overdue", "disputed"), 0.0))
            for item in items:
                _line_id, currency_id, amount_open, amount_credit, amount_overdue, amount_disputed = rows[item.id]
                figures = by_currency[currency_id]
                figures["open"] += amount_open
                figures["credits"] += amount_credit
                figures["overdue"] += amount_overdue
                figures["disputed"] += amount_disputed
            totals = []
            for currency in self.env["res.currency"].browse(sorted(by_currency)):
                figures = {key: currency.round(value) for key, value in by_currency[currency.id].items()}
                figures["total"] = currency.round(figures["open"] + figures["credits"])
                totals.append((currency.id, figures))
            tables.append({
                "debits": items.filtered(lambda line: line.amount_residual > 0).sorted(order).ids,
                "credits": items.filtered(lambda line: line.amount_residual < 0).sorted(order).ids,
                "disputed": {item.id: rows[item.id][5] for item in items if rows[item.id][5]},
                "totals": totals,
            })
        return tables

    @api.model
    def _usual_delays(self, company, partners=None, today=None):
        """The usual payment delay of the customers of ``company``: the average days between due date and payment
        of their invoice items fully paid in the last ``DELAY_MONTHS`` months (invoices cancelled by a credit note
        left out). One query, whatever the number of customers.

        :param partners: commercial partners to compute (all when None)
        :return: ``{partner_id: days}``, only for customers with such history
        """
        today = today or fields.Date.context_today(self)
        self.env["account.move.line"].flush_model(
            ["account_id", "company_id", "partner_id", "move_id", "date", "date_maturity", "debtor_date_paid",
             "parent_state"])
        self.env["account.move"].flush_model(["move_type", "payment_state"])
        partner_filter = SQL("AND line.partner_id IN %s", tuple(partners.ids)) if partners is not None else SQL()
        self.env.cr.execute(SQL(
            """SELECT line.partner_id,
                      ROUND(AVG(line.debtor_date_paid - COALESCE(line.date_maturity, line.date)))::int
                 FROM account_move_line line
                 JOIN account_move move ON move.id = line.move_id
                WHERE line.company_id = %(company)s
                  AND line.account_id = ANY(%(accounts)s)
                  AND line.debtor_date_paid > %(start)s
                  AND line.debtor_date_paid <= %(today)s
                  AND line.parent_state = 'posted'
                  AND line.partner_id IS NOT NULL
                  AND move.move_type = 'out_invoice'
                  AND move.payment_state != 'reversed'
                  %(partner_filter)s
             GROUP BY line.partner_id""",
            company=company.id, accounts=self.env["account.move.line"]._debtor_receivable_account_ids(),
            start=today - relativedelta(months=DELAY_MONTHS), today=today, partner_filter=partner_filter,
        ))
        return dict(self.env.cr.fetchall())

    @api.model
    def _refresh_usual_delays(self, company, partners=None, today=None):
        """Write the usual payment delay of the debtor files of ``partners`` (all when None) in ``company``: two
        queries and one update per thousand files. Called when payments are matched or undone (with the files'
        refresh), for new files, and by the nightly cron for every company (the twelve-month window moves)."""
        if partners is not None:
            partners = partners.commercial_partner_id
            if not partners:
                return
        Customer = self.sudo().with_context(active_test=False)
        delays = Customer._usual_delays(company, partners, today)
        domain = [("company_id", "=", company.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        files = Customer.search_fetch(domain, ["partner_id"])
        Customer._bulk_write(DELAY_COLUMNS,
                             [[debtor_file.id, delays.get(debtor_file.partner_id.id, 0)] for debtor_file in files])
