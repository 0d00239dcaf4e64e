

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.fields import Domain

from .debtor_credit_check import CREDIT_RATINGS
from .debtor_credit_check import MANAGER_GROUP
from .debtor_credit_check import rating_for_score
from .debtor_customer import SCORE_COLUMNS


class DebtorCustomerCredit(models.Model):
    """Credit control on a debtor file: credit checks, internal score, credit hold, limit and usage."""

    _inherit = "debtor.customer"

    credit_check_ids = fields.One2many(comodel_name="debtor.credit.check", inverse_name="customer_id",
                                       string="Credit Checks")
    credit_check_id = fields.Many2one(comodel_name="debtor.credit.check", string="Last Credit Check",
                                      compute="_compute_credit_check_id", store=True)
    credit_check_date = fields.Date(related="credit_check_id.date", string="Credit Check Date")
    credit_validity_days = fields.Integer(related="credit_check_id.validity_days", string="Valid For (days)")
    credit_expiry_date = fields.Date(related="credit_check_id.expiry_date", store=True, string="Credit Valid Until")
    credit_result = fields.Selection(related="credit_check_id.result", store=True, string="Credit Decision")
    credit_rating = fields.Selection(related="credit_check_id.rating", store=True, string="Credit Rating")
    credit_limit_proposal = fields.Monetary(related="credit_check_id.credit_limit_proposal")
    credit_note = fields.Text(related="credit_check_id.note", string="Credit Notes")
    credit_checked_by_id = fields.Many2one(related="credit_check_id.user_id", string="Checked By")
    credit_external_check_id = fields.Many2one(comodel_name="debtor.credit.check", string="Last External Report",
                                               compute="_compute_credit_check_id", store=True)
    credit_external_rating = fields.Char(related="credit_external_check_id.external_rating",
                                         string="External Rating")
    credit_external_source = fields.Char(related="credit_external_check_id.external_source",
                                         string="External Source")
    credit_external_score = fields.Integer(related="credit_external_check_id.external_score",
                                           string="External Score")
    credit_expired = fields.Boolean(string="Credit Check Expired", compute="_compute_credit_expired",
                                    search="_search_credit_expired")
    credit_score = fields.Integer(string="Internal Score", readonly=True,
                                  help="0-100, 100 = lowest risk; recomputed every night from the customer's history.")
    credit_score_date = fields.Date(string="Scored On", readonly=True)
    credit_score_explanation = fields.Html(string="Score Explanation", readonly=True)
    credit_score_rating = fields.Selection(selection=CREDIT_RATINGS, string="Rating of the Score",
                                           compute="_compute_credit_score_rating")
    credit_hold = fields.Boolean(string="Manual Credit Hold", readonly=True,
                                 help="Put on hold by a credit controller; only a Credit Manager releases it.")
    credit_hold_note = fields.Char(string="Hold Reason")
    credit_on_hold = fields.Boolean(string="On Credit Hold", compute="_compute_credit_on_hold",
                                    search="_search_credit_on_hold")
    credit_hold_reason = fields.Char(string="Why On Hold", compute="_compute_credit_on_hold")
    credit_limit = fields.Monetary(
        compute="_compute_credit_limit",
        inverse="_inverse_credit_limit",
        help="The customer's credit limit in this company (Odoo's partner credit limit, company currency). "
             "0: no limit. Only a Credit Manager changes it.",
    )
    credit_usage = fields.Monetary(
        string="Credit Used",
        compute="_compute_credit_usage",
        help="Open receivables plus draft invoices (less draft credit notes) in this company, company currency.",
    )
    credit_usage_percent = fields.Float(string="Credit Used (%)", compute="_compute_credit_usage")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("credit_check_ids.date", "credit_check_ids.source")
    def _compute_credit_check_id(self):
        for debtor_file in self:
            checks = debtor_file.credit_check_ids.sorted(
                lambda c: (c.date or fields.Date.to_date("1900-01-01"), c._origin.id or 0), reverse=True)
            debtor_file.credit_check_id = checks[:1]
            debtor_file.credit_external_check_id = checks.filtered(lambda c: c.source == "external")[:1]

    @api.depends("credit_expiry_date")
    @api.depends_context("date")
    def _compute_credit_expired(self):
        today = fields.Date.context_today(self)
        for debtor_file in self:
            debtor_file.credit_expired = bool(debtor_file.credit_expiry_date) and debtor_file.credit_expiry_date < today

    def _search_credit_expired(self, operator, value):
        if operator != "in":
            return NotImplemented
        return [("credit_expiry_date", "<", fields.Date.context_today(self))]

    @api.depends("credit_score", "credit_score_date")
    def _compute_credit_score_rating(self):
        for debtor_file in self:
            debtor_file.credit_score_rating = debtor_file.credit_score_date and rating_for_score(
                debtor_file.credit_score)

    @api.depends("credit_hold", "credit_hold_note", "credit_rating", "credit_score", "credit_score_date",
                 "oldest_overdue_days", "company_id.debtor_credit_hold_score",
                 "company_id.debtor_credit_hold_overdue_days")
    def _compute_credit_on_hold(self):
        for debtor_file in self:
            reasons = debtor_file._credit_hold_reasons()
            debtor_file.credit_on_hold = bool(reasons)
            debtor_file.credit_hold_reason = "; ".join(reasons) or False

    def _credit_hold_reasons(self):
        """Why this customer is on credit hold (empty: it is not)."""
        self.ensure_one()
        company = self.company_id
        reasons = []
        if self.credit_hold:
            reasons.append(self.env._("put on hold: %(note)s", note=self.credit_hold_note)
                           if self.credit_hold_note else self.env._("put on hold by hand"))
        if self.credit_rating == "E":
            reasons.append(self.env._("rated E"))
        threshold = company.debtor_credit_hold_score
        if threshold and self.credit_score_date and self.credit_score < threshold:
            reasons.append(self.env._("internal score %(score)s below %(threshold)s", score=self.credit_score,
                                      threshold=threshold))
        days = company.debtor_credit_hold_overdue_days
        if days and self.oldest_overdue_days > days:
            reasons.append(self.env._("%(days)s days overdue (more than %(limit)s)", days=self.oldest_overdue_days,
                                      limit=days))
        return reasons

    def _search_credit_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        domains = [Domain("credit_hold", "=", True), Domain("credit_rating", "=", "E")]
        companies = self.env["res.company"].sudo().search(
            ["|", ("debtor_credit_hold_score", ">", 0), ("debtor_credit_hold_overdue_days", ">", 0)])
        for company in companies:
            if company.debtor_credit_hold_score:
                domains.append(Domain([("company_id", "=", company.id), ("credit_score_date", "!=", False),
                                       ("credit_score", "<", company.debtor_credit_hold_score)]))
            if company.debtor_credit_hold_overdue_days:
                domains.append(Domain([("company_id", "=", company.id),
                                       ("oldest_overdue_days", ">", company.debtor_credit_hold_overdue_days)]))
        return Domain.OR(domains)

    @api.depends("partner_id", "company_id")
    def _compute_credit_limit(self):
        for debtor_file in self:
            partner = debtor_file.partner_id.sudo().with_company(debtor_file.company_id)
            debtor_file.credit_limit = partner.credit_limit if partner else 0.0

    def _inverse_credit_limit(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can set a customer's credit limit."))
        for debtor_file in self:
            partner = debtor_file.partner_id.sudo().with_company(debtor_file.company_id)
            if debtor_file.currency_id.compare_amounts(partner.credit_limit, debtor_file.credit_limit) == 0:
                continue
            previous = partner.credit_limit
            partner.credit_limit = debtor_file.credit_limit
            debtor_file._post_note(self.env._(
                "Credit limit in %(company)s set to %(limit)s by %(user)s (was %(previous)s).",
                company=debtor_file.company_id.name, limit=debtor_file.currency_id.format(debtor_file.credit_limit),
                user=self.env.user.name, previous=debtor_file.currency_id.format(previous)))

    @api.depends("partner_id", "company_id", "total_due")
    def _compute_credit_usage(self):
        for company, files in self.grouped("company_id").items():
            usage = self._credit_exposure(company, files.partner_id)
            for debtor_file in files:
                debtor_file.credit_usage = usage.get(debtor_file.partner_id.id, 0.0)
                limit = debtor_file.credit_limit
                debtor_file.credit_usage_percent = 100.0 * debtor_file.credit_usage / limit if limit else 0.0

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_credit_hold(self):
        """Put these customers on credit hold (any credit controller); the reason is required."""
        self.check_access("write")
        for debtor_file in self:
            if not debtor_file.credit_hold_note:
                raise UserError(self.env._("Write down why %(customer)s goes on credit hold first.",
                                           customer=debtor_file.partner_id.display_name))
        # credit_hold is read-only in the views: it changes through these two buttons only
        self.sudo().credit_hold = True
        for debtor_file in self:
            debtor_file._post_note(self.env._("Credit hold in %(company)s by %(user)s: %(reason)s",
                                           company=debtor_file.company_id.name, user=self.env.user.name,
                                           reason=debtor_file.credit_hold_note))

    def action_credit_release(self):
        """Release the manual credit hold of these customers (Credit Managers only)."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can release a credit hold."))
        self.sudo().write({"credit_hold": False, "credit_hold_note": False})
        for debtor_file in self:
            debtor_file._post_note(self.env._("Credit hold in %(company)s released by %(user)s.",
                                           company=debtor_file.company_id.name, user=self.env.user.name))

    def action_record_credit_check(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Credit Check"),
            "res_model": "debtor.credit.check",
            "view_mode": "form",
            "target": "new",
            "context": {"default_customer_id": self.id, "default_credit_limit_proposal": self.credit_limit},
        }

    def action_import_credit_report(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Credit Report"),
            "res_model": "debtor.credit.report.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_customer_id": self.id},
        }

    def action_open_credit_checks(self):
        return self._open_related("debtor_followup.debtor_credit_check_action", domain=[("customer_id", "=", self.id)],
                                  context={"default_customer_id": self.id})

    def action_compute_credit_score(self):
        """Recompute the internal score of these customers now."""
        self.check_access("write")
        today = fields.Date.context_today(self)
        Check = self.env["debtor.credit.check"]
        for company, files in self.grouped("company_id").items():
            self._write_credit_scores(company, Check._internal_scores(company, files.partner_id, today), today)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _credit_file(self, partners, company):
        """The debtor files of ``partners``' commercial entities in ``company``, created when missing."""
        partners = partners.commercial_partner_id
        files = self.search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])
        missing = partners - files.partner_id
        if missing:
            created = self.sudo().with_context(tracking_disable=True).create(
                [{"partner_id": partner.id, "company_id": company.id} for partner in missing])
            files |= created.with_env(self.env)
        return files

    @api.model
    def _credit_exposure(self, company, partners, exclude_moves=None):
        """What ``partners`` owe and are about to owe ``company``: open receivables plus draft customer invoices
        less draft credit notes, in the company's currency. Two grouped queries.

        :param partners: commercial partners
        :param exclude_moves: draft moves to leave out (the caller adds their current amounts itself)
        :return: ``{partner id: amount}``
        """
        partners = partners._origin
        if not partners:
            return {}
        open_amounts = dict(self.env["account.move.line"].sudo()._read_group(
            self._open_lines_domain(company, partners), ["partner_id"], ["amount_residual:sum"]))
        draft_domain = [("company_id", "=", company.id), ("state", "=", "draft"),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("commercial_partner_id", "in", partners.ids)]
        if exclude_moves:
            draft_domain.append(("id", "not in", exclude_moves._origin.ids))
        drafts = dict(self.env["account.move"].sudo()._read_group(
            draft_domain, ["commercial_partner_id"], ["amount_total_signed:sum"]))
        return {partner.id: open_amounts.get(partner, 0.0) + drafts.get(partner, 0.0) for partner in partners}

    def _credit_refusals(self):
        """Why posting a new invoice for this customer goes against its credit status (hold, refused or expired
        check), besides the limit; an empty list when nothing does."""
        self.ensure_one()
        reasons = []
        if self.credit_on_hold:
            reasons.append(self.env._("%(customer)s is on credit hold (%(reason)s).",
                                      customer=self.partner_id.display_name, reason=self.credit_hold_reason))
        if self.credit_result == "refused":
            reasons.append(self.env._("The last credit check of %(customer)s (%(date)s) refused credit.",
                                      customer=self.partner_id.display_name, date=self.credit_check_date))
        elif self.credit_expired:
            reasons.append(self.env._("The credit check of %(customer)s expired on %(date)s.",
                                      customer=self.partner_id.display_name, date=self.credit_expiry_date))
        return reasons

    @api.model
    def _write_credit_scores(self, company, scores, today):
        """Store internal scores on the debtor files of ``company``.

        :param scores: ``{partner id: {"score", "explanation", ...}}`` as ``debtor.credit.check._internal_scores``
        """
        if not scores:
            return
        files = self.with_context(active_test=False).search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", list(scores))], ["partner_id"])
        self._bulk_write(SCORE_COLUMNS, [
            [file.id, scores[file.partner_id.id]["score"], today, str(scores[file.partner_id.id]["explanation"])]
            for file in files])
