
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import float_compare

from .debtor_credit_check import CREDIT_RATINGS
from .debtor_credit_check import CREDIT_RESULTS
from .debtor_credit_check import MANAGER_GROUP


class ResPartnerCredit(models.Model):
    """The customer's credit position in the current company, and who may set its credit limit."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Credit position in the current company
    # ------------------------------------------------------------------
    debtor_credit_currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_debtor_credit")
    debtor_credit_check_date = fields.Date(string="Credit Check Date", compute="_compute_debtor_credit")
    debtor_credit_expiry_date = fields.Date(string="Credit Valid Until", compute="_compute_debtor_credit")
    debtor_credit_expired = fields.Boolean(string="Credit Check Expired", compute="_compute_debtor_credit")
    debtor_credit_result = fields.Selection(selection=CREDIT_RESULTS, string="Credit Decision",
                                            compute="_compute_debtor_credit")
    debtor_credit_rating = fields.Selection(selection=CREDIT_RATINGS, string="Credit Rating",
                                            compute="_compute_debtor_credit")
    debtor_credit_score = fields.Integer(string="Internal Score", compute="_compute_debtor_credit")
    debtor_credit_score_explanation = fields.Html(string="Score Explanation", compute="_compute_debtor_credit")
    debtor_credit_external_rating = fields.Char(string="External Rating", compute="_compute_debtor_credit")
    debtor_credit_external_source = fields.Char(string="External Source", compute="_compute_debtor_credit")
    debtor_credit_limit_proposal = fields.Monetary(string="Proposed Credit Limit", compute="_compute_debtor_credit",
                                                   currency_field="debtor_credit_currency_id")
    debtor_credit_checked_by_id = fields.Many2one(comodel_name="res.users", string="Checked By",
                                                  compute="_compute_debtor_credit")
    debtor_credit_note = fields.Text(string="Credit Notes", compute="_compute_debtor_credit")
    debtor_credit_on_hold = fields.Boolean(string="On Credit Hold", compute="_compute_debtor_credit")
    debtor_credit_hold_reason = fields.Char(string="Why On Hold", compute="_compute_debtor_credit")
    debtor_credit_usage = fields.Monetary(string="Credit Used", compute="_compute_debtor_credit",
                                          currency_field="debtor_credit_currency_id",
                                          help="Open receivables plus draft invoices in the current company.")

    @api.depends_context("company")
    @api.depends("commercial_partner_id.debtor_customer_ids.credit_check_id",
                 "commercial_partner_id.debtor_customer_ids.credit_score",
                 "commercial_partner_id.debtor_customer_ids.credit_hold")
    def _compute_debtor_credit(self):
        company = self.env.company
        partners = self.commercial_partner_id._origin
        files = self.env["debtor.customer"].search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)])
        by_partner = {customer.partner_id: customer for customer in files}
        usage = self.env["debtor.customer"]._credit_exposure(company, partners)
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            customer = by_partner.get(commercial, self.env["debtor.customer"])
            partner.debtor_credit_currency_id = company.currency_id
            partner.debtor_credit_check_date = customer.credit_check_date
            partner.debtor_credit_expiry_date = customer.credit_expiry_date
            partner.debtor_credit_expired = customer.credit_expired
            partner.debtor_credit_result = customer.credit_result
            partner.debtor_credit_rating = customer.credit_rating
            partner.debtor_credit_score = customer.credit_score
            partner.debtor_credit_score_explanation = customer.credit_score_explanation
            partner.debtor_credit_external_rating = customer.credit_external_rating
            partner.debtor_credit_external_source = customer.credit_external_source
            partner.debtor_credit_limit_proposal = customer.credit_limit_proposal
            partner.debtor_credit_checked_by_id = customer.credit_checked_by_id
            partner.debtor_credit_note = customer.credit_note
            partner.debtor_credit_on_hold = customer.credit_on_hold
            partner.debtor_credit_hold_reason = customer.credit_hold_reason
            partner.debtor_credit_usage = usage.get(commercial.id, 0.0)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._debtor_may_set_credit_limit():
            fallback = self._fields["credit_limit"].get_company_dependent_fallback(self)
            for vals in vals_list:
                if "credit_limit" in vals and not vals.get("parent_id") and float_compare(
                        vals["credit_limit"] or 0.0, fallback or 0.0, precision_digits=2) != 0:
                    raise AccessError(self.env._("Only a Credit Manager can set a customer's credit limit."))
        return super().create(vals_list)

    def write(self, vals):
        if "credit_limit" in vals and not self._debtor_may_set_credit_limit():
            for partner in self.sudo():
                if partner.commercial_partner_id == partner and float_compare(
                        partner.credit_limit or 0.0, vals["credit_limit"] or 0.0, precision_digits=2) != 0:
                    raise AccessError(self.env._("Only a Credit Manager can set a customer's credit limit."))
        return super().write(vals)

    def _debtor_may_set_credit_limit(self):
        """Credit limits of commercial entities are set by Credit Managers (and the system) only."""
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    # ------------------------------------------------------------------
    # Credit actions
    # ------------------------------------------------------------------
    def action_debtor_record_credit_check(self):
        self.ensure_one()
        return self.env["debtor.customer"]._credit_file(self, self.env.company).action_record_credit_check()

    def action_debtor_import_credit_report(self):
        self.ensure_one()
        return self.env["debtor.customer"]._credit_file(self, self.env.company).action_import_credit_report()
