from odoo import fields
from odoo import models
from odoo.tools import SQL


class DebtorReportCollection(models.Model):
    """Collection performance: one row per receivable item of a customer invoice that is fully paid.

    The payment date of an item is the date of the last payment (or credit) reconciled with it, the largest
    ``max_date`` of its partial reconciliations, which the item stores (``debtor_date_paid``). Days to pay run from
    the invoice date, days beyond terms from the due date (0 when paid on time). Invoices reversed by a credit note
    are left out: they were not paid. Amounts are the item's amount in the company's currency.
    """

    _name = "debtor.report.collection"
    _inherit = "debtor.report.mixin"
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
                              "date_maturity", "balance", "debtor_date_paid", "parent_state", "debtor_level_id"],
        "account.move": ["move_type", "invoice_user_id", "invoice_date", "payment_state"],
        "res.partner": ["country_id"],
    }

    def _report_query(self):
        return SQL(
            """
            SELECT line.id,
                   line.move_id,
                   line.partner_id,
                   line.company_id,
                   line.company_currency_id AS currency_id,
                   move.invoice_user_id,
                   partner.country_id,
                   line.debtor_level_id AS level_id,
                   COALESCE(move.invoice_date, line.date) AS invoice_date,
                   COALESCE(line.date_maturity, line.date) AS date_maturity,
                   line.debtor_date_paid AS date_paid,
                   line.balance AS amount,
                   line.debtor_date_paid - COALESCE(move.invoice_date, line.date) AS days_to_pay,
                   GREATEST(line.debtor_date_paid - COALESCE(line.date_maturity, line.date), 0) AS days_late,
                   line.debtor_date_paid > COALESCE(line.date_maturity, line.date) AS paid_late,
                   CASE WHEN line.debtor_date_paid > COALESCE(line.date_maturity, line.date) THEN 100.0 ELSE 0.0
                   END AS late_rate
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              LEFT JOIN res_partner partner ON partner.id = line.partner_id
             WHERE line.account_id = ANY(%(accounts)s)
               AND line.debtor_date_paid IS NOT NULL
               AND line.parent_state = 'posted'
               AND line.partner_id IS NOT NULL
               AND move.move_type = 'out_invoice'
               AND move.payment_state != 'reversed'
            """,
            accounts=self.env["account.move.line"]._debtor_receivable_account_ids(),
        )
