import json
from datetime import timedelta

from odoo import fields
from odoo.addons.debtor_followup.tests.common import DebtorFollowupCommon
from odoo.tests import HttpCase
from odoo.tests import tagged


def _charts_and_pivots(data):
    """The Odoo charts and pivots of the dashboard's JSON: (model, domain, group by, measures) each."""
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            meta = figure["data"].get("metaData")
            if meta:
                yield figure["id"], meta["resModel"], figure["data"]["searchParams"]["domain"], meta["groupBy"], [
                    meta["measure"]]
    for pivot in data["pivots"].values():
        yield (pivot["name"], pivot["model"], pivot["domain"], [row["fieldName"] for row in pivot["rows"]],
               [measure["fieldName"] for measure in pivot["measures"]])


@tagged("post_install", "-at_install")
class TestDashboard(DebtorFollowupCommon, HttpCase):
    """The credit manager's spreadsheet dashboard in Odoo's Dashboards app."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("debtor_followup_spreadsheet.spreadsheet_dashboard_debtors")
        today = fields.Date.today()
        cls.tour_customer = cls.env["res.partner"].create({
            "name": "Dashboard Tour Ltd", "is_company": True, "email": "ap@dashboardtour.example.com"})
        for amount, days_overdue in ((300.0, -5), (500.0, 10), (700.0, 45), (900.0, 100)):
            due = today - timedelta(days=days_overdue)
            cls._invoice(cls.tour_customer, amount, due - timedelta(days=30), due_date=due)
        # last night's figures, as the run keeps them
        cls.env["debtor.figure.snapshot"]._take(cls.company, today)

    def test_managers_see_it_in_the_finance_group(self):
        self.assertEqual(self.dashboard.dashboard_group_id,
                         self.env.ref("spreadsheet_dashboard.spreadsheet_dashboard_group_finance"))
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertIn(self.dashboard, Dashboard.with_user(self.manager).search([]))
        self.assertNotIn(self.dashboard, Dashboard.with_user(self.controller).search([]))
        self.assertNotIn(self.dashboard, Dashboard.with_user(self.invoicing_user).search([]))

    def test_every_chart_reads_what_a_manager_may_read(self):
        """Each chart and pivot of the JSON names fields that exist and the manager's read_group answers it."""
        data = json.loads(self.dashboard.spreadsheet_data)
        seen = set()
        for name, model, domain, group_by, measures in _charts_and_pivots(data):
            with self.subTest(chart=name):
                Model = self.env[model].with_user(self.manager)
                for field in [spec.split(":")[0] for spec in group_by] + [m for m in measures if m != "__count"]:
                    self.assertIn(field, Model._fields)
                aggregates = [f"{m}:{Model._fields[m].aggregator or 'sum'}" if m != "__count" else m
                              for m in measures]
                groups = Model._read_group(domain, group_by, aggregates)
                if model in ("debtor.report.aging", "debtor.figure.snapshot", "debtor.customer"):
                    self.assertTrue(groups, f"{name} reads nothing")
                seen.add(model)
        self.assertEqual(seen, {"debtor.report.aging", "debtor.figure.snapshot", "debtor.report.forecast",
                                "debtor.report.recovery", "debtor.customer"})

    def test_key_figures_are_the_work_queue_figures(self):
        """The key figures (pivot 1 and 2 of the JSON) are those of the work queue and last night's snapshot."""
        Aging = self.env["debtor.report.aging"].with_user(self.manager)
        domain = [("company_id", "=", self.company.id)]
        [[total, overdue]] = Aging._read_group(domain, [], ["amount_residual:sum", "amount_overdue:sum"])
        debtors = self.env["debtor.customer"].search(domain)
        self.assertEqual(total, sum(debtors.mapped("total_due")))
        self.assertEqual(overdue, sum(debtors.mapped("total_overdue")))
        snapshot = self.env["debtor.figure.snapshot"].search(domain)
        self.assertEqual((snapshot.amount_total, snapshot.amount_overdue), (total, overdue))
        self.assertEqual((snapshot.amount_not_due, snapshot.amount_1_30, snapshot.amount_31_60,
                          snapshot.amount_91_120), (300.0, 500.0, 700.0, 900.0))

    def test_dashboard_tour(self):
        # the tour looks at this dashboard alone: the others open first and need files of their own addons
        self.env["spreadsheet.dashboard"].sudo().search([("id", "!=", self.dashboard.id)]).group_ids = self.env.ref(
            "base.group_system")
        self.start_tour("/odoo", "debtor_followup_spreadsheet_dashboard", login=self.manager.login, timeout=180)
