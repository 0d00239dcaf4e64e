from odoo import fields
from odoo import models
from odoo.exceptions import UserError

CALL_OUTCOMES = [
    ("reached", "Reached, will pay"),
    ("promised", "Promised to pay"),
    ("disputed", "Disputes the debt"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
    ("other", "Other"),
]


class DebtorFollowupLog(models.TransientModel):
    """Log a call with its outcome, or postpone a customer's follow-up, from the work queue. The call is noted on the
    debtor file; a customer who promised to pay goes on to the promise wizard."""

    _name = "debtor.followup.log"
    _description = "Log a Call or Postpone Follow-up"

    customer_id = fields.Many2one(comodel_name="debtor.customer", required=True, ondelete="cascade")
    kind = fields.Selection(selection=[("call", "Log a call"), ("postpone", "Postpone")], required=True,
                            default="call")
    outcome = fields.Selection(selection=CALL_OUTCOMES)
    postpone_until = fields.Date(string="Next Action On")
    note = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        customer = self.customer_id
        today = fields.Date.context_today(self)
        if self.kind == "call" and not self.outcome:
            raise UserError(self.env._("Choose the outcome of the call."))
        if self.kind == "postpone" and not self.postpone_until:
            raise UserError(self.env._("Choose the date follow-up resumes."))
        if self.postpone_until and self.postpone_until <= today:
            raise UserError(self.env._("Follow-up can only be postponed to a later date than today."))
        outcomes = dict(CALL_OUTCOMES)
        if self.kind == "call":
            body = self.env._("Call logged: %(outcome)s.", outcome=outcomes[self.outcome])
            activity_type = self.env.ref("mail.mail_activity_data_call")
            # close the open call activities of this customer: the call was made
            customer.partner_id.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type).action_feedback(feedback=outcomes[self.outcome])
        else:
            body = self.env._("Follow-up postponed.")
        if self.postpone_until:
            customer.postponed_until = self.postpone_until
            body += " " + self.env._("Next action on %(date)s.", date=self.postpone_until)
        if self.note:
            body += " " + self.note
        # on the debtor file, by whoever made the call: its chatter is the customer's follow-up story
        customer.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        if self.kind == "call" and self.outcome == "promised":
            # the customer promised to pay: record the promise right away
            return customer._open_wizard("debtor.promise.wizard", self.env._("Promise to Pay"), note=self.note or False)
        return {"type": "ir.actions.act_window_close"}
