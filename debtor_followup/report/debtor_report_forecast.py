from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import format_date

FORECAST_WEEKS = 12
SOURCES = [
    ("invoice", "Open Item"),
    ("installment", "Plan Installment"),
]


class DebtorReportForecast(models.Model):
    """Cash-in forecast: what each open receivable item or payment plan installment is expected to bring in, and
    in which week.

    Each customer's usual delay is the one its debtor file keeps (``usual_delay_days``: the average number of days
    between due date and full payment of its invoice items fully paid in the last twelve months, 0 without such
    history, negative for early payers), refreshed after each payment and every night. An open item is
    expected on its due date plus that delay, and never before today: items already later than that
    (``behind_usual``) are expected this week. The undisputed part of an item only is expected (an open dispute's
    amount is spread over its invoice's open items); invoices on an active payment plan are replaced by the plan's
    unpaid installments at their due dates (today for those already late), never more than the plan's invoices
    still owe. Open credits (credit notes, unapplied payments) are not receipts: they are set off against the
    customer's earliest expected receipts (``amount_credited``), so that a customer is never expected to pay more
    than it owes net of its credits and disputes. The open items and their disputed parts are those of
    ``debtor.customer._debtor_items_query``. Week 1 is the current week (Monday to Sunday), week 12 ends eleven
    weeks later, anything after is ``later``; the weeks are named by their Monday. Amounts in the company's currency.
    """

    _name = "debtor.report.forecast"
    _inherit = "debtor.report.mixin"
    _description = "Cash-in Forecast"
    _auto = False
    _rec_name = "partner_id"
    _order = "expected_date, id"

    source = fields.Selection(selection=SOURCES, readonly=True)
    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", readonly=True)
    plan_id = fields.Many2one(comodel_name="debtor.payment.plan", string="Payment Plan", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    invoice_user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    delay_days = fields.Integer(string="Usual Delay (days)", readonly=True, aggregator="avg",
                                help="The customer's average days between due date and payment.")
    expected_date = fields.Date(readonly=True)
    week_start = fields.Date(string="Week Of", readonly=True)
    week = fields.Selection(selection="_selection_week", string="Forecast Week", readonly=True)
    behind_usual = fields.Boolean(string="Later Than Usual", readonly=True,
                                  help="Already later than the customer's usual delay: expected now.")
    amount = fields.Monetary(string="Expected Amount", readonly=True)
    amount_disputed = fields.Monetary(string="Disputed (left out)", readonly=True)
    amount_credited = fields.Monetary(string="Offset by Credits", readonly=True,
                                      help="Left out: the customer's open credit notes and unapplied payments.")

    _depends = {
        "account.move.line": ["move_id", "partner_id", "company_id", "company_currency_id", "account_id", "date",
                              "date_maturity", "amount_residual", "amount_residual_currency", "currency_id",
                              "reconciled", "parent_state", "no_followup", "debtor_manual_exclusion"],
        "account.move": ["move_type", "invoice_user_id", "payment_state", "amount_total", "amount_total_signed"],
        "debtor.customer": ["usual_delay_days"],
        "debtor.dispute": ["state", "move_id", "disputed_amount", "disputed_amount_company"],
        "debtor.payment.plan": ["state", "move_ids", "partner_id", "company_id", "user_id"],
        "debtor.payment.plan.line": ["plan_id", "due_date", "amount", "amount_paid"],
    }

    @api.model
    def _selection_week(self):
        """The forecast weeks, named by their Monday ("Week of 30 Nov 2026") from the user's today."""
        week_one = self._week_one(fields.Date.context_today(self))
        label = lambda week: format_date(self.env, week_one + timedelta(weeks=week), date_format="d MMM y")  # noqa: E731
        return [
            *[(f"w{week + 1:02d}", self.env._("Week of %(date)s", date=label(week))) for week in range(FORECAST_WEEKS)],
            ("later", self.env._("From %(date)s", date=label(FORECAST_WEEKS))),
        ]

    @staticmethod
    def _week_one(today):
        """The Monday of the week of ``today``: the first day of the forecast."""
        return today - timedelta(days=today.weekday())

    def _report_query(self):
        return self._forecast_query(fields.Date.context_today(self),
                                    totals_only=self.env.context.get("debtor_report_totals_only", False))

    def _forecast_query(self, today, totals_only=False):
        """The rows of the report on ``today``; ``totals_only`` leaves the salesperson out (empty)."""
        week_one = self._week_one(today)
        return SQL(
            """
            WITH item AS (%(items)s),
            planned AS (
                SELECT DISTINCT rel.move_id
                  FROM debtor_payment_plan_move_rel rel
                  JOIN debtor_payment_plan plan ON plan.id = rel.plan_id
                 WHERE plan.state = 'active'
            ),
            credit AS (
                SELECT partner_id, company_id, -SUM(amount_credit) AS amount
                  FROM item
                 WHERE amount_credit < 0
              GROUP BY partner_id, company_id
            ),
            plan_open AS (
                SELECT rel.plan_id, SUM(item.amount_open) AS amount
                  FROM debtor_payment_plan_move_rel rel
                  JOIN item ON item.move_id = rel.move_id
              GROUP BY rel.plan_id
            ),
            rate AS (%(plan_rate)s),
            installment AS (
                SELECT installment.id,
                       plan.id AS plan_id,
                       plan.partner_id,
                       plan.company_id,
                       company.currency_id,
                       plan.user_id,
                       installment.due_date,
                       ROUND((installment.amount - installment.amount_paid) * COALESCE(rate.rate, 1), 2) AS amount,
                       COALESCE(plan_open.amount, 0) AS plan_open
                  FROM debtor_payment_plan_line installment
                  JOIN debtor_payment_plan plan ON plan.id = installment.plan_id
                  JOIN res_company company ON company.id = plan.company_id
                  LEFT JOIN rate ON rate.plan_id = plan.id
                  LEFT JOIN plan_open ON plan_open.plan_id = plan.id
                 WHERE plan.state = 'active'
                   AND installment.amount > installment.amount_paid
            ),
            expected AS (
                SELECT 2 * item.id AS id,
                       'invoice' AS source,
                       item.move_id,
                       NULL::int AS plan_id,
                       item.partner_id,
                       item.company_id,
                       item.currency_id,
                       item.invoice_user_id,
                       item.date_maturity,
                       COALESCE(customer.usual_delay_days, 0) AS delay_days,
                       item.date_maturity + COALESCE(customer.usual_delay_days, 0) AS usual_date,
                       ROUND(item.amount_open - item.amount_disputed, 2) AS amount,
                       ROUND(item.amount_disputed, 2) AS amount_disputed
                  FROM item
                  LEFT JOIN debtor_customer customer
                         ON customer.company_id = item.company_id AND customer.partner_id = item.partner_id
                 WHERE item.amount_open > 0
                   AND item.move_id NOT IN (SELECT move_id FROM planned)
                 UNION ALL
                -- a plan's installments, never more than its invoices still owe
                SELECT 2 * installment.id + 1,
                       'installment',
                       NULL,
                       installment.plan_id,
                       installment.partner_id,
                       installment.company_id,
                       installment.currency_id,
                       installment.user_id,
                       installment.due_date,
                       0,
                       installment.due_date,
                       GREATEST(LEAST(installment.amount, installment.plan_open - COALESCE(SUM(installment.amount)
                           OVER (PARTITION BY installment.plan_id ORDER BY installment.due_date, installment.id
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)), 0),
                       0
                  FROM installment
            ),
            dated AS (
                SELECT expected.*, GREATEST(expected.usual_date, %(today)s) AS expected_date
                  FROM expected
            ),
            netted AS (
                -- the customer's open credits set off against its earliest expected receipts
                SELECT dated.*,
                       GREATEST(LEAST(dated.amount, SUM(dated.amount) OVER (
                           PARTITION BY dated.partner_id, dated.company_id ORDER BY dated.expected_date, dated.id
                           ROWS UNBOUNDED PRECEDING) - COALESCE(credit.amount, 0)), 0) AS amount_net
                  FROM dated
                  LEFT JOIN credit ON credit.partner_id = dated.partner_id AND credit.company_id = dated.company_id
            )
            SELECT netted.id,
                   netted.source,
                   netted.move_id,
                   netted.plan_id,
                   netted.partner_id,
                   netted.company_id,
                   netted.currency_id,
                   netted.invoice_user_id,
                   netted.date_maturity,
                   netted.delay_days,
                   netted.expected_date,
                   date_trunc('week', netted.expected_date)::date AS week_start,
                   CASE WHEN netted.expected_date >= %(horizon)s THEN 'later'
                        ELSE 'w' || LPAD((((date_trunc('week', netted.expected_date)::date
                                            - %(week_one)s) / 7) + 1)::text, 2, '0')
                   END AS week,
                   netted.usual_date < %(today)s AS behind_usual,
                   netted.amount_net AS amount,
                   netted.amount_disputed,
                   netted.amount - netted.amount_net AS amount_credited
              FROM netted
            """,
            items=self.env["debtor.customer"]._debtor_items_query(today, totals_only=totals_only),
            today=today, week_one=week_one, horizon=week_one + timedelta(weeks=FORECAST_WEEKS),
            plan_rate=self._plan_rate_query(),
        )
