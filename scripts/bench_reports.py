"""Benchmark of the manager reports (prints figures; it asserts nothing).

For each report of Debtors › Reporting, measures what opening it costs: the default pivot (one grouping-sets query
of its row and column groupings with its measures, as the web client's pivot sends it) then the first page of its
list (80 rows), without search filters, that is on all the data. The target is under a second per report on the
100,000-invoice benchmark database.

Usage, against an existing database with the addon installed (e.g. the one ``./dev bench`` builds):
    python scripts/bench_reports.py --odoo-path /opt/odoo/src --conf CONF --db debtor_bench
"""

import argparse
import sys
import time

from lxml import etree

# (report name, window action) in menu order
REPORTS = [
    ("Receivables aging", "debtor_followup.debtor_report_aging_action"),
    ("Cash-in forecast", "debtor_followup.debtor_report_forecast_action"),
    ("Collection performance", "debtor_followup.debtor_report_collection_action"),
    ("Days sales outstanding", "debtor_followup.debtor_report_dso_action"),
    ("Recovery by level", "debtor_followup.debtor_report_recovery_action"),
    ("Disputes analysis", "debtor_followup.debtor_report_dispute_action"),
    ("Payment plans analysis", "debtor_followup.debtor_report_plan_action"),
    ("Follow-up activity", "debtor_followup.debtor_report_activity_action"),
    ("Dashboard", "debtor_followup.debtor_report_dashboard_action"),
]
PAGE = 80
COUNT_LIMIT = 10_001  # what the web client asks for a list's pager


def _view_arch(env, model, view_type):
    views = env[model].get_views([(False, view_type)])
    return etree.fromstring(views["views"][view_type]["arch"])


def report_views(env, action_xmlid):
    """The model and the pivot (None when the action has none) and list arches of a report action."""
    action = env.ref(action_xmlid)
    model = action.res_model
    pivot = _view_arch(env, model, "pivot") if "pivot" in action.view_mode else None
    return model, pivot, _view_arch(env, model, "list")


def open_report(env, model, pivot, listing):
    """Open a report as the web client does by default: its pivot (when it has one) and its list's first page.

    :return: the number of rows of the report
    """
    Report = env[model]
    if pivot is not None:
        arch = pivot
        rows = [f"{node.get('name')}:{node.get('interval')}" if node.get("interval") else node.get("name")
                for node in arch.iter("field") if node.get("type") == "row"]
        cols = [f"{node.get('name')}:{node.get('interval')}" if node.get("interval") else node.get("name")
                for node in arch.iter("field") if node.get("type") == "col"]
        measures = [f"{node.get('name')}:{Report._fields[node.get('name')].aggregator}"
                    for node in arch.iter("field") if node.get("type") == "measure"]
        sets = [[]] + [rows[:i] for i in range(1, len(rows) + 1)] + [cols[:j] for j in range(1, len(cols) + 1)]
        sets += [rows + cols] if rows and cols else []
        Report.formatted_read_grouping_sets([], sets, ["__count", *measures])
    arch = listing
    specification = {node.get("name"): {} for node in arch.iter("field") if node.get("name") in Report._fields}
    for name, spec in specification.items():
        if Report._fields[name].type == "many2one":
            spec["fields"] = {"display_name": {}}
    result = Report.web_search_read([], specification, limit=PAGE, count_limit=COUNT_LIMIT)
    return result["length"]


def time_reports(env):
    """Open every report once and time it.

    :return: list of (report name, seconds to open, rows)
    """
    timings = []
    for name, xmlid in REPORTS:
        views = report_views(env, xmlid)  # the views are cached by the web client: not timed
        env.invalidate_all()
        started = time.monotonic()
        rows = open_report(env, *views)
        timings.append((name, time.monotonic() - started, rows))
    return timings


def print_timings(timings):
    print()
    print(f"{'report':<28}{'open (s)':>10}{'rows':>10}")
    for name, seconds, rows in timings:
        print(f"{name:<28}{seconds:>10.3f}{rows:>10}{'' if seconds < 1 else '   OVER 1 s'}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--odoo-path", required=True)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", default="debtor_bench")
    return parser.parse_args()


def main():
    args = parse_args()
    sys.path.insert(0, args.odoo_path)
    # odoo is importable only once its path is known
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        print(f"database {args.db}")
        print_timings(time_reports(env))
        cr.rollback()


if __name__ == "__main__":
    main()
