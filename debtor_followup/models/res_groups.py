from odoo import models

from .res_users import CONTROLLER_GROUP


class ResGroups(models.Model):
    """Users put in the credit controllers' group (or a group implying it) from the group's side land on the work
    queue too (see ``res.users._debtor_set_home_action``)."""

    _inherit = "res.groups"

    def write(self, vals):
        res = super().write(vals)
        if "user_ids" in vals:
            controllers = self.env.ref(CONTROLLER_GROUP, raise_if_not_found=False)
            if controllers and controllers in self.all_implied_ids:
                self.all_user_ids._debtor_set_home_action()
        return res
