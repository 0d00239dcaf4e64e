from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import format_date

# Keys that sort in chronological order: Odoo orders the groups of a selection field by its stored value, so the
# pivot, graph, list and email show the buckets from "not due" to "over 120 days".
AGING_BUCKETS = [
    ("0_not_due", "Not Due"),
    ("1_1_30", "1-30 Days"),
    ("2_31_60", "31-60 Days"),
    ("3_61_90", "61-90 Days"),
    ("4_91_120", "91-120 Days"),
    ("5_over_120", "Over 120 Days"),
]
# Upper bound of days overdue of each bucket (None: no bound) and the column of its amount.
BUCKET_LIMITS = [("0_not_due", 0, "amount_not_due"), ("1_1_30", 30, "amount_1_30"), ("2_31_60", 60, "amount_31_60"),
                 ("3_61_90", 90, "amount_61_90"), ("4_91_120", 120, "amount_91_120"),
                 ("5_over_120", None, "amount_over_120")]
FOLLOWUP_SPLIT = [
    ("followed", "In Follow-up"),
    ("collection", "Handed Over"),
    ("promise", "Promise to Pay"),
    ("plan", "Payment Plan"),
    ("dispute", "In Dispute"),
    ("reported_paid", "Reported Paid"),
    ("excluded", "Excluded"),
]


