

from odoo import api
from odoo import models
from odoo.tools import SQL


class DebtorCustomerMerge(models.Model):
    """Debtor files through Odoo's partner merge: the history and settings of merged partners are kept."""

    _inherit = "debtor.customer"

    # ------------------------------------------------------------------
    # Partner merge
    # ------------------------------------------------------------------
    @api.model
    def _merge_partner_files(self, src_partners, dst_partner):
        """Move the follow-up history of ``src_partners`` to ``dst_partner`` before Odoo's partner merge updates
        the other foreign keys (see ``base.partner.merge.automatic.wizard._update_foreign_keys``).

        A debtor file moves to the surviving partner; where that partner already has one in the same company, the
        two are merged: the credit checks move, the stricter settings win (exclusion, manual reminders, hold),
        the empty ones are filled, and the merged file goes. The actions move, each keeping the name of the
        customer it reminded. Written in SQL like the merge itself (no history record is rewritten through the
        ORM, whose guards refuse it).
        """
        self.env.flush_all()
        Customer = self.sudo().with_context(active_test=False)
        targets = {debtor_file.company_id.id: debtor_file
                   for debtor_file in Customer.search([("partner_id", "=", dst_partner.id)])}
        absorbed = self.browse()
        for debtor_file in Customer.search([("partner_id", "in", src_partners.ids)], order="id"):
            target = targets.get(debtor_file.company_id.id)
            if not target:
                self.env.cr.execute(SQL("UPDATE debtor_customer SET partner_id = %s WHERE id = %s",
                                        dst_partner.id, debtor_file.id))
                targets[debtor_file.company_id.id] = debtor_file
                continue
            target._absorb_file(debtor_file)
            absorbed |= debtor_file
        for partner in src_partners:
            self.env.cr.execute(SQL(
                "UPDATE debtor_followup_action SET partner_id = %s, merged_from = COALESCE(merged_from, %s) "
                "WHERE partner_id = %s", dst_partner.id, partner.display_name, partner.id))
        if absorbed:
            self.env.cr.execute(SQL("DELETE FROM debtor_customer WHERE id IN %s", tuple(absorbed.ids)))
        self.env.invalidate_all()

    def _absorb_file(self, other):
        """Take over the credit checks and settings of ``other``, a debtor file of the same company."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            "UPDATE debtor_credit_check SET customer_id = %s, partner_id = %s WHERE customer_id = %s",
            self.id, self.partner_id.id, other.id))
        vals = {}
        for name in ("responsible_id", "policy_id", "late_payment_rule", "exclusion_note", "credit_hold_note"):
            if not self[name] and other[name]:
                vals[name] = other[name].id if isinstance(other[name], models.BaseModel) else other[name]
        if other.excluded and not self.excluded:
            vals["excluded"] = True
        if other.reminder_mode == "manual":
            vals["reminder_mode"] = "manual"
        if other.credit_hold and not self.credit_hold:
            vals["credit_hold"] = True
        if other.postponed_until and (not self.postponed_until or other.postponed_until > self.postponed_until):
            vals["postponed_until"] = other.postponed_until
        if vals:
            self.sudo().write(vals)
        self._post_note(self.env._(
            "Debtor file of %(customer)s merged into this one: its reminder history, credit checks and settings "
            "are kept here.", customer=other.partner_id.display_name))

    @api.model
    def _refresh_merged_files(self, partner):
        """After a partner merge: the figures, usual delays and last credit checks of ``partner``'s files."""
        self.env.invalidate_all()
        files = self.sudo().with_context(active_test=False).search([("partner_id", "=", partner.id)])
        for company in files.company_id:
            self._refresh(company, partner)
            self._refresh_usual_delays(company, partner)
        self.env.add_to_compute(self._fields["credit_check_id"], files)
        self.env.add_to_compute(self._fields["credit_external_check_id"], files)
        files.flush_recordset()
