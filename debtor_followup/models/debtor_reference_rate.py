from odoo import api
from odoo import fields
from odoo import models

from ..tools import late_payment

RATE_TYPES = [
    ("ecb", "ECB main refinancing rate"),
    ("nl_commercial", "Dutch statutory commercial interest"),
    ("nl_statutory", "Dutch statutory interest (consumers)"),
    ("de_base", "German base rate (Basiszinssatz)"),
    ("uk_base", "Bank of England Bank Rate"),
]


class DebtorReferenceRate(models.Model):
    """A dated reference or base rate: the tables statutory late-payment interest is computed from.

    Shipped with the known historical values (see the README for the sources); managers add new ones as they are
    published. A rate applies from its date until the next one of the same type.
    """

    _name = "debtor.reference.rate"
    _description = "Reference Interest Rate"
    _order = "rate_type, date_from desc"

    rate_type = fields.Selection(selection=RATE_TYPES, required=True, index=True)
    date_from = fields.Date(string="Valid From", required=True)
    rate = fields.Float(string="Rate (%)", digits=(6, 4), required=True)
    note = fields.Char()

    _type_date_unique = models.Constraint(
        "UNIQUE(rate_type, date_from)", "A rate type has one rate per date.")

    @api.model
    def _rate_table(self, rate_type):
        """The rates of ``rate_type`` as the engine's ``RateTable`` (empty tables are allowed)."""
        rows = self.search_fetch([("rate_type", "=", rate_type)], ["date_from", "rate"], order="date_from")
        return late_payment.RateTable.from_records(
            [{"date_from": row.date_from, "rate": row.rate} for row in rows], name=rate_type)
