from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["debtor.followup.policy"].sudo()._ensure_company_default(companies)
        return companies
