from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..models.debtor_portal_answer import ANSWER_KINDS

ROW_TYPES = [
    ("reminder", "Reminder"),
    ("answer", "Answer"),
]


class DebtorReportPortal(models.Model):
    """Self-service use: how customers answer the reminders on their page.

    One row per reminder sent (a follow-up action done) and one per answer given on the customer's page. The
    reminder rows count the reminders and, in ``answered_share``, 100 when the reminder was answered (an answer
    refers to it) else 0: its average is the share of reminders answered. The answer rows count the answers by
    kind, with the hours between the reminder and the answer (averaged).
    """

    _name = "debtor.report.portal"
    _inherit = "debtor.report.mixin"
    _description = "Self-Service Use"
    _auto = False
    _order = "date desc, id desc"

    row_type = fields.Selection(selection=ROW_TYPES, string="Row", readonly=True)
    action_id = fields.Many2one(comodel_name="debtor.followup.action", string="Reminder", readonly=True)
    answer_id = fields.Many2one(comodel_name="debtor.portal.answer", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    level_id = fields.Many2one(comodel_name="debtor.followup.level", readonly=True)
    date = fields.Date(readonly=True)
    kind = fields.Selection(selection=ANSWER_KINDS, string="Kind of Answer", readonly=True)
    reminder_count = fields.Integer(string="Reminders", readonly=True)
    answer_count = fields.Integer(string="Answers", readonly=True)
    answered_share = fields.Float(string="Reminders Answered (%)", readonly=True, aggregator="avg")
    hours_to_answer = fields.Float(string="Hours to Answer", readonly=True, aggregator="avg")

    _depends = {
        "debtor.followup.action": ["partner_id", "company_id", "level_id", "date", "state"],
        "debtor.portal.answer": ["customer_id", "kind", "action_id", "hours_to_answer", "create_date"],
    }

    def _report_query(self):
        return SQL(
            """
            SELECT action.id * 2 AS id,
                   'reminder' AS row_type,
                   action.id AS action_id,
                   NULL::int AS answer_id,
                   action.partner_id,
                   action.company_id,
                   action.level_id,
                   action.date,
                   NULL AS kind,
                   1 AS reminder_count,
                   0 AS answer_count,
                   CASE WHEN EXISTS (SELECT 1 FROM debtor_portal_answer answer WHERE answer.action_id = action.id)
                        THEN 100.0 ELSE 0.0 END AS answered_share,
                   NULL::float AS hours_to_answer
              FROM debtor_followup_action action
             WHERE action.state = 'done'
            UNION ALL
            SELECT answer.id * 2 + 1 AS id,
                   'answer' AS row_type,
                   answer.action_id,
                   answer.id AS answer_id,
                   answer.partner_id,
                   answer.company_id,
                   action.level_id,
                   answer.create_date::date AS date,
                   answer.kind,
                   0 AS reminder_count,
                   1 AS answer_count,
                   NULL::float AS answered_share,
                   CASE WHEN answer.action_id IS NOT NULL THEN answer.hours_to_answer END AS hours_to_answer
              FROM debtor_portal_answer answer
              LEFT JOIN debtor_followup_action action ON action.id = answer.action_id
            """
        )
