from odoo import fields
from odoo import models


class AccountPaymentOrder(models.Model):
    """Direct-debit orders that collect payment plan installments, and the installment reference as the
    end-to-end identification of their transactions in the pain.008 file."""

    _inherit = "account.payment.order"

    debtor_plan_collection = fields.Boolean(
        string="Payment Plan Installments", readonly=True, copy=False, index=True,
        help="Created by Debtor Follow-up to collect the installments of direct-debit payment plans.")

    def _prepare_field(self, field_name, field_value, eval_ctx, max_size=0, gen_args=None):
        """An installment's transaction is identified end to end by the installment's reference: the bank reports
        it back on the statement and on a return."""
        if field_name == "End to End Identification":
            installment = eval_ctx.get("line") and eval_ctx["line"].payment_line_ids.debtor_installment_id
            if installment and len(installment) == 1 and installment.reference:
                return installment.reference[:max_size] if max_size else installment.reference
        return super()._prepare_field(field_name, field_value, eval_ctx, max_size=max_size, gen_args=gen_args)
