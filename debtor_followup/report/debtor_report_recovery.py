from odoo import fields
from odoo import models
from odoo.tools import SQL


class DebtorReportRecovery(models.Model):
    """Recovery per follow-up level: one row per item reminded by a follow-up action that was done.

    The amount reminded is what the item still owed on the day of the action. A payment is credited to the last
    level executed on the item on or before the payment date: the amount collected after a level is what was paid
    on the item from the day of its action to the day before the item's next action (or today). Credit notes are
    not collections. The recovery rate of a group of rows is its amount collected divided by its amount reminded.
    """

    _name = "debtor.report.recovery"
    _inherit = "debtor.report.mixin"
    _description = "Recovery by Follow-up Level"
    _auto = False
    _rec_name = "action_id"
    _order = "date desc, id"

    action_id = fields.Many2one(comodel_name="debtor.followup.action", string="Follow-up Action", readonly=True)
    line_id = fields.Many2one(comodel_name="account.move.line", string="Item", readonly=True)
    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    level_id = fields.Many2one(comodel_name="debtor.followup.level", readonly=True)
    policy_id = fields.Many2one(comodel_name="debtor.followup.policy", readonly=True)
    manual = fields.Boolean(string="By Hand", readonly=True)
    date = fields.Date(string="Reminded On", readonly=True)
    date_next = fields.Date(string="Next Action On", readonly=True)
    amount_reminded = fields.Monetary(readonly=True)
    amount_collected = fields.Monetary(string="Collected After", readonly=True)
    recovery_rate = fields.Float(string="Recovery Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
                                 help="Amount collected after the level divided by the amount reminded.")

    _depends = {
        "debtor.followup.action": ["state", "date", "level_id", "policy_id", "partner_id", "company_id", "manual",
                                   "line_ids"],
        "account.move.line": ["move_id", "balance", "company_currency_id"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
    }

    def _report_query(self):
        return SQL(
            """
            WITH item AS (
                SELECT action.id AS action_id,
                       rel.line_id,
                       action.partner_id,
                       action.company_id,
                       action.level_id,
                       action.policy_id,
                       action.manual,
                       action.date,
                       LEAD(action.date) OVER reminders AS date_next,
                       ROW_NUMBER() OVER (ORDER BY action.id, rel.line_id) AS id
                  FROM debtor_followup_action action
                  JOIN debtor_followup_action_line_rel rel ON rel.action_id = action.id
                 WHERE action.state = 'done'
                WINDOW reminders AS (PARTITION BY rel.line_id ORDER BY action.date, action.id)
            )
            -- the rows are numbered before they are joined to their payments, not after: a filter on the date
            -- (the dashboard's last 90 days, a search) then applies before the payments are read
            SELECT item.id,
                   item.action_id,
                   item.line_id,
                   item.partner_id,
                   item.company_id,
                   item.level_id,
                   item.policy_id,
                   item.manual,
                   item.date,
                   item.date_next,
                   line.move_id,
                   line.company_currency_id AS currency_id,
                   paid.reminded AS amount_reminded,
                   paid.collected AS amount_collected,
                   CASE WHEN paid.reminded > 0 THEN 100.0 * paid.collected / paid.reminded ELSE 0 END
                       AS recovery_rate
              FROM item
              JOIN account_move_line line ON line.id = item.line_id
             CROSS JOIN LATERAL (
                SELECT line.balance - COALESCE(SUM(part.amount) FILTER (WHERE part.max_date < item.date), 0)
                           AS reminded,
                       COALESCE(SUM(part.amount) FILTER (
                           WHERE part.max_date >= item.date
                             AND (item.date_next IS NULL OR part.max_date < item.date_next)
                             AND credit_move.move_type != 'out_refund'), 0) AS collected
                  FROM account_partial_reconcile part
                  JOIN account_move_line credit_line ON credit_line.id = part.credit_move_id
                  JOIN account_move credit_move ON credit_move.id = credit_line.move_id
                 WHERE part.debit_move_id = line.id
             ) AS paid
            """,
        )

    def _read_group_select(self, aggregate_spec, query):
        # the rate of a group is the ratio of its sums, not the average of its rows' rates
        if aggregate_spec == "recovery_rate:avg":
            return SQL(
                "COALESCE(100.0 * SUM(%s) / NULLIF(SUM(%s), 0), 0)",
                self._field_to_sql(self._table, "amount_collected", query),
                self._field_to_sql(self._table, "amount_reminded", query),
            )
        return super()._read_group_select(aggregate_spec, query)
