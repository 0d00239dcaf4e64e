from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debtor_dispute_approval_amount = fields.Monetary(
        related="company_id.debtor_dispute_approval_amount", readonly=False, currency_field="currency_id")
    debtor_dispute_rejection_resume = fields.Selection(
        related="company_id.debtor_dispute_rejection_resume", readonly=False)
