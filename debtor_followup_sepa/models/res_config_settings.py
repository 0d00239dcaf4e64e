from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debtor_sdd_payment_mode_id = fields.Many2one(related="company_id.debtor_sdd_payment_mode_id", readonly=False)
    debtor_sdd_days_ahead = fields.Integer(related="company_id.debtor_sdd_days_ahead", readonly=False)
