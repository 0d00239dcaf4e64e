from odoo import fields
from odoo import models
from odoo.tools import SQL


class DebtorReportCollection(models.Model):
    """Collection performance: one row per receivable item of a customer invoice that is fully paid.

    The payment date of an item is the date of the last payment (or credit) reconciled with it, the largest
    ``max_date`` of its partial reconciliations. Days to pay run from the invoice date, days beyond terms from the
    due date (0 when paid on time). Invoices reversed by a credit note are left out: they were not paid. Amounts are
    the item's amount in the company's currency.
    """

    _name = "debtor.report.collection"
    _description = "Collection Performance"
    _auto = False
    _rec_name = "move_id"
    _order = "date_paid desc, id"

    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    invoice_user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
    country_id = fields.Many2one(comodel_name="res.country", readonly=True)
    level_id = fields.Many2one(comodel_name="debtor.followup.level", string="Last Level Reached", readonly=True)
    invoice_date = fields.Date(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    date_paid = fields.Date(string="Paid On", readonly=True)
    days_to_pay = fields.Float(readonly=True, aggregator="avg", help="Days from the invoice date to the payment.")
    days_late = fields.Float(string="Days Beyond Terms", readonly=True, aggregator="avg",
                             help="Days from the due date to the payment; 0 when paid on time.")
    paid_late = fields.Boolean(readonly=True)
    late_rate = fields.Float(string="Paid Late (%)", readonly=True, aggregator="avg",
                             help="Share of the items paid after their due date.")
    amount = fields.Monetary(string="Amount Paid", readonly=True)

    _depends = {
        "account.move.line": ["move_id", "partner_id", "company_id", "company_currency_id", "account_id", "date",
                              "date_maturity", "balance", "reconciled", "parent_state", "debtor_level_id"],
        "account.move": ["move_type", "invoice_user_id", "invoice_date", "payment_state"],
        "account.partial.reconcile": ["debit_move_id", "max_date"],
        "res.partner": ["country_id"],
    }

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT paid.*,
                   paid.date_paid - paid.invoice_date AS days_to_pay,
                   GREATEST(paid.date_paid - paid.date_maturity, 0) AS days_late,
                   paid.date_paid > paid.date_maturity AS paid_late,
                   CASE WHEN paid.date_paid > paid.date_maturity THEN 100.0 ELSE 0.0 END AS late_rate
              FROM (SELECT line.id,
                           line.move_id,
                           line.partner_id,
                           line.company_id,
                           line.company_currency_id AS currency_id,
                           move.invoice_user_id,
                           partner.country_id,
                           line.debtor_level_id AS level_id,
                           COALESCE(move.invoice_date, line.date) AS invoice_date,
                           COALESCE(line.date_maturity, line.date) AS date_maturity,
                           MAX(part.max_date) AS date_paid,
                           line.balance AS amount
                      FROM account_move_line line
                      JOIN account_account account ON account.id = line.account_id
                      JOIN account_move move ON move.id = line.move_id
                      JOIN account_partial_reconcile part ON part.debit_move_id = line.id
                      LEFT JOIN res_partner partner ON partner.id = line.partner_id
                     WHERE account.account_type = 'asset_receivable'
                       AND line.reconciled
                       AND line.parent_state = 'posted'
                       AND line.partner_id IS NOT NULL
                       AND move.move_type = 'out_invoice'
                       AND move.payment_state != 'reversed'
                  GROUP BY line.id, move.id, partner.id) AS paid
            """,
        )
