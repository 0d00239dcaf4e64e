from odoo import fields
from odoo import models


class DebtorDisputeReason(models.Model):
    """Why customers dispute invoices, with the time allowed to resolve each kind (SLA)."""

    _name = "debtor.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    sla_days = fields.Integer(string="SLA (days)", default=14, required=True,
                              help="Days allowed to resolve a dispute of this kind.")

    _sla_positive = models.Constraint("CHECK(sla_days >= 0)", "An SLA cannot be negative.")
