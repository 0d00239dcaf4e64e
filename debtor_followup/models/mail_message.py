from odoo import api
from odoo import models
from odoo.fields import Domain


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _message_fetch(self, domain, *, thread=None, **kwargs):
        """The chatter of a debtor file is the customer's: its own notes and calls, and what is on the contact
        (the reminders the follow-up sent, the customer's replies to them, the notes of the other users), in one
        conversation. The messages of the contact are read with the user's own rights on them."""
        if thread is None or thread._name != "debtor.customer" or len(thread) != 1:
            return super()._message_fetch(domain, thread=thread, **kwargs)
        conversation = (
            (Domain("model", "=", thread._name) & Domain("res_id", "=", thread.id))
            | (Domain("model", "=", "res.partner") & Domain("res_id", "=", thread.sudo().partner_id.id))
        ) & Domain("message_type", "!=", "user_notification")
        domain = conversation if domain is None else Domain(domain) & conversation
        return super()._message_fetch(domain, thread=None, **kwargs)
