from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..models.debtor_followup_action import ACTION_STATES

CHANNELS = [
    ("email", "Email"),
    ("letter", "Letter"),
    ("activity", "Activity"),
    ("fee", "Fee Invoice"),
    ("note", "Note Only"),
]


class DebtorReportActivity(models.Model):
    """Follow-up activity: one row per follow-up action (done or failed), from the run logs and manual sends.

    An action may use several channels; ``channel`` is its main one (email, else letter, else activity, else fee
    invoice, else a chatter note), the channel counts say how many actions used each.
    """

    _name = "debtor.report.activity"
    _inherit = "debtor.report.mixin"
    _description = "Follow-up Activity"
    _auto = False
    _rec_name = "action_id"
    _order = "date desc, id desc"

    action_id = fields.Many2one(comodel_name="debtor.followup.action", string="Follow-up Action", readonly=True)
    run_id = fields.Many2one(comodel_name="debtor.followup.run", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    level_id = fields.Many2one(comodel_name="debtor.followup.level", readonly=True)
    policy_id = fields.Many2one(comodel_name="debtor.followup.policy", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="By", readonly=True)
    date = fields.Date(readonly=True)
    origin = fields.Selection(selection=[("run", "Nightly Run"), ("manual", "By Hand")], readonly=True)
    state = fields.Selection(selection=ACTION_STATES, string="Status", readonly=True)
    channel = fields.Selection(selection=CHANNELS, readonly=True)
    action_count = fields.Integer(string="Actions", readonly=True)
    email_count = fields.Integer(string="Emails", readonly=True)
    letter_count = fields.Integer(string="Letters", readonly=True)
    activity_count = fields.Integer(string="Activities", readonly=True)
    fee_count = fields.Integer(string="Fee Invoices", readonly=True)
    failed_count = fields.Integer(string="Failures", readonly=True)
    amount_due = fields.Monetary(string="Amount Reminded", readonly=True)

    _depends = {
        "debtor.followup.action": ["run_id", "partner_id", "company_id", "level_id", "policy_id", "user_id", "date",
                                   "manual", "state", "email_sent", "letter_attachment_id", "activity_id",
                                   "fee_move_id", "amount_due"],
    }

    def _report_query(self):
        return SQL(
            """
            SELECT action.id,
                   action.id AS action_id,
                   action.run_id,
                   action.partner_id,
                   action.company_id,
                   company.currency_id,
                   action.level_id,
                   action.policy_id,
                   action.user_id,
                   action.date,
                   CASE WHEN action.manual THEN 'manual' ELSE 'run' END AS origin,
                   action.state,
                   CASE WHEN action.email_sent THEN 'email'
                        WHEN action.letter_attachment_id IS NOT NULL THEN 'letter'
                        WHEN action.activity_id IS NOT NULL THEN 'activity'
                        WHEN action.fee_move_id IS NOT NULL THEN 'fee'
                        ELSE 'note' END AS channel,
                   1 AS action_count,
                   CASE WHEN action.email_sent THEN 1 ELSE 0 END AS email_count,
                   CASE WHEN action.letter_attachment_id IS NOT NULL THEN 1 ELSE 0 END AS letter_count,
                   CASE WHEN action.activity_id IS NOT NULL THEN 1 ELSE 0 END AS activity_count,
                   CASE WHEN action.fee_move_id IS NOT NULL THEN 1 ELSE 0 END AS fee_count,
                   CASE WHEN action.state = 'failed' THEN 1 ELSE 0 END AS failed_count,
                   action.amount_due
              FROM debtor_followup_action action
              JOIN res_company company ON company.id = action.company_id
             WHERE action.state IN ('done', 'failed')
            """,
        )
