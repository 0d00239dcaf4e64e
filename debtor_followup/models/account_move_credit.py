from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from .debtor_credit_check import MANAGER_GROUP


class AccountMoveCredit(models.Model):
    """Credit control of customer invoices: the customer's limit, usage and hold shown on the invoice, and the
    check when it is posted."""

    _inherit = "account.move"

    debtor_credit_override_reason = fields.Char(
        string="Credit Override Reason",
        copy=False,
        help="Set by a Credit Manager: lets this invoice be posted although credit control blocks it. The reason "
             "is logged in the chatter when the invoice is posted.",
    )
    debtor_credit_override_user_id = fields.Many2one(comodel_name="res.users", string="Credit Override By",
                                                     readonly=True, copy=False)
    debtor_credit_limit = fields.Monetary(string="Customer Credit Limit", compute="_compute_debtor_credit_customer",
                                          currency_field="company_currency_id")
    debtor_credit_usage = fields.Monetary(
        string="Customer Credit Used", compute="_compute_debtor_credit", currency_field="company_currency_id",
        help="The customer's open receivables plus its draft invoices in this company, this invoice included.")
    debtor_credit_on_hold = fields.Boolean(string="Customer On Credit Hold",
                                           compute="_compute_debtor_credit_customer")
    debtor_credit_warning = fields.Text(compute="_compute_debtor_credit")

    def _debtor_credit_invoices(self):
        return self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund") and m.commercial_partner_id)

    # What depends on the customer only is computed apart from what depends on the invoice's amount: every field
    # depending on the amount is visited each time Odoo changes it, dozens of times while an invoice is created
    @api.depends("partner_id", "company_id", "move_type")
    def _compute_debtor_credit_customer(self):
        for move in self:
            move.debtor_credit_limit = 0.0
            move.debtor_credit_on_hold = False
        Customer = self.env["debtor.customer"]
        for company, moves in self._debtor_credit_invoices().grouped("company_id").items():
            by_partner = self._debtor_credit_files(company, moves.commercial_partner_id._origin)
            for move in moves:
                partner = move.commercial_partner_id._origin
                move.debtor_credit_limit = partner.sudo().with_company(company).credit_limit
                move.debtor_credit_on_hold = bool(by_partner.get(partner, Customer).credit_on_hold)

    # the invoice's total as the form shows it while lines are typed (tax_totals, as Odoo's own credit warning)
    @api.depends("partner_id", "company_id", "move_type", "state", "tax_totals", "currency_id")
    @api.depends_context("date")
    def _compute_debtor_credit(self):
        for move in self:
            move.debtor_credit_usage = 0.0
            move.debtor_credit_warning = False
        for move, (customer, limit, usage) in self._debtor_credit_invoices()._debtor_credit_state().items():
            move.debtor_credit_usage = usage
            if move.move_type == "out_invoice" and move.state == "draft":
                reasons = move._debtor_credit_reasons(customer, limit, usage, banner=True)
                if customer.credit_result == "cash_in_advance":
                    reasons.append(self.env._("The last credit check asks for payment in advance."))
                move.debtor_credit_warning = "\n".join(reasons) or False

    @api.depends("debtor_credit_warning")
    def _compute_alerts(self):
        return super()._compute_alerts()

    def _get_alerts(self):
        alerts = super()._get_alerts()
        if self.debtor_credit_warning and self.env.user.has_groups(
                "account.group_account_readonly,account.group_account_invoice"):
            alerts["debtor_credit_warning"] = {
                "level": "danger" if self.debtor_credit_on_hold else "warning",
                "message": self.env._("Credit control: %(reasons)s", reasons=self.debtor_credit_warning),
            }
        return alerts

    @api.model
    def _debtor_credit_files(self, company, partners):
        """``{commercial partner: debtor file}`` of ``partners`` in ``company`` (those that have one).

        What the credit control reads of a file is set by people, not by the refresh: the files Odoo's flows queued
        are not refreshed first (a posting would pay for the previous transaction's refresh).
        """
        files = self.env["debtor.customer"].sudo().with_context(debtor_skip_queue=True).search_fetch(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)], ["partner_id"])
        return {customer.partner_id: customer for customer in files}

    def _debtor_credit_state(self):
        """The credit figures of the customers of these customer invoices, grouped queries per company.

        Usage counts the unsaved amounts of draft invoices being edited in place of their stored ones.

        :return: ``{move: (debtor file or empty recordset, credit limit, credit usage)}``, company currency
        """
        state = {}
        Customer = self.env["debtor.customer"]
        for company, moves in self.grouped("company_id").items():
            partners = moves.commercial_partner_id._origin
            drafts = moves.filtered(lambda m: m.state == "draft")
            usage = Customer._credit_exposure(company, partners, exclude_moves=drafts)
            for draft in drafts:
                key = draft.commercial_partner_id._origin.id
                usage[key] = usage.get(key, 0.0) + draft._debtor_draft_amount()
            by_partner = self._debtor_credit_files(company, partners)
            for move in moves:
                partner = move.commercial_partner_id._origin
                limit = partner.sudo().with_company(company).credit_limit
                state[move] = (by_partner.get(partner, Customer), limit, usage.get(partner.id, 0.0))
        return state

    def _debtor_draft_amount(self):
        """What this draft adds to its customer's credit use, in company currency: its stored total once saved,
        the total of the lines typed so far while it is edited in the form (not saved yet)."""
        self.ensure_one()
        if self.id:
            return self.amount_total_signed
        totals = self.tax_totals or {}
        amount = totals.get("total_amount_currency" if self.currency_id == self.company_currency_id
                            else "total_amount", 0.0)
        return -amount if self.move_type == "out_refund" else amount

    def _debtor_credit_reasons(self, customer, limit, usage, banner=False):
        """Why posting this invoice goes against the customer's credit status (empty: nothing does).

        :param customer: the customer's debtor file in the invoice's company (may be empty)
        :param float limit: the customer's credit limit (0: none)
        :param float usage: the customer's credit use, this invoice included
        :param bool banner: for the invoice's banner, which leaves the limit to Odoo's own credit limit warning
            when the company shows it
        """
        self.ensure_one()
        reasons = customer._credit_refusals() if customer else []
        currency = self.company_currency_id
        if limit and currency.compare_amounts(usage, limit) > 0 and not (banner and self.partner_credit_warning):
            reasons.append(self.env._(
                "%(customer)s would owe %(usage)s, over its credit limit of %(limit)s.",
                customer=self.commercial_partner_id.display_name, usage=currency.format(usage),
                limit=currency.format(limit)))
        return reasons

    def _debtor_credit_problems(self):
        """The credit control reasons against posting each of these customer invoices now.

        :return: ``{move: [reason, ...]}`` for the invoices with at least one reason
        """
        problems = {}
        for move, (customer, limit, usage) in self._debtor_credit_state().items():
            reasons = move._debtor_credit_reasons(customer, limit, usage)
            if reasons:
                problems[move] = reasons
        return problems

    def _debtor_check_override_access(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can override the credit control of an invoice."))

    def _post(self, soft=True):
        """Apply the company's credit control to the customer invoices posted by a person, then refresh the
        debtor files of the customers posted to.

        Entries posted by the system (superuser: automatic postings, fee invoices of the nightly run) are not
        checked, nor are future-dated invoices only scheduled for posting (``soft``), nor credit notes.
        """
        today = fields.Date.context_today(self)
        to_check = self.browse() if self.env.su else self.filtered(
            lambda m: m.move_type == "out_invoice" and m.company_id.debtor_credit_enforcement != "off"
            and not (soft and m.date and m.date > today))
        problems = to_check._debtor_credit_problems() if to_check else {}
        blocked = {move: reasons for move, reasons in problems.items()
                   if move.company_id.debtor_credit_enforcement == "block" and not move.debtor_credit_override_reason}
        if blocked:
            raise UserError("\n\n".join(self.env._(
                "%(invoice)s cannot be posted: credit control blocks it.\n- %(reasons)s\nA Credit Manager can "
                "override this by entering a Credit Override Reason on the invoice.",
                invoice=move.display_name, reasons="\n- ".join(reasons)) for move, reasons in blocked.items()))
        posted = super()._post(soft=soft)
        for move in posted:
            if move in problems:
                move._debtor_log_credit_control(problems[move])
        self.env["debtor.customer"]._refresh_later_for(posted.line_ids)
        return posted

    def _debtor_log_credit_control(self, reasons):
        """Leave the trace of an invoice posted against credit control in its chatter."""
        self.ensure_one()
        items = Markup("").join(Markup("<li>%s</li>") % reason for reason in reasons)
        if self.debtor_credit_override_reason:
            intro = self.env._(
                "Posted over credit control by %(user)s, overridden by %(manager)s: %(reason)s",
                user=self.env.user.name, manager=self.debtor_credit_override_user_id.name or self.env.user.name,
                reason=self.debtor_credit_override_reason)
        else:
            intro = self.env._("Posted by %(user)s despite credit control:", user=self.env.user.name)
        self.message_post(body=Markup("<p>%s</p><ul>%s</ul>") % (intro, items), message_type="comment",
                          subtype_xmlid="mail.mt_note")
