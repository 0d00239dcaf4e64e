from odoo import fields
from odoo import models


class DebtorPaymentPlanLine(models.Model):
    """An installment's direct debits: the payment order lines that collect it."""

    _inherit = "debtor.payment.plan.line"

    debtor_sdd_line_ids = fields.One2many(
        comodel_name="account.payment.line", inverse_name="debtor_installment_id", string="Direct Debits",
        readonly=True)
