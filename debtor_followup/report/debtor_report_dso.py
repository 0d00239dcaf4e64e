from odoo import fields
from odoo import models
from odoo.tools import SQL

# Months shown (the current month and the ones before it) and months of sales the countback may go through.
DSO_MONTHS = 24
COUNTBACK_MONTHS = 36


class DebtorReportDso(models.Model):
    """Days sales outstanding per company and month, by the countback method.

    For each month-end (today for the current month) the receivable balance is counted back against the net credit
    sales (the receivable side of the sales journals' entries: invoices less credit notes, taxes included,
    like the balance) of that month and the months before it:
    every month whose sales the balance covers entirely adds its days, the month where the balance runs out adds the
    covered fraction of its days::

        DSO = days(m) + days(m-1) + ... + days(k+1) + (AR - sales(m..k+1)) / sales(k) * days(k)

    The current month counts the days up to today. The countback stops after ``COUNTBACK_MONTHS`` months.
    """

    _name = "debtor.report.dso"
    _inherit = "debtor.report.mixin"
    _description = "Days Sales Outstanding"
    _auto = False
    _rec_name = "date"
    _order = "company_id, date desc"

    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    date = fields.Date(string="Month", readonly=True)
    date_end = fields.Date(string="Measured On", readonly=True)
    receivable = fields.Monetary(string="Receivables", readonly=True, aggregator="avg",
                                 help="Receivable balance at the end of the month (today for the current month).")
    sales = fields.Monetary(string="Credit Sales", readonly=True,
                            help="Customer invoices less credit notes of the month, taxes included.")
    dso = fields.Float(string="DSO (days)", readonly=True, aggregator="avg", digits=(16, 1))

    _depends = {
        "account.move.line": ["company_id", "account_id", "date", "balance", "parent_state"],
        "account.journal": ["type"],
    }

    def _report_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            WITH monthly AS (
                SELECT line.company_id,
                       date_trunc('month', line.date)::date AS month,
                       SUM(line.balance) AS balance,
                       SUM(line.balance) FILTER (WHERE line.journal_id = ANY(%(sale_journals)s)) AS sales
                  FROM account_move_line line
                 WHERE line.account_id = ANY(%(accounts)s)
                   AND line.parent_state = 'posted'
                   AND line.date <= %(today)s
              GROUP BY line.company_id, date_trunc('month', line.date)
            ),
            months AS (
                SELECT company.id AS company_id,
                       company.currency_id,
                       series.month::date AS month,
                       LEAST((series.month + INTERVAL '1 month' - INTERVAL '1 day')::date, %(today)s) AS month_end
                  FROM res_company company
                 CROSS JOIN generate_series(date_trunc('month', %(today)s::date) - %(first)s * INTERVAL '1 month',
                                            date_trunc('month', %(today)s::date), INTERVAL '1 month') AS series(month)
            ),
            figures AS (
                SELECT months.*,
                       months.month_end - months.month + 1 AS days,
                       COALESCE(monthly.sales, 0) AS sales,
                       (SELECT COALESCE(SUM(m.balance), 0) FROM monthly m
                         WHERE m.company_id = months.company_id AND m.month <= months.month) AS receivable
                  FROM months
                  LEFT JOIN monthly ON monthly.company_id = months.company_id AND monthly.month = months.month
            )
            SELECT figures.company_id * 100000 + EXTRACT(YEAR FROM figures.month)::int * 12
                       + EXTRACT(MONTH FROM figures.month)::int AS id,
                   figures.company_id,
                   figures.currency_id,
                   figures.month AS date,
                   figures.month_end AS date_end,
                   figures.receivable,
                   figures.sales,
                   CASE WHEN figures.receivable <= 0 THEN 0 ELSE COALESCE((
                       SELECT SUM(CASE WHEN figures.receivable <= back.later_sales THEN 0
                                       WHEN back.sales <= 0
                                         OR figures.receivable >= back.later_sales + back.sales THEN back.days
                                       ELSE (figures.receivable - back.later_sales) / back.sales * back.days
                                  END)
                         FROM (SELECT prior.days,
                                      GREATEST(COALESCE(monthly.sales, 0), 0) AS sales,
                                      COALESCE(SUM(GREATEST(COALESCE(monthly.sales, 0), 0)) OVER (
                                          ORDER BY prior.month DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS later_sales
                                 FROM (SELECT series.month::date AS month,
                                              LEAST((series.month + INTERVAL '1 month' - INTERVAL '1 day')::date,
                                                    %(today)s) - series.month::date + 1 AS days
                                         FROM generate_series(figures.month - %(back)s * INTERVAL '1 month',
                                                              figures.month, INTERVAL '1 month') AS series(month)
                                      ) AS prior
                                 LEFT JOIN monthly ON monthly.company_id = figures.company_id
                                                  AND monthly.month = prior.month) AS back
                   ), 0) END AS dso
              FROM figures
            """,
            accounts=self.env["account.move.line"]._debtor_receivable_account_ids(),
            sale_journals=self.env["account.journal"].sudo().with_context(active_test=False).search(
                [("type", "=", "sale")]).ids,
            today=today, first=DSO_MONTHS - 1, back=COUNTBACK_MONTHS - 1,
        )
