from odoo import fields
from odoo import models


class ResCompany(models.Model):
    """Where and how far ahead the installments of direct-debit payment plans are collected."""

    _inherit = "res.company"

    debtor_sdd_payment_mode_id = fields.Many2one(
        comodel_name="account.payment.mode",
        string="Direct Debit Payment Mode",
        check_company=True,
        domain="[('payment_type', '=', 'inbound'), ('payment_method_id.code', '=', 'sepa_direct_debit'), "
               "('company_id', '=', id)]",
        help="The SEPA direct debit payment mode the installments of direct-debit payment plans are collected "
             "with. Empty: no installment is collected by direct debit.",
    )
    debtor_sdd_days_ahead = fields.Integer(
        string="Collect Installments Due Within (days)",
        default=7,
        help="Each night, the installments of direct-debit payment plans due within this many days go into a "
             "direct-debit payment order, one order per collection date.",
    )
