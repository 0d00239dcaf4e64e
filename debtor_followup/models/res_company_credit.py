from odoo import fields
from odoo import models

CREDIT_ENFORCEMENT = [
    ("off", "Off"),
    ("warn", "Warn"),
    ("block", "Block"),
]


class ResCompanyCredit(models.Model):
    """The company's credit control settings."""

    _inherit = "res.company"

    debtor_credit_enforcement = fields.Selection(
        selection=CREDIT_ENFORCEMENT,
        string="Credit Control on Posting",
        default="off",
        required=True,
        help="When a customer invoice is posted for a customer over its credit limit, on credit hold, or whose "
             "credit check was refused or has expired. Warn: posted, with a note in the invoice's chatter. "
             "Block: refused unless a Credit Manager entered an override reason on the invoice.",
    )
    debtor_credit_validity_days = fields.Integer(
        string="Credit Check Validity (days)", default=365,
        help="How long a new credit check is valid by default.")
    debtor_credit_hold_score = fields.Integer(
        string="Hold Below Score", default=20,
        help="Customers whose internal score is below this are on credit hold. 0: never.")
    debtor_credit_hold_overdue_days = fields.Integer(
        string="Hold After Days Overdue", default=90,
        help="Customers with an item overdue by more days than this are on credit hold. 0: never.")
    debtor_credit_vies = fields.Boolean(
        string="Verify VAT Numbers Online (VIES)",
        help="Ask the EU VIES service about the customer's VAT number when a credit check is recorded. When VIES "
             "cannot be reached the check goes on and the answer reads 'not verified online'.")
