from odoo import models


class MailNotification(models.Model):
    """A reminder's delivery notification turning to *bounce* tells the customer's follow-up responsible."""

    _inherit = "mail.notification"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("notification_status") == "bounce":
            self.env["debtor.followup.action"]._notify_bounced(self.mail_message_id)
        return res
