from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debtor_dispute_approval_amount = fields.Monetary(
        related="company_id.debtor_dispute_approval_amount", readonly=False, currency_field="currency_id")
    debtor_dispute_rejection_resume = fields.Selection(
        related="company_id.debtor_dispute_rejection_resume", readonly=False)
    debtor_plan_approval_amount = fields.Monetary(
        related="company_id.debtor_plan_approval_amount", readonly=False, currency_field="currency_id")
    debtor_plan_approval_installments = fields.Integer(
        related="company_id.debtor_plan_approval_installments", readonly=False)
    debtor_four_eyes = fields.Boolean(related="company_id.debtor_four_eyes", readonly=False)
    debtor_plan_reminder_days_before = fields.Integer(
        related="company_id.debtor_plan_reminder_days_before", readonly=False)
    debtor_plan_reminder_days_after = fields.Integer(
        related="company_id.debtor_plan_reminder_days_after", readonly=False)
    debtor_plan_grace_days = fields.Integer(related="company_id.debtor_plan_grace_days", readonly=False)
    debtor_late_payment_rule = fields.Selection(related="company_id.debtor_late_payment_rule", readonly=False)
    debtor_fee_product_id = fields.Many2one(related="company_id.debtor_fee_product_id", readonly=False)
    debtor_wik_vat_rate = fields.Float(related="company_id.debtor_wik_vat_rate", readonly=False)

    debtor_credit_enforcement = fields.Selection(related="company_id.debtor_credit_enforcement", readonly=False)
    debtor_credit_validity_days = fields.Integer(related="company_id.debtor_credit_validity_days", readonly=False)
    debtor_credit_hold_score = fields.Integer(related="company_id.debtor_credit_hold_score", readonly=False)
    debtor_credit_hold_overdue_days = fields.Integer(related="company_id.debtor_credit_hold_overdue_days",
                                                     readonly=False)
    debtor_credit_vies = fields.Boolean(related="company_id.debtor_credit_vies", readonly=False)

    debtor_handover_wait_days = fields.Integer(related="company_id.debtor_handover_wait_days", readonly=False)
    debtor_handover_agency_id = fields.Many2one(related="company_id.debtor_handover_agency_id", readonly=False)
    debtor_aging_email = fields.Boolean(related="company_id.debtor_aging_email", readonly=False)
    debtor_portal_token_days = fields.Integer(related="company_id.debtor_portal_token_days", readonly=False)
    debtor_portal_paid_pause_days = fields.Integer(related="company_id.debtor_portal_paid_pause_days",
                                                   readonly=False)
    debtor_portal_rate_limit = fields.Integer(related="company_id.debtor_portal_rate_limit", readonly=False)

    # Reference rates: the outcome of the updates from the official publications (not company-dependent).
    debtor_rate_update_status = fields.Text(
        string="Reference rate updates", compute="_compute_debtor_rate_update_status")

    def _compute_debtor_rate_update_status(self):
        status = self.env["debtor.reference.rate"]._update_status_text()
        for settings in self:
            settings.debtor_rate_update_status = status

    def action_debtor_update_rates(self):
        """Update Now on the settings page."""
        return self.env["debtor.reference.rate"].action_update_rates()