class DebtorReportAging(models.Model):
    """Receivables aging: one row per open receivable item (invoice installment, credit note, unapplied payment).

    Computed at query time for the user's today: the days overdue of an item are counted from its due date (its
    accounting date when it has none, as for payments), the item falls in one bucket. Amounts are the open amount in
    the company's currency. Credit notes and unapplied payments are negative amounts in the bucket of their date, so
    that the total is what customers owe; they are also shown on their own (``amount_credit``) and never reduce the
    overdue (``amount_overdue``: owed items past their due date). ``followup_state`` tells whether the item is being
    followed up or why not, with the precedence of the follow-up engine (handed over to an agency, excluded,
    dispute, payment plan, promise). The figures are those of ``debtor.customer._debtor_items_query``, as on the
    work queue, statements and dashboard.
    """

    _name = "debtor.report.aging"
    _inherit = "debtor.report.mixin"
    _description = "Receivables Aging"
    _auto = False
    _rec_name = "move_id"
    _order = "date_maturity, id"

    move_id = fields.Many2one(comodel_name="account.move", string="Entry", readonly=True)
    move_type = fields.Selection(related="move_id.move_type", string="Type")
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", string="Company Currency", readonly=True)
    invoice_user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
    responsible_id = fields.Many2one(comodel_name="res.users", string="Follow-up Responsible", readonly=True)
    country_id = fields.Many2one(comodel_name="res.country", readonly=True)
    level_id = fields.Many2one(comodel_name="debtor.followup.level", string="Follow-up Level", readonly=True)
    policy_id = fields.Many2one(comodel_name="debtor.followup.policy", readonly=True)
    date = fields.Date(string="Accounting Date", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max",
                                  help="Days since the due date on the report date (negative before it).")
    bucket = fields.Selection(selection=AGING_BUCKETS, string="Aging Bucket", readonly=True)
    followup_state = fields.Selection(selection=FOLLOWUP_SPLIT, string="Follow-up", readonly=True)
    amount_residual = fields.Monetary(string="Open Amount", readonly=True,
                                      help="What is owed less the credits: the total due.")
    amount_open = fields.Monetary(string="Owed", readonly=True, help="Open invoices and installments.")
    amount_credit = fields.Monetary(string="Credits", readonly=True,
                                    help="Open credit notes and unapplied payments (negative).")
    amount_overdue = fields.Monetary(string="Overdue", readonly=True,
                                     help="What is owed past its due date (credits do not reduce it).")
    amount_disputed = fields.Monetary(string="Disputed", readonly=True)
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_91_120 = fields.Monetary(string="91-120", readonly=True)
    amount_over_120 = fields.Monetary(string="Over 120", readonly=True)

    _depends = {
        "account.move.line": ["move_id", "partner_id", "company_id", "company_currency_id", "account_id", "date",
                              "date_maturity", "amount_residual", "amount_residual_currency", "currency_id",
                              "reconciled", "parent_state", "no_followup", "debtor_level_id",
                              "debtor_manual_exclusion"],
        "account.move": ["invoice_user_id"],
        "res.partner": ["country_id"],
        "debtor.customer": ["policy_id", "responsible_id", "excluded"],
        "debtor.followup.policy": ["is_default", "active"],
        "debtor.dispute": ["state", "move_id", "disputed_amount", "disputed_amount_company"],
        "debtor.payment.plan": ["state", "move_ids"],
        "debtor.promise": ["state", "line_ids"],
        "debtor.handover.line": ["state", "move_id"],
    }

    def _report_query(self):
        return self._aging_query(self._report_date())

    def _report_date(self):
        return fields.Date.context_today(self)

    @api.model
    def _aging_query(self, today):
        """The rows of the report on ``today``: the open items of ``_debtor_items_query``, bucketed."""
        bucket = SQL("CASE %s END", SQL(" ").join(
            SQL("WHEN item.days_overdue <= %s THEN %s", limit, key) if limit is not None else SQL("ELSE %s", key)
            for key, limit, _column in BUCKET_LIMITS))
        amounts = SQL(", ").join(
            SQL("CASE WHEN %s = %s THEN item.amount_residual ELSE 0 END AS %s", bucket, key,
                SQL.identifier(column))
            for key, _limit, column in BUCKET_LIMITS)
        items = self.env["debtor.customer"]._debtor_items_query(
            today, totals_only=self.env.context.get("debtor_report_totals_only", False))
        return SQL(
            """
            SELECT item.id, item.move_id, item.partner_id, item.company_id, item.currency_id, item.invoice_user_id,
                   item.responsible_id, item.country_id, item.level_id, item.policy_id, item.date,
                   item.date_maturity, item.days_overdue, %(bucket)s AS bucket, item.followup_state,
                   item.amount_residual, item.amount_open, item.amount_credit, item.amount_overdue,
                   item.amount_disputed, %(amounts)s
              FROM (%(items)s) AS item
            """,
            items=items, bucket=bucket, amounts=amounts,
        )

    # ------------------------------------------------------------------
    # The scheduled summary
    # ------------------------------------------------------------------
    @api.model
    def _summary(self, company, top=10):
        """The aging of ``company`` by bucket and its largest overdue customers, for the scheduled email.

        :return: dict with ``buckets`` (list of (label, amount)), ``total``, ``overdue``, ``split`` (list of
            (label, amount) by follow-up state) and ``customers`` (list of (name, overdue, total) of the ``top``
            customers owing the most overdue)
        """
        Aging = self.sudo().with_company(company)
        domain = [("company_id", "=", company.id)]
        by_bucket = dict(Aging._read_group(domain, ["bucket"], ["amount_residual:sum"]))
        labels = dict(self._fields["bucket"]._description_selection(self.env))
        split = dict(Aging._read_group(domain, ["followup_state"], ["amount_residual:sum"]))
        split_labels = dict(self._fields["followup_state"]._description_selection(self.env))
        customers = Aging._read_group(domain, ["partner_id"], ["amount_overdue:sum", "amount_residual:sum"],
                                      having=[("amount_overdue:sum", ">", 0)],
                                      order="amount_overdue:sum desc, partner_id", limit=top)
        return {
            "buckets": [(labels[key], by_bucket.get(key, 0.0)) for key, _label in AGING_BUCKETS],
            "total": sum(by_bucket.values()),
            "overdue": Aging._read_group(domain, [], ["amount_overdue:sum"])[0][0] or 0.0,
            "split": [(split_labels[key], split[key]) for key, _label in FOLLOWUP_SPLIT if key in split],
            "customers": [(partner.display_name, overdue, total) for partner, overdue, total in customers],
        }

    @api.model
    def _summary_html(self, company):
        """The aging summary of ``company`` as an HTML table for the email (amounts in its currency)."""
        summary = self._summary(company)
        fmt = company.currency_id.format
        head = Markup("<tr><th style='text-align:left'>%s</th><th style='text-align:right'>%s</th></tr>")
        row = Markup("<tr><td>%s</td><td style='text-align:right'>%s</td></tr>")
        table = Markup("<table style='border-collapse:collapse' cellpadding='4'>%s</table>")
        buckets = table % Markup("").join([
            head % (self.env._("Aging"), self.env._("Open Amount")),
            *(row % (label, fmt(amount)) for label, amount in summary["buckets"]),
            Markup("<tr><td><b>%s</b></td><td style='text-align:right'><b>%s</b></td></tr>") % (
                self.env._("Total"), fmt(summary["total"])),
        ])
        split = table % Markup("").join([
            head % (self.env._("Follow-up"), self.env._("Open Amount")),
            *(row % (label, fmt(amount)) for label, amount in summary["split"]),
        ])
        customers = Markup("")
        if summary["customers"]:
            customers = table % Markup("").join([
                Markup("<tr><th style='text-align:left'>%s</th><th style='text-align:right'>%s</th>"
                       "<th style='text-align:right'>%s</th></tr>") % (
                    self.env._("Largest Overdue Customers"), self.env._("Overdue"), self.env._("Open Amount")),
                *(Markup("<tr><td>%s</td><td style='text-align:right'>%s</td>"
                         "<td style='text-align:right'>%s</td></tr>") % (name, fmt(overdue), fmt(total))
                  for name, overdue, total in summary["customers"]),
            ])
        return Markup("<p>%s</p>%s<br/>%s<br/>%s") % (
            self.env._("On %(date)s, overdue: %(overdue)s of %(total)s open.",
                       date=format_date(self.env, self._report_date()), overdue=fmt(summary["overdue"]),
                       total=fmt(summary["total"])),
            buckets, split, customers)

    @api.model
    def _aging_email_recipients(self, company):
        """The Credit Managers of ``company`` (internal users allowed in it) with an email address."""
        group = self.env.ref("debtor_followup.group_debtor_manager")
        users = self.env["res.users"].sudo().search([
            ("all_group_ids", "in", group.ids), ("share", "=", False), ("company_ids", "in", company.ids),
            ("email", "!=", False)])
        return users.partner_id

    @api.model
    def _cron_send_aging_summary(self):
        """Called from a cron: queue the aging summary email to the Credit Managers of each company that asked
        for it in its settings (mail queue, not sent at once).

        :return: the ``mail.mail`` records queued
        """
        template = self.env.ref("debtor_followup.mail_template_aging_summary")
        mails = self.env["mail.mail"]
        companies = self.env["res.company"].sudo().search([("debtor_aging_email", "=", True)])
        for company in companies:
            recipients = self._aging_email_recipients(company)
            if not recipients:
                continue
            mail_id = template.with_company(company).send_mail(
                company.id, force_send=False,
                email_values={"recipient_ids": [fields.Command.set(recipients.ids)]})
            mails |= self.env["mail.mail"].sudo().browse(mail_id)
        return mails
