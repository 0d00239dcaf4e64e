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
# Rate types published for each half-year (1 January, 1 July): a table without the current half-year is stale.
HALF_YEARLY_TYPES = {"ecb", "nl_commercial", "nl_statutory", "de_base"}


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

    @api.model
    def _rate_table_checked(self, rate_type, on_date):
        """The rates of ``rate_type`` for a figure on ``on_date``, and what is wrong with them.

        :return: ``(RateTable or None, warning or "")``: no table when no rate of the type is recorded; a warning
            when the rate of the half-year of ``on_date`` is not recorded yet (the last known one is then used)
        """
        label = dict(RATE_TYPES)[rate_type]
        try:
            table = self._rate_table(rate_type)
        except ValueError:
            return None, self.env._(
                "No %(rates)s is recorded: no interest is computed. Add the rates under Reference Rates.",
                rates=label)
        if rate_type in HALF_YEARLY_TYPES:
            half_year = on_date.replace(month=1 if on_date.month <= 6 else 7, day=1)
            last = table.entries[-1][0]
            if last < half_year:
                return table, self.env._(
                    "The %(rates)s of the half-year from %(half_year)s is not recorded: the rate of %(last)s is "
                    "used.", rates=label, half_year=half_year, last=last)
        return table, ""

