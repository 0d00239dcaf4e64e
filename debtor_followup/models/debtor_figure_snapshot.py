from datetime import date

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

# the figures of debtor.customer._debtor_figures kept by the snapshot: (key there, field here)
FIGURE_FIELDS = [
    ("open", "amount_open"), ("credits", "amount_credit"), ("total", "amount_total"), ("overdue", "amount_overdue"),
    ("disputed", "amount_disputed"), ("plan", "amount_plan"), ("promised", "amount_promised"),
    ("collection", "amount_collection"), ("excluded", "amount_excluded"),
]


class DebtorFigureSnapshot(models.Model):
    """The receivable figures of one company on one day, kept by the nightly follow-up run.

    Today's figures are computed when they are read (work queue, aging, dashboard); yesterday's are gone. The run
    writes one snapshot per company and day from the one definition of the figures
    (``debtor.customer._debtor_figures`` and ``_debtor_items_query``, bucketed as the aging report does), so the
    trend of the overdue, the aging and the DSO can be charted by month. ``month_last`` marks the latest snapshot of
    each month: a monthly chart sums those only.
    """

    _name = "debtor.figure.snapshot"
    _description = "Receivable Figures Snapshot"
    _order = "company_id, date desc"
    _rec_name = "date"
    _check_company_auto = True

    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", required=True,
                                  readonly=True)
    date = fields.Date(required=True, index=True, readonly=True)
    month_last = fields.Boolean(string="Latest of Its Month", index=True, readonly=True,
                                help="The latest snapshot of its month and company: the one a monthly chart reads.")
    customer_count = fields.Integer(string="Customers With Open Items", readonly=True, aggregator="sum")
    overdue_customer_count = fields.Integer(string="Customers Overdue", readonly=True, aggregator="sum")
    amount_open = fields.Monetary(string="Owed", readonly=True)
    amount_credit = fields.Monetary(string="Credits", readonly=True)
    amount_total = fields.Monetary(string="Total Due", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_disputed = fields.Monetary(string="Disputed", readonly=True)
    amount_plan = fields.Monetary(string="On Payment Plans", readonly=True)
    amount_promised = fields.Monetary(string="Promised", readonly=True)
    amount_collection = fields.Monetary(string="Handed Over", readonly=True)
    amount_excluded = fields.Monetary(string="Excluded", readonly=True)
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_91_120 = fields.Monetary(string="91-120", readonly=True)
    amount_over_120 = fields.Monetary(string="Over 120", readonly=True)
    dso = fields.Float(string="DSO (days)", readonly=True, aggregator="avg", digits=(16, 1),
                       help="Days sales outstanding of the snapshot's month (countback, as the DSO report).")

    _company_date_unique = models.Constraint(
        "UNIQUE(company_id, date)", "There is one snapshot of the figures per company and day.")

    @api.model
    def _take(self, company, today):
        """Called from the nightly run: write the figures of ``company`` on ``today`` (again, if the run of the day
        is resumed or run twice) and mark it the latest of its month.

        :return: the snapshot
        """
        self = self.sudo()  # figures are maintained by the system
        figures = self.env["debtor.customer"]._debtor_figures(company, today=today)
        vals = {
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "date": today,
            "month_last": True,
            "customer_count": len(figures),
            "overdue_customer_count": sum(1 for fig in figures.values() if fig["overdue"] > 0),
            "dso": self._dso(company, today),
        }
        for key, field in FIGURE_FIELDS:
            vals[field] = company.currency_id.round(sum(fig[key] for fig in figures.values()))
        vals.update(self._buckets(company, today))
        month_start = today.replace(day=1)
        same_month = self.search([("company_id", "=", company.id), ("date", ">=", month_start),
                                  ("date", "<", _next_month(month_start))])
        snapshot = same_month.filtered(lambda snap: snap.date == today)
        later = same_month.filtered(lambda snap: snap.date > today)
        vals["month_last"] = not later
        (same_month - snapshot - later).filtered("month_last").month_last = False
        if snapshot:
            snapshot.write(vals)
        else:
            snapshot = self.create(vals)
        return snapshot

    @api.model
    def _buckets(self, company, today):
        """The open amount of ``company`` per aging bucket on ``today``, as the aging report buckets the items of
        ``_debtor_items_query``: ``{field: amount}``."""
        # the report package registers its models after those of models/: read its constant when called
        from ..report.debtor_report_aging import BUCKET_LIMITS

        sums = SQL(", ").join(
            SQL("COALESCE(SUM(item.amount_residual) FILTER (WHERE %s), 0)",
                SQL("item.days_overdue <= %s", limit) if limit is not None else SQL("TRUE"))
            for _key, limit, _column in BUCKET_LIMITS)
        self.env.cr.execute(SQL(
            "SELECT %s FROM (%s) AS item", sums,
            self.env["debtor.customer"]._debtor_items_query(today, companies=company, totals_only=True)))
        cumulative = [float(value) for value in self.env.cr.fetchone()]
        round_ = company.currency_id.round
        result, below = {}, 0.0
        for (_key, _limit, column), upto in zip(BUCKET_LIMITS, cumulative, strict=True):
            result[column] = round_(upto - below)
            below = upto
        return result

    @api.model
    def _dso(self, company, today):
        """The DSO of ``today``'s month from the DSO report (0 when it has no row for that month)."""
        row = self.env["debtor.report.dso"].sudo().search_fetch(
            [("company_id", "=", company.id), ("date", "=", today.replace(day=1))], ["dso"], limit=1)
        return row.dso


def _next_month(month_start):
    return date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
