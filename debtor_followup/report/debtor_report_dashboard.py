from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from .debtor_report_activity import DebtorReportActivity
from .debtor_report_aging import DebtorReportAging
from .debtor_report_collection import DebtorReportCollection
from .debtor_report_dispute import DebtorReportDispute
from .debtor_report_dso import DebtorReportDso
from .debtor_report_forecast import DebtorReportForecast
from .debtor_report_plan import DebtorReportPlan
from .debtor_report_recovery import DebtorReportRecovery

# code, label, kind of figure, report action, search filters of the action
KPIS = [
    ("open", "Open Receivables", "money", "debtor_report_aging_action", {}),
    ("overdue", "Overdue", "money", "debtor_report_aging_action", {"search_default_overdue": 1}),
    ("over_90", "Overdue More Than 90 Days", "money", "debtor_report_aging_action",
     {"search_default_over_90": 1}),
    ("dso", "DSO This Month (days)", "days", "debtor_report_dso_action", {}),
    ("forecast", "Expected in the Next 4 Weeks", "money", "debtor_report_forecast_action",
     {"search_default_next_4_weeks": 1}),
    ("late_share", "Paid Late, Last 90 Days (%)", "percent", "debtor_report_collection_action",
     {"search_default_last_90_days": 1}),
    ("recovery", "Recovery Rate, Last 90 Days (%)", "percent", "debtor_report_recovery_action",
     {"search_default_last_90_days": 1}),
    ("disputed", "In Open Disputes", "money", "debtor_report_dispute_action", {"search_default_open": 1}),
    ("plans", "Remaining on Active Plans", "money", "debtor_report_plan_action", {"search_default_active": 1}),
    ("actions", "Follow-up Actions, Last 30 Days", "count", "debtor_report_activity_action",
     {"search_default_done": 1, "search_default_last_30_days": 1}),
]
KPI_SELECTION = [(code, label) for code, label, _kind, _action, _context in KPIS]
KINDS = [("money", "Amount"), ("days", "Days"), ("percent", "Percentage"), ("count", "Count")]


