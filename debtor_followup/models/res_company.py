from odoo import api
from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    debtor_dispute_approval_amount = fields.Monetary(
        string="Dispute Approval Amount",
        currency_field="currency_id",
        help="Disputes above this amount (company currency) are accepted by a Credit Manager only. 0: no limit.",
    )
    debtor_dispute_rejection_resume = fields.Selection(
        selection=[("same", "At the level it had"), ("next", "At the next level, at once")],
        string="After a Rejected Dispute",
        default="next",
        required=True,
        help="Where the follow-up of an invoice resumes once its dispute is rejected.",
    )

    debtor_plan_approval_amount = fields.Monetary(
        string="Plan Approval Amount",
        currency_field="currency_id",
        default=5000.0,
        help="Payment plans above this total (company currency) need a Credit Manager's approval. 0: no limit.",
    )
    debtor_plan_approval_installments = fields.Integer(
        string="Plan Approval Installments",
        default=6,
        help="Payment plans with more installments than this need a Credit Manager's approval. 0: no limit.",
    )
    debtor_plan_reminder_days_before = fields.Integer(
        string="Installment Reminder Before (days)", default=3,
        help="Remind the customer this many days before an installment falls due. 0: no reminder.")
    debtor_plan_reminder_days_after = fields.Integer(
        string="Installment Reminder After (days)", default=3,
        help="Remind the customer this many days after a missed installment. 0: no reminder.")
    debtor_plan_grace_days = fields.Integer(
        string="Plan Grace Period (days)", default=10,
        help="A plan breaks when an installment is still unpaid this many days after its due date.")

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["debtor.followup.policy"].sudo()._ensure_company_default(companies)
        return companies
