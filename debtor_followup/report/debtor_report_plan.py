from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..models.debtor_payment_plan import PLAN_STATES

TIMELINESS = [
    ("on_time", "Paid on Time"),
    ("paid_late", "Paid Late"),
    ("overdue", "Overdue"),
    ("upcoming", "Not Yet Due"),
]


class DebtorReportPlan(models.Model):
    """Payment plans analysis: one row per installment of a plan that was agreed (active, completed or broken).

    An installment is paid on time when it was fully paid on or before its due date (its ``date_paid`` is the date
    of the payment that completed it), paid late when after, overdue when unpaid past its due date. Amounts are
    converted from the plan's currency to the company's at the rate of the plan's invoices.
    """

    _name = "debtor.report.plan"
    _inherit = "debtor.report.mixin"
    _description = "Payment Plans Analysis"
    _auto = False
    _rec_name = "plan_id"
    _order = "due_date desc, id"

    plan_id = fields.Many2one(comodel_name="debtor.payment.plan", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Responsible", readonly=True)
    plan_state = fields.Selection(selection=PLAN_STATES, string="Plan Status", readonly=True)
    plan_date = fields.Date(string="Agreed On", readonly=True)
    due_date = fields.Date(readonly=True)
    date_paid = fields.Date(string="Paid On", readonly=True)
    timeliness = fields.Selection(selection=TIMELINESS, string="Installment", readonly=True)
    days_late = fields.Integer(readonly=True, aggregator="avg",
                               help="Days the installment was (or is) paid after its due date.")
    installment_count = fields.Integer(string="Installments", readonly=True)
    on_time_count = fields.Integer(string="On Time", readonly=True)
    late_count = fields.Integer(string="Late", readonly=True, help="Installments paid late or overdue.")
    amount = fields.Monetary(string="Installment Amount", readonly=True)
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    amount_due = fields.Monetary(string="Remaining", readonly=True)

    _depends = {
        "debtor.payment.plan": ["partner_id", "company_id", "user_id", "state", "date", "move_ids"],
        "debtor.payment.plan.line": ["plan_id", "due_date", "date_paid", "amount", "amount_paid", "amount_due"],
        "account.move": ["amount_total", "amount_total_signed"],
    }

    def _report_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            WITH rate AS (%(plan_rate)s),
            installment AS (
                SELECT line.id,
                       plan.id AS plan_id,
                       plan.partner_id,
                       plan.company_id,
                       company.currency_id,
                       plan.user_id,
                       plan.state AS plan_state,
                       plan.date AS plan_date,
                       line.due_date,
                       line.date_paid,
                       CASE WHEN line.amount_paid >= line.amount THEN
                                CASE WHEN COALESCE(line.date_paid, line.due_date) <= line.due_date THEN 'on_time'
                                     ELSE 'paid_late' END
                            WHEN line.due_date < %(today)s THEN 'overdue'
                            ELSE 'upcoming'
                       END AS timeliness,
                       GREATEST(CASE WHEN line.amount_paid >= line.amount
                                     THEN COALESCE(line.date_paid, line.due_date) ELSE %(today)s::date
                                END - line.due_date, 0) AS days_late,
                       ROUND(line.amount * COALESCE(rate.rate, 1), 2) AS amount,
                       ROUND(line.amount_paid * COALESCE(rate.rate, 1), 2) AS amount_paid,
                       ROUND((line.amount - line.amount_paid) * COALESCE(rate.rate, 1), 2) AS amount_due
                  FROM debtor_payment_plan_line line
                  JOIN debtor_payment_plan plan ON plan.id = line.plan_id
                  JOIN res_company company ON company.id = plan.company_id
                  LEFT JOIN rate ON rate.plan_id = plan.id
                 WHERE plan.state IN ('active', 'completed', 'broken')
            )
            SELECT installment.*,
                   1 AS installment_count,
                   CASE WHEN installment.timeliness = 'on_time' THEN 1 ELSE 0 END AS on_time_count,
                   CASE WHEN installment.timeliness IN ('paid_late', 'overdue') THEN 1 ELSE 0 END AS late_count
              FROM installment
            """,
            today=today,
            plan_rate=self._plan_rate_query(),
        )
