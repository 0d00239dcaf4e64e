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

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["debtor.followup.policy"].sudo()._ensure_company_default(companies)
        return companies
