from odoo import models


class DebtorFollowupAction(models.Model):
    _inherit = "debtor.followup.action"

    def _letter_values(self, shared=None):
        """The letters of one rendering find their debtor files (for the link to the customer's page) with one
        query, and get their links issued at once."""
        if shared is not None and "debtor_portal_files" not in shared:
            actions = self.browse(self._prefetch_ids)
            files = self.env["debtor.customer"].sudo().search(
                [("partner_id", "in", actions.partner_id.ids), ("company_id", "in", actions.company_id.ids)])
            files._debtor_portal_ensure_token()
            shared["debtor_portal_files"] = {(file.partner_id.id, file.company_id.id): file for file in files}
        return super()._letter_values(shared)
