
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import column_exists
from odoo.tools.sql import create_column

from ..tools import late_payment
from .debtor_customer import EXCLUSION_REASONS

# The item's follow-up history: written by the follow-up (SQL or sudo), never by hand, whatever the user's rights.
FOLLOWUP_HISTORY_FIELDS = frozenset({"debtor_level_id", "debtor_last_action_date", "debtor_resume_date"})
# What the figures computed on the fly from an item read (see debtor.customer._forget_item_figures).
ITEM_FIGURE_SOURCES = frozenset({
    "date_maturity", "partner_id", "company_id", "balance", "amount_currency", "amount_residual", "reconciled",
    "debtor_manual_exclusion", "no_followup", *FOLLOWUP_HISTORY_FIELDS})


class AccountMoveLine(models.Model):
    """Follow-up state of each receivable item: an invoice with a payment term in installments is followed up
    installment by installment, each on its own due date."""

    _inherit = "account.move.line"

    debtor_level_id = fields.Many2one(
        comodel_name="debtor.followup.level",
        string="Follow-up Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    debtor_last_action_date = fields.Date(string="Last Follow-up", copy=False, readonly=True)
    debtor_manual_exclusion = fields.Boolean(
        string="Excluded from Follow-up",
        copy=False,
        help="Set by a credit controller: this item gets no reminder until the flag is removed.",
    )
    debtor_resume_date = fields.Date(
        string="Follow-up Resumes On",
        copy=False,
        readonly=True,
        help="Set when a dispute is rejected: the next level is due on this date at the latest.",
    )
    debtor_next_level_id = fields.Many2one(
        comodel_name="debtor.followup.level", string="Next Level", compute="_compute_debtor_next",
    )
    debtor_next_action_date = fields.Date(string="Next Follow-up", compute="_compute_debtor_next")
    debtor_exclusion_reason = fields.Selection(
        selection=EXCLUSION_REASONS, string="Exclusion", compute="_compute_debtor_next",
    )
    debtor_overdue_days = fields.Integer(string="Days Overdue", compute="_compute_debtor_next")
    debtor_date_paid = fields.Date(
        string="Paid On",
        compute="_compute_debtor_date_paid",
        store=True,
        index="btree_not_null",
        copy=False,
        help="Once the item is fully reconciled: the date of the last payment or credit note matched with it.",
    )

    def _auto_init(self):
        # Filled with one UPDATE on an existing database: computing the new stored field through the ORM would
        # read every journal item. Odoo leaves an existing column alone.
        if not column_exists(self.env.cr, "account_move_line", "debtor_date_paid"):
            create_column(self.env.cr, "account_move_line", "debtor_date_paid", "date")
            self.env.cr.execute("""
                UPDATE account_move_line line
                   SET debtor_date_paid = paid.date_paid
                  FROM (SELECT debit_move_id, MAX(max_date) AS date_paid
                          FROM account_partial_reconcile
                      GROUP BY debit_move_id) AS paid
                 WHERE paid.debit_move_id = line.id
                   AND line.reconciled
            """)
        return super()._auto_init()

    @api.depends("reconciled", "matched_credit_ids.max_date")
    def _compute_debtor_date_paid(self):
        for line in self:
            line.debtor_date_paid = line.reconciled and max(line.matched_credit_ids.mapped("max_date"), default=False)

    # Computed when read from the follow-up state. The item's own fields are declared; its amounts are not (they
    # change with every payment, and Odoo would walk these fields on every change of any entry's amounts): the
    # flows that change them forget these fields instead (debtor.customer._forget_item_figures).
    @api.depends("date_maturity", "debtor_level_id", "debtor_last_action_date", "debtor_manual_exclusion",
                 "partner_id", "company_id")
    @api.depends_context("date")
    def _compute_debtor_next(self):
        today = fields.Date.context_today(self)
        Customer = self.env["debtor.customer"]
        for line in self:
            line.debtor_next_level_id = False
            line.debtor_next_action_date = False
            line.debtor_exclusion_reason = False
            line.debtor_overdue_days = max((today - line.date_maturity).days, 0) if line.date_maturity else 0
        receivable = self.filtered(lambda line: line.account_type == "asset_receivable" and line.partner_id
                                   and line.id)
        for company, lines in receivable.grouped("company_id").items():
            state = Customer._compute_followup_state(company, lines.partner_id, today)
            for line in lines:
                next_level, next_date, reason = state.get(line.partner_id.id, {}).get("lines", {}).get(
                    line.id, (None, None, None))
                line.debtor_next_level_id = next_level
                line.debtor_next_action_date = next_date
                line.debtor_exclusion_reason = reason

    def _debtor_dated_events(self, on_date):
        """The dated events behind these receivable items' open amounts, for statutory interest.

        Read from the reconciliations (one query for all items): a credit note matched with an item reduces what
        was owed from the start; any other counterpart (a payment, a bank statement line, an offset) is a payment
        on the date of that counterpart. Matches dated after ``on_date`` did not exist yet on that day.

        :param on_date: the evaluation date
        :return: ``{line id: (principal, [late_payment.Payment, ...])}`` in the item's currency, as ``Decimal``;
            the principal is the item's original amount less its credit notes
        """
        partials = self.env["account.partial.reconcile"].sudo().search_fetch(
            [("debit_move_id", "in", self.ids)], ["debit_move_id", "credit_move_id", "debit_amount_currency"])
        partials.credit_move_id.fetch(["date", "move_id"])
        partials.credit_move_id.move_id.fetch(["move_type"])
        events = {}
        for line in self:
            principal = late_payment.as_money(abs(line.amount_currency))
            events[line.id] = [principal, []]
        for partial in partials:
            counterpart = partial.credit_move_id
            if counterpart.date > on_date:
                continue
            amount = late_payment.as_money(partial.debit_amount_currency)
            entry = events[partial.debit_move_id.id]
            if counterpart.move_id.move_type in ("out_refund", "in_refund"):
                entry[0] -= amount
            else:
                entry[1].append(late_payment.Payment(counterpart.date, amount))
        return {line_id: (max(principal, late_payment.ZERO), payments)
                for line_id, (principal, payments) in events.items()}

    def _debtor_first_reminder_dates(self):
        """The day of the first reminder that included each of these items after its due date (one query).

        That reminder is the Dutch consumer's 14-day letter (art. 6:96 lid 6 BW): the costs become due 14 days
        after its receipt, and later reminders do not move that day.

        :return: ``{line id: date}`` for the items that have one
        """
        if not self.ids:
            return {}
        self.env["debtor.followup.action"].flush_model(["state", "date", "line_ids"])
        self.flush_recordset(["date_maturity"])
        self.env.cr.execute(SQL(
            """SELECT rel.line_id, MIN(action.date)
                 FROM debtor_followup_action_line_rel rel
                 JOIN debtor_followup_action action ON action.id = rel.action_id
                 JOIN account_move_line line ON line.id = rel.line_id
                WHERE rel.line_id IN %s AND action.state = 'done' AND action.date > line.date_maturity
             GROUP BY rel.line_id""",
            tuple(self.ids)))
        return dict(self.env.cr.fetchall())

    @api.model
    def _debtor_receivable_account_ids(self):
        """The ids of the receivable accounts (all companies), for the report queries.

        A query naming them lets PostgreSQL estimate the receivable items from the statistics of ``account_id``;
        one joining ``account_account`` on its type leaves the planner guessing a few hundred rows where there are
        tens of thousands, and choosing plans made for a few hundred.
        """
        self.env["account.account"].flush_model(["account_type"])
        self.env.cr.execute("SELECT id FROM account_account WHERE account_type = 'asset_receivable' ORDER BY id")
        return [account_id for account_id, in self.env.cr.fetchall()]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(FOLLOWUP_HISTORY_FIELDS & vals.keys() for vals in vals_list):
            self._debtor_refuse_history()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and FOLLOWUP_HISTORY_FIELDS & vals.keys():
            self._debtor_refuse_history()
        res = super().write(vals)
        if ITEM_FIGURE_SOURCES & vals.keys():
            self.env["debtor.customer"]._forget_item_figures()
        if "debtor_manual_exclusion" in vals or "no_followup" in vals:
            self.env["debtor.customer"]._refresh_later_for(self)
        return res

    def _debtor_refuse_history(self):
        raise UserError(self.env._(
            "The follow-up level, last reminder and resume date of an item are recorded by the follow-up itself "
            "(reminders, disputes, plans); they cannot be set by hand."))

    def _debtor_set_level(self, level, date):
        """Record that ``level`` was executed for these items on ``date``.

        These columns are the follow-up's own bookkeeping, not accounting data: they are written with one SQL
        update instead of ``write()``, which on journal items runs the accounting checks (lock dates, move
        validity...) for nothing and was half the time of a nightly run. Caches and the stored fields computed
        from them (the invoice's level) are then updated as ``write()`` would.
        """
        if not self:
            return
        fnames = ["debtor_level_id", "debtor_last_action_date", "debtor_resume_date"]
        self.flush_recordset(fnames)
        self.env.cr.execute(SQL(
            """UPDATE account_move_line
                  SET debtor_level_id = %s, debtor_last_action_date = %s, debtor_resume_date = NULL
                WHERE id IN %s""",
            level.id, date, tuple(self.ids),
        ))
        self.invalidate_recordset(fnames)
        self.modified(fnames)
        self.env["debtor.customer"]._forget_item_figures()

    def _debtor_update_plans(self):
        """Re-allocate the payments of the payment plans covering these items' invoices (one search for all)."""
        if not self or self.env["debtor.customer"]._skip_refresh():
            return
        plans = self.env["debtor.payment.plan"].sudo().search([
            ("move_ids", "in", self.move_id.ids), ("state", "in", ("active", "completed", "broken"))])
        plans._allocate_payments()

    def _debtor_update_handovers(self):
        """Report the payments matched with handed-over invoices to their handovers (one search for all)."""
        if not self or self.env["debtor.customer"]._skip_refresh():
            return
        handover_lines = self.env["debtor.handover.line"].sudo().search(
            [("move_id", "in", self.move_id.ids), ("state", "!=", "withdrawn")])
        handover_lines.handover_id._update_collection()
