"""Write the credit manager's spreadsheet dashboard (debtor_followup_spreadsheet/data/files/debtor_dashboard.json).

The dashboard is o-spreadsheet JSON, as Odoo's own dashboards ship it. It is generated here rather than edited by
hand so that each chart says what it reads; run it again after changing a chart and commit both files::

    python3 scripts/build_debtor_dashboard.py
"""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "debtor_followup_spreadsheet" / "data" / "files" / \
    "debtor_dashboard.json"
SHEET, DATA = "debtor-dashboard", "debtor-dashboard-data"
WIDTH, GAP = 490, 20
BLUE, ORANGE, RED = "#EFF6FF", "#FFF7ED", "#FEF2F2"


def chart(chart_id, title, chart_type, model, group_by, measure, x, y, *, domain=None, action=None, **extra):
    """An Odoo chart (read from a model through read_group) placed at (x, y) on the dashboard sheet."""
    data = {
        "title": {"text": title, "bold": True, "color": "#434343"},
        "background": "#FFFFFF",
        "legendPosition": "none",
        "metaData": {"groupBy": group_by, "measure": measure, "order": None, "resModel": model,
                     "mode": chart_type.removeprefix("odoo_")},
        "searchParams": {"comparison": None, "context": {}, "domain": domain or [], "groupBy": group_by,
                         "orderBy": []},
        "type": chart_type,
        "dataSets": [{}],
        "verticalAxisPosition": "left",
        "stacked": False,
        "chartId": chart_id,
        "fieldMatching": {},
        **extra,
    }
    if action:
        data["actionXmlId"] = action
    return {"id": chart_id, "width": WIDTH, "height": 320, "tag": "chart", "data": data,
            "offset": {"x": x, "y": y}, "col": 0, "row": 0}


def scorecard(chart_id, title, cell, x, background):
    return {"id": chart_id, "width": 235, "height": 106, "tag": "chart", "data": {
        "baselineColorDown": "#DC6965", "baselineColorUp": "#00A04A", "baselineMode": "text",
        "title": {"text": title, "bold": True, "color": "#434343"}, "type": "scorecard", "background": background,
        "keyValue": f"Data!{cell}", "humanize": True, "chartId": chart_id,
    }, "offset": {"x": x, "y": 12}, "col": 0, "row": 0}


def pivot(pivot_id, name, model, measures, rows=(), domain=None, sort=None, action=None):
    definition = {
        "type": "ODOO", "id": pivot_id, "formulaId": pivot_id, "name": name, "model": model,
        "domain": domain or [], "context": {}, "fieldMatching": {},
        "measures": [{"id": m, "fieldName": m.split(":")[0]} for m in measures],
        "rows": [{"fieldName": row} for row in rows], "columns": [],
    }
    if sort:
        definition["sortedColumn"] = {"measure": sort, "order": "desc", "domain": []}
    if action:
        definition["actionXmlId"] = action
    return definition


