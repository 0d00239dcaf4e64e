from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        """A language installed after the addon also translates the standard follow-up policy, which the addon
        creates by code (not from a data file whose terms Odoo would load)."""
        res = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if "debtor_followup" in modules and "debtor.followup.policy" in self.env:
            self.env["debtor.followup.policy"].sudo()._translate_all_standard_names(langs)
        return res
