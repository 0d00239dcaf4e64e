from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    """A direct debit of a payment plan installment that the customer's bank returned."""

    _inherit = "account.payment"

    # computed as the superuser: who sees a payment need not see payment orders or payment plans
    debtor_installment_ids = fields.Many2many(
        comodel_name="debtor.payment.plan.line", string="Installments",
        compute="_compute_debtor_installment_ids", compute_sudo=True)
    debtor_is_installment_debit = fields.Boolean(
        string="Installment Direct Debit", compute="_compute_debtor_installment_ids", compute_sudo=True)
    debtor_returned = fields.Boolean(
        string="Debit Returned", compute="_compute_debtor_installment_ids", compute_sudo=True)

    def _compute_debtor_installment_ids(self):
        for payment in self:
            payment.debtor_installment_ids = payment.payment_line_ids.debtor_installment_id
            payment.debtor_is_installment_debit = bool(payment.debtor_installment_ids)
            payment.debtor_returned = any(payment.payment_line_ids.mapped("debtor_returned"))

    def action_debtor_sdd_return(self):
        """The bank returned this direct debit: the installment is owed again (see ``_debtor_sdd_return``)."""
        self._debtor_sdd_return()
        return True

    def _debtor_sdd_return(self, reason=None, return_date=None):
        """Record that the customer's bank returned (rejected) these uploaded direct debits of installments.

        The payment's entry is reversed (its match with the invoices undone), so the invoices owe again and the plan
        re-allocates what is left to its installments: the installment is unpaid again, late once its due date has
        passed, and the plan's grace period and breaking rules apply to it in the nightly run. The return is noted
        on the plan and on the customer's debtor file.

        :param str reason: the return reason the bank gave (e.g. ``AM04``, ``MD06``), if any
        :param return_date: the date of the reversal (today when None)
        """
        return_date = return_date or fields.Date.context_today(self)
        for payment in self:
            if payment.debtor_returned:
                raise UserError(self.env._("%(payment)s was already returned.", payment=payment.display_name))
            if not payment.debtor_installment_ids or payment.state not in ("in_process", "paid"):
                raise UserError(self.env._(
                    "%(payment)s is not a direct debit of a payment plan installment sent to the bank.",
                    payment=payment.display_name))
        for payment in self:
            move = payment.move_id
            # unmatch it from the invoices only: its in-transit entry stays matched with the bank's booking, if any
            move.line_ids.filtered(
                lambda line, payment=payment: line.account_id == payment.destination_account_id
            ).remove_move_reconcile()
            # reversed without Odoo's "cancel" mode, which would also unmatch the bank's booking
            reversal = move._reverse_moves([{
                "date": return_date,
                "ref": self.env._("Direct debit returned: %(payment)s", payment=payment.name),
            }])
            reversal._post(soft=False)
            for account in (move.line_ids | reversal.line_ids).account_id.filtered("reconcile"):
                pair = (move.line_ids | reversal.line_ids).filtered(
                    lambda line, account=account: line.account_id == account and not line.reconciled)
                if len(pair) == 2:
                    pair.reconcile()
            payment.action_reject()
            # the plan side as the superuser: who records a return need not be a credit controller
            payment.sudo().payment_line_ids.write({"debtor_returned": True, "debtor_return_reason": reason or False})
            for plan in payment.debtor_installment_ids.sudo().plan_id:
                installments = payment.debtor_installment_ids.filtered(lambda i, plan=plan: i.plan_id == plan)
                body = self.env._(
                    "The direct debit of %(amount)s for installment %(references)s was returned by the bank"
                    "%(reason)s: the installment is owed again.",
                    amount=payment.currency_id.format(payment.amount),
                    references=", ".join(installments.mapped("reference")),
                    reason=self.env._(" (reason %(code)s)", code=reason) if reason else "")
                plan.message_post(body=body)
                plan.line_ids._update_states(return_date)
                customer = self.env["debtor.customer"].sudo().search(
                    [("partner_id", "=", plan.partner_id.id), ("company_id", "=", plan.company_id.id)], limit=1)
                (customer or plan.partner_id.sudo()).message_post(
                    body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        self.env["debtor.customer"].sudo()._refresh_for(self.debtor_installment_ids.sudo().plan_id)