def build():
    row1, row2, row3 = 140, 140 + 320 + GAP, 140 + 2 * (320 + GAP)
    right = WIDTH + GAP
    figures = [
        scorecard("debtor_kpi_total", "Total Due", "B1", 0, BLUE),
        scorecard("debtor_kpi_overdue", "Overdue", "B2", 255, RED),
        scorecard("debtor_kpi_disputed", "In Dispute", "B3", 510, ORANGE),
        scorecard("debtor_kpi_customers", "Customers Overdue", "B4", 765, ORANGE),
        chart("debtor_chart_aging", "Aging by Bucket", "odoo_bar", "debtor.report.aging", ["bucket"],
              "amount_residual", 0, row1, action="debtor_followup.debtor_report_aging_action"),
        chart("debtor_chart_overdue_trend", "Overdue at Month-end", "odoo_line", "debtor.figure.snapshot",
              ["date:month"], "amount_overdue", right, row1, domain=[["month_last", "=", True]],
              action="debtor_followup.debtor_figure_snapshot_action", fillArea=True, cumulatedStart=False),
        chart("debtor_chart_dso", "DSO by Month (days)", "odoo_line", "debtor.figure.snapshot", ["date:month"],
              "dso", 0, row2, domain=[["month_last", "=", True]],
              action="debtor_followup.debtor_figure_snapshot_action", fillArea=False, cumulatedStart=False),
        # the twelve dated weeks (the selection's "from ..." rest would sort first)
        chart("debtor_chart_forecast", "Cash-in Forecast, Next 12 Weeks", "odoo_bar", "debtor.report.forecast",
              ["week"], "amount", right, row2, domain=[["week", "!=", "later"]],
              action="debtor_followup.debtor_report_forecast_action"),
        chart("debtor_chart_recovery", "Recovery Rate by Level (%)", "odoo_bar", "debtor.report.recovery",
              ["level_id"], "recovery_rate", 0, row3, action="debtor_followup.debtor_report_recovery_action"),
        chart("debtor_chart_split", "Open by Follow-up State", "odoo_bar", "debtor.report.aging",
              ["followup_state"], "amount_residual", right, row3,
              action="debtor_followup.debtor_report_aging_action", horizontal=True),
    ]
    # below the charts (23 px a row): the ten customers owing the most overdue, from the work queue's figures
    top_row = (row3 + 320 + GAP) // 23 + 2
    cells = {
        f"A{top_row}": "Top 10 Overdue Customers",
        f"A{top_row + 1}": "=PIVOT(3, 10, FALSE, FALSE)",
    }
    data_cells = {
        "A1": "Total due", "B1": '=PIVOT.VALUE(1,"amount_residual")',
        "A2": "Overdue", "B2": '=PIVOT.VALUE(1,"amount_overdue")',
        "A3": "In dispute", "B3": '=PIVOT.VALUE(1,"amount_disputed")',
        "A4": "Customers overdue", "B4": '=PIVOT.VALUE(2,"__count")',
    }
    pivots = {
        "1": pivot("1", "Receivables", "debtor.report.aging", ["amount_residual", "amount_overdue", "amount_disputed"],
                   action="debtor_followup.debtor_report_aging_action"),
        "2": pivot("2", "Customers Overdue", "debtor.customer", ["__count"], domain=[["total_overdue", ">", 0]],
                   action="debtor_followup.debtor_customer_action"),
        "3": pivot("3", "Top Overdue Customers", "debtor.customer", ["total_overdue", "total_due"],
                   rows=["partner_id"], domain=[["total_overdue", ">", 0]], sort="total_overdue",
                   action="debtor_followup.debtor_customer_action"),
    }
    menus = {
        "debtor_chart_aging": "debtor_followup.debtor_report_aging_menu",
        "debtor_chart_overdue_trend": "debtor_followup.debtor_figure_snapshot_menu",
        "debtor_chart_dso": "debtor_followup.debtor_figure_snapshot_menu",
        "debtor_chart_forecast": "debtor_followup.debtor_report_forecast_menu",
        "debtor_chart_recovery": "debtor_followup.debtor_report_recovery_menu",
        "debtor_chart_split": "debtor_followup.debtor_report_aging_menu",
        "debtor_kpi_total": "debtor_followup.debtor_report_aging_menu",
        "debtor_kpi_overdue": "debtor_followup.debtor_report_aging_menu",
        "debtor_kpi_disputed": "debtor_followup.debtor_dispute_menu",
        "debtor_kpi_customers": "debtor_followup.debtor_customer_menu",
    }

    def sheet(sheet_id, name, cells, figures, cols, rows):
        return {"id": sheet_id, "name": name, "colNumber": 8, "rowNumber": rows, "rows": {}, "cols": cols,
                "merges": [], "cells": cells, "styles": {}, "formats": {}, "borders": {}, "conditionalFormats": [],
                "dataValidationRules": [], "figures": figures, "tables": [], "areGridLinesVisible": False,
                "isVisible": True, "headerGroups": {"ROW": [], "COL": []}, "comments": {}}

    return {
        "version": "18.5.10",
        "sheets": [
            sheet(SHEET, "Dashboard", cells, figures, {"0": {"size": 300}, "1": {"size": 150}, "2": {"size": 150}},
                  top_row + 14),
            sheet(DATA, "Data", data_cells, [], {"0": {"size": 200}, "1": {"size": 150}}, 10),
        ],
        "styles": {}, "formats": {}, "borders": {}, "revisionId": "START_REVISION", "uniqueFigureIds": True,
        "settings": {"locale": {"name": "English (US)", "code": "en_US", "thousandsSeparator": ",",
                                "decimalSeparator": ".", "dateFormat": "mm/dd/yyyy", "timeFormat": "hh:mm:ss",
                                "formulaArgSeparator": ",", "weekStart": 7}},
        "pivots": pivots, "pivotNextId": 4, "customTableStyles": {}, "globalFilters": [], "lists": {},
        "listNextId": 1, "chartOdooMenusReferences": menus,
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {OUT}")
