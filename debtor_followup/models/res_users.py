from odoo import api
from odoo import models

CONTROLLER_GROUP = "debtor_followup.group_debtor_controller"
WORK_QUEUE_ACTION = "debtor_followup.debtor_customer_action"


class ResUsers(models.Model):
    """Credit controllers and managers land on the work queue: their home action (``action_id``) is set to it when
    they get the group and on install, unless they have one already (a home action chosen is kept)."""

    _inherit = "res.users"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._debtor_set_home_action()
        return users

    def write(self, vals):
        res = super().write(vals)
        if "group_ids" in vals:
            self._debtor_set_home_action()
        return res

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _debtor_set_home_action(self):
        """Make the work queue the home action of those of these users who are credit controllers (managers are)
        and have no home action."""
        action = self.env.ref(WORK_QUEUE_ACTION, raise_if_not_found=False)
        if not action:  # during the install, before the action is loaded
            return
        users = self.sudo().filtered(
            lambda user: not user.action_id and not user.share and user._has_group(CONTROLLER_GROUP))
        if users:
            users.write({"action_id": action.id})

    @api.model
    def _debtor_set_home_action_all(self):
        """Called from the module's data on install and update: the work queue as home of every credit controller
        and manager who has none."""
        group = self.env.ref(CONTROLLER_GROUP)
        self.sudo().search([("all_group_ids", "in", group.ids), ("action_id", "=", False)])._debtor_set_home_action()
