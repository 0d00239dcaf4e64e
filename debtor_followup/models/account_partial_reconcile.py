from odoo import api
from odoo import models


class AccountPartialReconcile(models.Model):
    """Keep the debtor files, payment plans and handovers current when payments and credit notes are matched or
    unmatched."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        lines = partials.debit_move_id | partials.credit_move_id
        lines._debtor_update_plans()
        lines._debtor_update_handovers()
        self.env["debtor.customer"]._refresh_later_for(lines)
        return partials

    def unlink(self):
        if not self:  # Odoo unlinks empty sets of matches on every edit of a draft entry
            return super().unlink()
        lines = self.debit_move_id | self.credit_move_id
        res = super().unlink()
        lines = lines.exists()
        lines._debtor_update_plans()
        lines._debtor_update_handovers()
        self.env["debtor.customer"]._refresh_later_for(lines)
        return res
