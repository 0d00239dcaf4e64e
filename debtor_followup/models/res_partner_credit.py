
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import float_compare

from .debtor_credit_check import MANAGER_GROUP


class ResPartnerCredit(models.Model):
    """The customer's credit position in the current company, and who may set its credit limit."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Credit position in the current company
    # ------------------------------------------------------------------
    debtor_credit_currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_debtor_credit")
    # the debtor file's credit position, shown on the contact (the fields below mirror the file)
    debtor_credit_check_date = fields.Date(related="debtor_customer_id.credit_check_date", string="Credit Check Date")
    debtor_credit_expiry_date = fields.Date(related="debtor_customer_id.credit_expiry_date",
                                            string="Credit Valid Until")
    debtor_credit_expired = fields.Boolean(related="debtor_customer_id.credit_expired", string="Credit Check Expired")
    debtor_credit_result = fields.Selection(related="debtor_customer_id.credit_result", string="Credit Decision")
    debtor_credit_rating = fields.Selection(related="debtor_customer_id.credit_rating", string="Credit Rating")
    debtor_credit_score = fields.Integer(related="debtor_customer_id.credit_score", string="Internal Score")
    debtor_credit_score_explanation = fields.Html(related="debtor_customer_id.credit_score_explanation",
                                                  string="Score Explanation")
    debtor_credit_external_rating = fields.Char(related="debtor_customer_id.credit_external_rating",
                                                string="External Rating")
    debtor_credit_external_source = fields.Char(related="debtor_customer_id.credit_external_source",
                                                string="External Source")
    debtor_credit_limit_proposal = fields.Monetary(related="debtor_customer_id.credit_limit_proposal",
                                                   string="Proposed Credit Limit",
                                                   currency_field="debtor_credit_currency_id")
    debtor_credit_checked_by_id = fields.Many2one(related="debtor_customer_id.credit_checked_by_id",
                                                  string="Checked By")
    debtor_credit_note = fields.Text(related="debtor_customer_id.credit_note", string="Credit Notes")
    debtor_credit_on_hold = fields.Boolean(related="debtor_customer_id.credit_on_hold", string="On Credit Hold")
    debtor_credit_hold_reason = fields.Char(related="debtor_customer_id.credit_hold_reason", string="Why On Hold")
    debtor_credit_usage = fields.Monetary(string="Credit Used", compute="_compute_debtor_credit",
                                          currency_field="debtor_credit_currency_id",
                                          help="Open receivables plus draft invoices in the current company.")

    @api.depends_context("company")
    def _compute_debtor_credit(self):
        company = self.env.company
        usage = self.env["debtor.customer"]._credit_exposure(company, self.commercial_partner_id._origin)
        for partner in self:
            partner.debtor_credit_currency_id = company.currency_id
            partner.debtor_credit_usage = usage.get(partner.commercial_partner_id._origin.id, 0.0)

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
        return self._debtor_file_action("action_record_credit_check")

    def action_debtor_import_credit_report(self):
        return self._debtor_file_action("action_import_credit_report")
