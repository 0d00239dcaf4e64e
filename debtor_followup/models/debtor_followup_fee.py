from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class DebtorFollowupFee(models.Model):
    """The fee invoice line charged for one invoice at one follow-up level: the guard that charges it once.

    A fee whose fee invoice is posted cannot be deleted (it would be charged again); it goes with its fee invoice
    only, when that one is deleted as a draft.
    """

    _name = "debtor.followup.fee"
    _description = "Follow-up Fee"
    _order = "id desc"
    _check_company_auto = True

    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", required=True, index=True,
                              ondelete="restrict", check_company=True)
    level_id = fields.Many2one(comodel_name="debtor.followup.level", required=True, ondelete="restrict")
    fee_move_id = fields.Many2one(comodel_name="account.move", string="Fee Invoice", required=True,
                                  ondelete="cascade", check_company=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True)
    currency_id = fields.Many2one(related="fee_move_id.currency_id")
    interest = fields.Monetary()
    costs = fields.Monetary()

    _once_per_level = models.Constraint(
        "UNIQUE(move_id, level_id)", "A fee is charged once per invoice and level.")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_charged(self):
        charged = self.filtered(lambda fee: fee.fee_move_id.state == "posted")
        if charged:
            raise UserError(self.env._(
                "The fees of %(invoices)s were charged on a posted fee invoice: they cannot be deleted, or they would "
                "be charged again. Reverse the fee invoice with a credit note instead.",
                invoices=", ".join(charged.move_id.mapped("display_name"))))