class DebtorReportDashboard(models.Model):
    """The credit manager's dashboard: one tile per key figure and company, each opening the report behind it.

    The figures are those of the reports (same queries, same date), so a tile and its report always agree. Open,
    overdue and disputed are those of the aging, that is of ``debtor.customer._debtor_items_query``, as on the work
    queue and the statements: overdue is what is owed past its due date (credits are part of the open total, not of
    the overdue); disputed is what open disputes hold of what their invoices still owe.
    """

    _name = "debtor.report.dashboard"
    _inherit = "debtor.report.mixin"
    _description = "Credit Management Dashboard"
    _auto = False
    _rec_name = "kpi"
    _order = "company_id, sequence"

    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    sequence = fields.Integer(readonly=True)
    kpi = fields.Selection(selection=KPI_SELECTION, string="Figure", readonly=True)
    kind = fields.Selection(selection=KINDS, readonly=True)
    value = fields.Float(readonly=True, digits=(16, 1))
    amount = fields.Monetary(readonly=True)
    count = fields.Integer(readonly=True)

    # what the reports read, so that pending writes are flushed before the tiles are computed
    _depends = {}
    for _report in (DebtorReportAging, DebtorReportDso, DebtorReportForecast, DebtorReportCollection,
                    DebtorReportRecovery, DebtorReportDispute, DebtorReportPlan, DebtorReportActivity):
        for _model, _fnames in _report._depends.items():
            _depends[_model] = sorted(set(_depends.get(_model, [])) | set(_fnames))
    del _report, _model, _fnames

    def _report_query(self):
        today = fields.Date.context_today(self)
        # the tiles read amounts only: the reports may leave out what only describes their rows
        reports = {name: SQL("(%s)", self.env[model].with_context(debtor_report_totals_only=True)._report_query())
                   for name, model in (
            ("aging", "debtor.report.aging"), ("dso", "debtor.report.dso"), ("forecast", "debtor.report.forecast"),
            ("collection", "debtor.report.collection"), ("recovery", "debtor.report.recovery"),
            ("plan", "debtor.report.plan"),
            ("activity", "debtor.report.activity"))}
        kpis = SQL(", ").join(SQL("(%s, %s, %s)", index, code, kind)
                              for index, (code, _label, kind, _action, _context) in enumerate(KPIS, start=1))
        return SQL(
            """
            WITH aging AS (
                SELECT company_id,
                       SUM(amount_residual) AS open,
                       SUM(amount_overdue) AS overdue,
                       SUM(amount_overdue) FILTER (WHERE days_overdue > 90) AS over_90,
                       SUM(amount_disputed) AS disputed
                  FROM %(aging)s a
              GROUP BY company_id
            ),
            figure AS (
                SELECT aging.company_id, totals.kpi, totals.value
                  FROM aging
                 CROSS JOIN LATERAL (VALUES ('open', aging.open), ('overdue', aging.overdue),
                                            ('over_90', aging.over_90), ('disputed', aging.disputed))
                                            AS totals(kpi, value)
                 UNION ALL
                SELECT company_id, 'dso', dso FROM %(dso)s d WHERE date = %(month)s
                 UNION ALL
                SELECT company_id, 'forecast', SUM(amount) FROM %(forecast)s f
                 WHERE week IN ('w01', 'w02', 'w03', 'w04') GROUP BY company_id
                 UNION ALL
                SELECT company_id, 'late_share', AVG(late_rate) FROM %(collection)s c
                 WHERE date_paid > %(days_90)s GROUP BY company_id
                 UNION ALL
                SELECT company_id, 'recovery', 100.0 * SUM(amount_collected) / NULLIF(SUM(amount_reminded), 0)
                  FROM %(recovery)s r WHERE date > %(days_90)s GROUP BY company_id
                 UNION ALL
                SELECT company_id, 'plans', SUM(amount_due) FROM %(plan)s p
                 WHERE plan_state = 'active' GROUP BY company_id
                 UNION ALL
                SELECT company_id, 'actions', COUNT(*) FROM %(activity)s t
                 WHERE date > %(days_30)s AND state = 'done' GROUP BY company_id
            )
            SELECT company.id * 100 + kpi.sequence AS id,
                   company.id AS company_id,
                   company.currency_id,
                   kpi.sequence,
                   kpi.code AS kpi,
                   kpi.kind,
                   ROUND(COALESCE(figure.value, 0)::numeric, 2) AS value,
                   CASE WHEN kpi.kind = 'money' THEN COALESCE(figure.value, 0) ELSE 0 END AS amount,
                   CASE WHEN kpi.kind = 'count' THEN COALESCE(figure.value, 0)::int ELSE 0 END AS count
              FROM res_company company
             CROSS JOIN (VALUES %(kpis)s) AS kpi(sequence, code, kind)
              LEFT JOIN figure ON figure.company_id = company.id AND figure.kpi = kpi.code
            """,
            **reports, kpis=kpis, month=today.replace(day=1), days_90=today - timedelta(days=90),
            days_30=today - timedelta(days=30),
        )

    def action_open_report(self):
        """Open the report behind this figure, on this figure's company and filters."""
        self.ensure_one()
        _code, _label, _kind, xmlid, context = next(kpi for kpi in KPIS if kpi[0] == self.kpi)
        action = self.env["ir.actions.act_window"]._for_xml_id(f"debtor_followup.{xmlid}")
        action["name"] = dict(self._fields["kpi"]._description_selection(self.env))[self.kpi]
        action["domain"] = [("company_id", "=", self.company_id.id)]
        action["context"] = dict(context)
        return action

    @api.model
    def _figures(self, company):
        """``{kpi: value}`` of ``company``: the figures its tiles show."""
        return {row.kpi: row.value for row in self.search([("company_id", "=", company.id)])}
