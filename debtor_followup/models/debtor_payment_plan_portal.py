from odoo import fields
from odoo import models

from .debtor_payment_plan import DebtorPaymentPlan as BasePaymentPlan


class DebtorPaymentPlan(models.Model):
    _inherit = "debtor.payment.plan"
    # set by the customer's page only (as superuser): a controller cannot mark a plan as asked for by the customer
    _debtor_control_fields = (*BasePaymentPlan._debtor_control_fields, "debtor_portal_requested")

    debtor_portal_requested = fields.Boolean(
        string="Asked for by the Customer", readonly=True, copy=False, tracking=True,
        help="The customer asked for these terms on its page, beyond the company's limits: once a Credit Manager "
             "approves them the plan is active and the customer is told by email.")

    def action_approve(self):
        res = super().action_approve()
        requested = self.filtered(lambda plan: plan.debtor_portal_requested and plan.state in ("draft", "proposed"))
        if requested:
            requested.action_activate()
            template = self.env.ref("debtor_followup.mail_template_payment_plan_portal_approved")
            for plan in requested:
                plan.message_post_with_source(
                    template, message_type="comment", subtype_xmlid="mail.mt_comment",
                    partner_ids=plan.partner_id.ids, force_send=False)
        return res
