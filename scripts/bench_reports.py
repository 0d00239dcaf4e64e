"""Benchmark of the manager reports (prints figures; it asserts nothing).

For each report of Debtors › Reporting, measures what each of its views costs to display, without search filters,
that is on all the data, as the web client asks for it:

* graph: one grouped read of its groupings and measures;
* pivot: one grouping-sets read of its row and column groupings with its measures;
* list and kanban: the first page (80 records) with the fields shown, and the record count of the pager (the web
  client asks for it when the page is full, up to 10,001).

The first view of the report's action is what opening the report from the menu costs; the others are what switching
to them costs. The target is under a second for each, on the 100,000-invoice benchmark database.

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
VIEW_TYPES = ["graph", "pivot", "list", "kanban"]
PAGE = 80
COUNT_LIMIT = 10_001  # what the web client asks for a list's pager
TARGET = 1.0


def report_views(env, action_xmlid):
    """The model of a report action and its views, in the action's order, as ``[(view type, arch)]``."""
    action = env.ref(action_xmlid)
    model = action.res_model
    view_types = [view_type for view_type in action.view_mode.split(",") if view_type in VIEW_TYPES]
    views = env[model].get_views([(False, view_type) for view_type in view_types])["views"]
    return model, [(view_type, etree.fromstring(views[view_type]["arch"])) for view_type in view_types]


def _groupbys(arch, kind):
    return [f"{node.get('name')}:{node.get('interval')}" if node.get("interval") else node.get("name")
            for node in arch.iter("field") if node.get("type") == kind]


def _measures(Report, arch):
    return [f"{node.get('name')}:{Report._fields[node.get('name')].aggregator}"
            for node in arch.iter("field") if node.get("type") == "measure"]


def show_view(Report, view_type, arch):
    """Read what the web client reads to display ``arch`` on all records.

    :return: the number of records of the report (list and kanban), else None
    """
    if view_type == "graph":
        # the graph's groupings are its fields without a type (or of type row/col); dates by month by default
        groupby = [
            f"{node.get('name')}:{node.get('interval') or 'month'}"
            if Report._fields[node.get("name")].type in ("date", "datetime") else node.get("name")
            for node in arch.iter("field") if node.get("type") in (None, "row", "col")]
        Report.formatted_read_group([], groupby, ["__count", *_measures(Report, arch)])
        return None
    if view_type == "pivot":
        rows, cols = _groupbys(arch, "row"), _groupbys(arch, "col")
        sets = [[]] + [rows[:i] for i in range(1, len(rows) + 1)] + [cols[:j] for j in range(1, len(cols) + 1)]
        sets += [rows + cols] if rows and cols else []
        Report.formatted_read_grouping_sets([], sets, ["__count", *_measures(Report, arch)])
        return None
    specification = {node.get("name"): {} for node in arch.iter("field") if node.get("name") in Report._fields}
    for name, spec in specification.items():
        if Report._fields[name].type == "many2one":
            spec["fields"] = {"display_name": {}}
    return Report.web_search_read([], specification, limit=PAGE, count_limit=COUNT_LIMIT)["length"]


def time_reports(env):
    """Display every view of every report once and time it.

    :return: list of (report name, [(view type, seconds)] in the action's order, records)
    """
    timings = []
    for name, xmlid in REPORTS:
        model, views = report_views(env, xmlid)  # the views are cached by the web client: not timed
        times, records = [], None
        for view_type, arch in views:
            env.invalidate_all()
            started = time.monotonic()
            length = show_view(env[model], view_type, arch)
            times.append((view_type, time.monotonic() - started))
            records = length if length is not None else records
        timings.append((name, times, records))
    return timings


def print_timings(timings):
    print()
    print("seconds to display each view of each report; the first is what opening the report costs")
    print(f"{'report':<26}" + "".join(f"{view_type:>9}" for view_type in VIEW_TYPES) + f"{'records':>9}")
    for name, times, records in timings:
        by_type = dict(times)
        cells = "".join(f"{by_type[view_type]:>9.3f}" if view_type in by_type else f"{'':>9}"
                        for view_type in VIEW_TYPES)
        opening = times[0][0]
        over = [view_type for view_type, seconds in times if seconds >= TARGET]
        note = f"   opens in {opening}" + (f"; OVER {TARGET:g} s: {', '.join(over)}" if over else "")
        print(f"{name:<26}{cells}{records if records is not None else '':>9}{note}")


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
