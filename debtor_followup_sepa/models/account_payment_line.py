from odoo import fields
from odoo import models


class AccountPaymentLine(models.Model):
    """A direct-debit payment line that collects (part of) a payment plan installment.

    Its communication is the installment's ISO 11649 creditor reference (``communication_type`` ``ISO``, which
    pain.008 carries as a structured remittance reference issued by ``ISO``); the lines of one installment make one
    payment, so one transaction in the file.
    """

    _inherit = "account.payment.line"

    communication_type = fields.Selection(
        selection_add=[("ISO", "ISO 11649 Creditor Reference")], ondelete={"ISO": "set default"})
    debtor_installment_id = fields.Many2one(
        comodel_name="debtor.payment.plan.line", string="Installment", index="btree_not_null", readonly=True,
        ondelete="restrict")
    debtor_returned = fields.Boolean(string="Returned", readonly=True, copy=False,
                                     help="The customer's bank returned (rejected) this direct debit.")
    debtor_return_reason = fields.Char(string="Return Reason", readonly=True, copy=False)

    def payment_line_hashcode(self):
        """The lines of one installment make one payment (one transaction, one reference)."""
        self.ensure_one()
        if self.debtor_installment_id:
            return f"debtor-installment-{self.debtor_installment_id.id}"
        return super().payment_line_hashcode()

    def _prepare_account_payment_vals(self):
        vals = super()._prepare_account_payment_vals()
        installments = self.debtor_installment_id
        if len(installments) == 1:
            vals["payment_reference"] = installments.reference
        return vals
