{
    "name": "Debtor Follow-up: Spreadsheet Dashboard",
    "summary": "The credit manager's dashboard in Odoo's Dashboards app: aging, overdue and DSO trends, "
    "cash-in forecast, recovery by level, top overdue customers",
    "version": "19.0.1.0.0",
    "category": "Productivity/Dashboard",
    "author": "debtor_followup developers",
    "website": "https://github.com/debtor-followup/debtor_followup",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["debtor_followup", "spreadsheet_dashboard"],
    "data": [
        "data/spreadsheet_dashboard_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "debtor_followup_spreadsheet/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
}
