from odoo import fields
from odoo import models


class DebtorFollowupPolicy(models.Model):
    _inherit = "debtor.followup.policy"

    portal_promise_max_days = fields.Integer(
        string="Latest Promise on the Customer Page (days)", default=30,
        help="On its page a customer can promise to pay on a date at most this many days from today.")
