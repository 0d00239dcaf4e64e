from odoo import api
from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Odoo's partner merge keeps the follow-up history: debtor files are merged before the generic update of the
    foreign keys, which would delete a file whose company the surviving partner already has a file in."""

    _inherit = "base.partner.merge.automatic.wizard"

    @api.model
    def _update_foreign_keys(self, src_partners, dst_partner):
        self.env["debtor.customer"]._merge_partner_files(src_partners, dst_partner)
        res = super()._update_foreign_keys(src_partners, dst_partner)
        self.env["debtor.customer"]._refresh_merged_files(dst_partner)
        return res
