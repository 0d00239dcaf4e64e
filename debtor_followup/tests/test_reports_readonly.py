import psycopg2
from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DebtorFollowupCommon

REPORT_ACTIONS = [
    "debtor_followup.debtor_report_aging_action",
    "debtor_followup.debtor_report_forecast_action",
    "debtor_followup.debtor_report_collection_action",
    "debtor_followup.debtor_report_dso_action",
    "debtor_followup.debtor_report_recovery_action",
    "debtor_followup.debtor_report_dispute_action",
    "debtor_followup.debtor_report_plan_action",
    "debtor_followup.debtor_report_activity_action",
    "debtor_followup.debtor_report_dashboard_action",
]
# what the web client calls to show a graph, a pivot, a list or a kanban (and its pager)
WEB_READS = ["formatted_read_group", "formatted_read_grouping_sets", "web_read_group", "web_search_read",
             "search_count", "read_progress_bar"]


@tagged("post_install", "-at_install")
class TestReportsReadOnly(DebtorFollowupCommon):
    """The manager reports are read by the web client through Odoo's read-only requests, which a PostgreSQL replica
    serves where ``db_replica_host`` is set: every view of every report reads in a read-only transaction, and the
    methods it calls are those Odoo routes to the read-only cursor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payers, cls.invoices = cls._overdue_customers(3, "Replica")
        cls.policy.level_ids.write({"attach_statement": False, "attach_invoices": False, "print_letter": False})
        cls._pay(cls.invoices[0], cls.invoices[0].amount_total, "2026-01-05")

    def _views(self, action_xmlid):
        action = self.env.ref(action_xmlid)
        view_types = [view for view in action.view_mode.split(",") if view in ("graph", "pivot", "list", "kanban")]
        views = self.env[action.res_model].get_views([(False, view) for view in view_types])["views"]
        return action.res_model, [(view, etree.fromstring(views[view]["arch"])) for view in view_types]

    def _show(self, Report, view_type, arch):
        """Read what the web client reads to show ``arch`` (as scripts/bench_reports.py does)."""
        measures = [f"{node.get('name')}:{Report._fields[node.get('name')].aggregator}"
                    for node in arch.iter("field") if node.get("type") == "measure"]
        def groupby(kinds):
            return [f"{node.get('name')}:{node.get('interval') or 'month'}"
                    if Report._fields[node.get("name")].type in ("date", "datetime") else node.get("name")
                    for node in arch.iter("field") if node.get("type") in kinds]

        if view_type == "graph":
            return Report.formatted_read_group([], groupby((None, "row", "col")), ["__count", *measures])
        if view_type == "pivot":
            rows, cols = groupby(("row",)), groupby(("col",))
            return Report.formatted_read_grouping_sets([], [[], rows, cols, rows + cols], ["__count", *measures])
        specification = {node.get("name"): {} for node in arch.iter("field") if node.get("name") in Report._fields}
        return Report.web_search_read([], specification, limit=80, count_limit=10_001)

    def test_every_report_view_reads_in_a_read_only_transaction(self):
        with freeze_time("2026-01-08"):
            run = self._run()
        self.assertEqual(run.done_count, 2, "the reminders the recovery and activity reports show")
        self.env.flush_all()
        shown = {}
        cr = self.env.cr
        cr.execute("SAVEPOINT debtor_read_only")
        try:
            # what a replica gives: any write (or a setting a replica refuses) fails the read
            cr.execute("SET TRANSACTION READ ONLY")
            with self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction), mute_logger("odoo.sql_db"), \
                    cr.savepoint(flush=False):
                cr.execute("UPDATE res_partner SET name = name WHERE id = %s", [self.payers[0].id])
            for xmlid in REPORT_ACTIONS:
                model, views = self._views(xmlid)
                for view_type, arch in views:
                    self.env.invalidate_all()
                    result = self._show(self.env[model].with_user(self.env.user), view_type, arch)
                    shown[model, view_type] = bool(result)
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT debtor_read_only")
        self.assertEqual(len({model for model, _view in shown}), len(REPORT_ACTIONS), "every report was read")
        self.assertTrue(shown["debtor.report.aging", "list"], "the aging shows the open items")

    def test_report_reads_are_routed_to_the_read_only_cursor(self):
        """Odoo serves ``/web/dataset/call_kw`` on the read-only cursor when the method called is ``@api.readonly``
        (``DataSet._call_kw_readonly``): no report overrides one of the web client's reads without it."""
        for xmlid in REPORT_ACTIONS:
            model = self.env.ref(xmlid).res_model
            for method_name in WEB_READS:
                # Odoo's own test (DataSet._call_kw_readonly)
                readonly = next((method._readonly for cls in type(self.env[model]).mro()
                                 if hasattr(method := getattr(cls, method_name, None), "_readonly")), False)
                self.assertTrue(readonly, f"{model}.{method_name} reads on a replica")
