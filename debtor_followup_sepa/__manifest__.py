{
    "name": "Debtor Follow-up: SEPA Direct Debit and Bank Statements",
    "summary": "Collect payment plan installments by SEPA direct debit and let CAMT.053 bank statements stop "
    "the chase (glue with the OCA banking addons)",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "debtor_followup developers",
    "website": "https://github.com/debtor-followup/debtor_followup",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": [
        "debtor_followup",
        "account_banking_sepa_direct_debit",
        "account_statement_import_camt",
        "account_reconcile_oca",
    ],
    "external_dependencies": {"python": ["lxml"]},
    "data": [
        "data/ir_cron_data.xml",
        "views/debtor_payment_plan_views.xml",
        "views/account_payment_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/debtor_followup_sepa_demo.xml"],
}
