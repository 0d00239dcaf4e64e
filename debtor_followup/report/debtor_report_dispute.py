from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..models.debtor_dispute import DISPUTE_STATES

DISPUTE_OUTCOMES = [
    ("pending", "Pending"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
# keys that sort in chronological order: Odoo orders the groups of a selection field by its stored value
AGE_BUCKETS = [
    ("1_0_7", "0-7 Days"),
    ("2_8_30", "8-30 Days"),
    ("3_31_60", "31-60 Days"),
    ("4_over_60", "Over 60 Days"),
]


class DebtorReportDispute(models.Model):
    """Disputes analysis: one row per dispute, with its age and whether it broke its reason's SLA.

    The age of a dispute runs from the day it was raised to the day it was resolved (today while it is open or
    under investigation; the day of cancellation is not recorded, so a cancelled dispute ages to its last update).
    An SLA is breached when a dispute was resolved after its deadline, or is still open after it. Amounts are the
    disputed amount in the company's currency.
    """

    _name = "debtor.report.dispute"
    _inherit = "debtor.report.mixin"
    _description = "Disputes Analysis"
    _auto = False
    _rec_name = "dispute_id"
    _order = "date desc, id desc"

    dispute_id = fields.Many2one(comodel_name="debtor.dispute", readonly=True)
    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    reason_id = fields.Many2one(comodel_name="debtor.dispute.reason", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Owner", readonly=True)
    responsible_id = fields.Many2one(comodel_name="res.users", string="Team Responsible", readonly=True)
    state = fields.Selection(selection=DISPUTE_STATES, string="Status", readonly=True)
    outcome = fields.Selection(selection=DISPUTE_OUTCOMES, readonly=True)
    date = fields.Date(string="Raised On", readonly=True)
    deadline = fields.Date(readonly=True)
    date_resolved = fields.Date(string="Resolved On", readonly=True)
    age_days = fields.Integer(string="Age (days)", readonly=True, aggregator="avg")
    age_bucket = fields.Selection(selection=AGE_BUCKETS, string="Age", readonly=True)
    dispute_count = fields.Integer(string="Disputes", readonly=True)
    sla_breached = fields.Boolean(string="SLA Breached", readonly=True)
    sla_breach_count = fields.Integer(string="SLA Breaches", readonly=True)
    amount = fields.Monetary(string="Disputed Amount", readonly=True)
    amount_credited = fields.Monetary(string="Credited", readonly=True,
                                      help="The credit note of an accepted dispute (company currency).")

    _depends = {
        "debtor.dispute": ["move_id", "partner_id", "company_id", "reason_id", "user_id", "responsible_id", "state",
                           "resolution", "date", "deadline", "date_resolved", "disputed_amount_company",
                           "credit_note_id"],
        "account.move": ["amount_total_signed"],
        "account.move.line": ["move_id", "account_id", "reconciled", "parent_state", "amount_residual"],
    }

    def _report_query(self):
        today = fields.Date.context_today(self)
        end = SQL("COALESCE(dispute.date_resolved, CASE WHEN dispute.state IN ('open', 'investigation') "
                  "THEN %s::date ELSE dispute.write_date::date END)", today)
        return SQL(
            """
            SELECT dispute.id,
                   dispute.id AS dispute_id,
                   dispute.move_id,
                   dispute.partner_id,
                   dispute.company_id,
                   company.currency_id,
                   dispute.reason_id,
                   dispute.user_id,
                   dispute.responsible_id,
                   dispute.state,
                   CASE WHEN dispute.state = 'cancelled' THEN 'cancelled'
                        ELSE COALESCE(dispute.resolution, 'pending') END AS outcome,
                   dispute.date,
                   dispute.deadline,
                   dispute.date_resolved,
                   GREATEST(%(end)s - dispute.date, 0) AS age_days,
                   CASE WHEN %(end)s - dispute.date <= 7 THEN '1_0_7'
                        WHEN %(end)s - dispute.date <= 30 THEN '2_8_30'
                        WHEN %(end)s - dispute.date <= 60 THEN '3_31_60'
                        ELSE '4_over_60' END AS age_bucket,
                   1 AS dispute_count,
                   COALESCE(dispute.state != 'cancelled' AND %(end)s > dispute.deadline, FALSE) AS sla_breached,
                   CASE WHEN dispute.state != 'cancelled' AND %(end)s > dispute.deadline THEN 1 ELSE 0 END
                       AS sla_breach_count,
                   -- an open dispute holds at most what its invoice still owes (as on the aging and the queue)
                   CASE WHEN dispute.state IN ('open', 'investigation')
                        THEN LEAST(dispute.disputed_amount_company, COALESCE(open.amount, 0))
                        ELSE dispute.disputed_amount_company END AS amount,
                   COALESCE(ABS(credit_note.amount_total_signed), 0) AS amount_credited
              FROM debtor_dispute dispute
              JOIN res_company company ON company.id = dispute.company_id
              LEFT JOIN account_move credit_note ON credit_note.id = dispute.credit_note_id
              LEFT JOIN (SELECT line.move_id, SUM(line.amount_residual) AS amount
                           FROM account_move_line line
                          WHERE line.account_id = ANY(%(accounts)s)
                            AND line.reconciled IS NOT TRUE
                            AND line.parent_state = 'posted'
                            AND line.amount_residual > 0
                            AND line.move_id IN (SELECT move_id FROM debtor_dispute
                                                  WHERE state IN ('open', 'investigation'))
                       GROUP BY line.move_id) AS open ON open.move_id = dispute.move_id
            """,
            end=end, accounts=self.env["account.move.line"]._debtor_receivable_account_ids(),
        )
