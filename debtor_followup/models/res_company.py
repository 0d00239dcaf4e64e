from odoo import api
from odoo import fields
from odoo import models

from .debtor_customer import LATE_PAYMENT_RULES

# The statutory regime a new company gets, by country.
EU_COUNTRIES = {"AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
                "LU", "LV", "MT", "PL", "PT", "RO", "SE", "SI", "SK"}


class ResCompany(models.Model):
    _inherit = "res.company"

    debtor_dispute_approval_amount = fields.Monetary(
        string="Dispute Approval Amount",
        currency_field="currency_id",
        help="Disputes above this amount (company currency) are accepted by a Credit Manager only. 0: no limit.",
    )
    debtor_dispute_rejection_resume = fields.Selection(
        selection=[("same", "At the level it had"), ("next", "At the next level, at once")],
        string="After a Rejected Dispute",
        default="next",
        required=True,
        help="Where the follow-up of an invoice resumes once its dispute is rejected.",
    )

    debtor_plan_approval_amount = fields.Monetary(
        string="Plan Approval Amount",
        currency_field="currency_id",
        default=5000.0,
        help="Payment plans above this total (company currency) need a Credit Manager's approval. 0: no limit.",
    )
    debtor_plan_approval_installments = fields.Integer(
        string="Plan Approval Installments",
        default=6,
        help="Payment plans with more installments than this need a Credit Manager's approval. 0: no limit.",
    )
    debtor_four_eyes = fields.Boolean(
        string="Four Eyes",
        help="The Credit Manager who proposed a payment plan cannot approve it, nor the one who raised a dispute "
             "above the approval amount accept it: another Credit Manager does.",
    )
    debtor_plan_reminder_days_before = fields.Integer(
        string="Installment Reminder Before (days)", default=3,
        help="Remind the customer this many days before an installment falls due. 0: no reminder.")
    debtor_plan_reminder_days_after = fields.Integer(
        string="Installment Reminder After (days)", default=3,
        help="Remind the customer this many days after a missed installment. 0: no reminder.")
    debtor_plan_grace_days = fields.Integer(
        string="Plan Grace Period (days)", default=10,
        help="A plan breaks when an installment is still unpaid this many days after its due date.")

    debtor_late_payment_rule = fields.Selection(
        selection=LATE_PAYMENT_RULES,
        string="Late-Payment Rules",
        default="none",
        required=True,
        help="Statutory interest and costs shown on invoices, statements and reminders, and charged by the levels "
             "that create fee invoices. Policies and customers can override it.",
    )
    debtor_fee_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Fee Product",
        help="Product (income account and taxes) of the fee invoices created by follow-up levels.",
    )
    debtor_wik_vat_rate = fields.Float(
        string="VAT on Collection Costs (%)",
        help="Netherlands: VAT added to the WIK costs when the company cannot deduct VAT. 0: none.",
    )

    debtor_aging_email = fields.Boolean(
        string="Email the Aging Summary",
        help="Every week, email the receivables aging summary of this company to its Credit Managers.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        for company in companies:
            code = company.country_id.code
            if company.debtor_late_payment_rule == "none" and code:
                company.debtor_late_payment_rule = ({"NL": "nl", "DE": "de", "GB": "uk"}.get(code)
                                                    or ("eu" if code in EU_COUNTRIES else "none"))
        self.env["debtor.followup.policy"].sudo()._ensure_company_default(companies)
        return companies

    debtor_handover_wait_days = fields.Integer(
        string="Wait After Formal Notice (days)", default=14,
        help="Days the customer is given after the formal notice of default; a debt can be handed over to a "
             "collection agency from the day after (earlier only by a Credit Manager, with a reason).")
    debtor_handover_agency_id = fields.Many2one(
        comodel_name="res.partner", string="Default Collection Agency",
        domain=[("debtor_is_collection_agency", "=", True)],
        help="Proposed by the handover wizard.")

    # the customer's page (controllers/portal.py)
    debtor_portal_token_days = fields.Integer(
        string="Customer Link Valid (days)", default=90,
        help="How long the link to a customer's page stays valid after it was issued. Every reminder, letter and "
             "statement sent after that issues a new one. 0: links do not expire.")
    debtor_portal_paid_pause_days = fields.Integer(
        string="Pause After 'Already Paid' (days)", default=10,
        help="When a customer answers on its page that it has already paid an invoice, no reminder of that invoice "
             "goes out for this many days, while the payment is looked for.")
    debtor_portal_rate_limit = fields.Integer(
        string="Customer Page Requests per Hour", default=60,
        help="Requests to the customer pages allowed per link and per address (IP) in an hour; beyond, the page "
             "refuses to answer for a while.")

    def _debtor_aging_summary_html(self):
        """The receivables aging summary of this company as HTML (used by the scheduled email's template)."""
        self.ensure_one()
        return self.env["debtor.report.aging"].sudo().with_company(self)._summary_html(self)
