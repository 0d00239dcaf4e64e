from datetime import timedelta

from odoo import fields
from odoo import models
from odoo.tools import SQL

FORECAST_WEEKS = 12
FORECAST_WEEK_SELECTION = [
    *[(f"w{week:02d}", f"Week {week}") for week in range(1, FORECAST_WEEKS + 1)],
    ("later", "Later"),
]
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
    unpaid installments at their due dates (today for those already late). Open credits (credit notes, unapplied
    payments) are not receipts and are left out. Week 1 is the current week (Monday to Sunday), week 12 ends eleven
    weeks later, anything after is ``later``. Amounts in the company's currency.
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
    week = fields.Selection(selection=FORECAST_WEEK_SELECTION, string="Forecast Week", readonly=True)
    behind_usual = fields.Boolean(string="Later Than Usual", readonly=True,
                                  help="Already later than the customer's usual delay: expected now.")
    amount = fields.Monetary(string="Expected Amount", readonly=True)
    amount_disputed = fields.Monetary(string="Disputed (left out)", readonly=True)

    _depends = {
        "account.move.line": ["move_id", "partner_id", "company_id", "company_currency_id", "account_id", "date",
                              "date_maturity", "amount_residual", "reconciled", "parent_state"],
        "account.move": ["move_type", "invoice_user_id", "payment_state", "amount_total", "amount_total_signed"],
        "debtor.customer": ["usual_delay_days"],
        "debtor.dispute": ["state", "move_id", "disputed_amount_company"],
        "debtor.payment.plan": ["state", "move_ids", "partner_id", "company_id", "user_id"],
        "debtor.payment.plan.line": ["plan_id", "due_date", "amount", "amount_paid"],
    }

    def _report_query(self):
        return self._forecast_query(fields.Date.context_today(self),
                                    totals_only=self.env.context.get("debtor_report_totals_only", False))

    def _forecast_query(self, today, totals_only=False):
        """The rows of the report on ``today``; ``totals_only`` leaves the salesperson out (empty)."""
        week_one = today - timedelta(days=today.weekday())
        return SQL(
            """
            WITH planned AS (
                SELECT DISTINCT rel.move_id
                  FROM debtor_payment_plan_move_rel rel
                  JOIN debtor_payment_plan plan ON plan.id = rel.plan_id
                 WHERE plan.state = 'active'
            ),
            open_item AS (
                SELECT line.id,
                       line.move_id,
                       line.partner_id,
                       line.company_id,
                       line.company_currency_id AS currency_id,
                       %(salesperson)s AS invoice_user_id,
                       COALESCE(line.date_maturity, line.date) AS date_maturity,
                       line.amount_residual,
                       CASE WHEN dispute.amount IS NULL THEN 0
                            ELSE line.amount_residual * LEAST(dispute.amount / NULLIF(dispute.open_amount, 0), 1)
                       END AS amount_disputed
                  FROM account_move_line line
                  %(move_join)s
                  LEFT JOIN (SELECT dispute.move_id,
                                    SUM(dispute.disputed_amount_company) AS amount,
                                    (SELECT SUM(open.amount_residual)
                                       FROM account_move_line open
                                      WHERE open.move_id = dispute.move_id
                                        AND open.account_id = ANY(%(accounts)s)
                                        AND open.reconciled IS NOT TRUE
                                        AND open.parent_state = 'posted'
                                        AND open.amount_residual > 0) AS open_amount
                               FROM debtor_dispute dispute
                              WHERE dispute.state IN ('open', 'investigation')
                           GROUP BY dispute.move_id) AS dispute ON dispute.move_id = line.move_id
                 WHERE line.account_id = ANY(%(accounts)s)
                   AND line.reconciled IS NOT TRUE
                   AND line.parent_state = 'posted'
                   AND line.partner_id IS NOT NULL
                   AND line.amount_residual > 0
                   AND line.move_id NOT IN (SELECT move_id FROM planned)
            ),
            rate AS (
                SELECT rel.plan_id,
                       COALESCE(SUM(ABS(move.amount_total_signed)) / NULLIF(SUM(move.amount_total), 0), 1) AS rate
                  FROM debtor_payment_plan_move_rel rel
                  JOIN account_move move ON move.id = rel.move_id
              GROUP BY rel.plan_id
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
                       ROUND(item.amount_residual - item.amount_disputed, 2) AS amount,
                       ROUND(item.amount_disputed, 2) AS amount_disputed
                  FROM open_item item
                  LEFT JOIN debtor_customer customer
                         ON customer.company_id = item.company_id AND customer.partner_id = item.partner_id
                 UNION ALL
                SELECT 2 * installment.id + 1,
                       'installment',
                       NULL,
                       plan.id,
                       plan.partner_id,
                       plan.company_id,
                       company.currency_id,
                       plan.user_id,
                       installment.due_date,
                       0,
                       installment.due_date,
                       ROUND((installment.amount - installment.amount_paid) * COALESCE(rate.rate, 1), 2),
                       0
                  FROM debtor_payment_plan_line installment
                  JOIN debtor_payment_plan plan ON plan.id = installment.plan_id
                  JOIN res_company company ON company.id = plan.company_id
                  LEFT JOIN rate ON rate.plan_id = plan.id
                 WHERE plan.state = 'active'
                   AND installment.amount > installment.amount_paid
            )
            SELECT expected.id,
                   expected.source,
                   expected.move_id,
                   expected.plan_id,
                   expected.partner_id,
                   expected.company_id,
                   expected.currency_id,
                   expected.invoice_user_id,
                   expected.date_maturity,
                   expected.delay_days,
                   GREATEST(expected.usual_date, %(today)s) AS expected_date,
                   date_trunc('week', GREATEST(expected.usual_date, %(today)s))::date AS week_start,
                   CASE WHEN GREATEST(expected.usual_date, %(today)s) >= %(horizon)s THEN 'later'
                        ELSE 'w' || LPAD((((date_trunc('week', GREATEST(expected.usual_date, %(today)s))::date
                                            - %(week_one)s) / 7) + 1)::text, 2, '0')
                   END AS week,
                   expected.usual_date < %(today)s AS behind_usual,
                   expected.amount,
                   expected.amount_disputed
              FROM expected
            """,
            accounts=self.env["account.move.line"]._debtor_receivable_account_ids(), today=today, week_one=week_one,
            # the dashboard sums the amounts only: it spares the lookup of every open item's invoice
            salesperson=SQL("NULL::int") if totals_only else SQL("move.invoice_user_id"),
            move_join=SQL() if totals_only else SQL("LEFT JOIN account_move move ON move.id = line.move_id"),
            horizon=week_one + timedelta(weeks=FORECAST_WEEKS),
        )
