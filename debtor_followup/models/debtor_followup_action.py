from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

ACTION_STATES = [
    ("draft", "In Progress"),
    ("done", "Done"),
    ("failed", "Failed"),
]
DELIVERY_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("failed", "Not Delivered"),
    ("cancelled", "Cancelled"),
]
# mail.notification statuses -> delivery state of a reminder (the worst of its recipients wins)
NOTIFICATION_DELIVERY = {
    "ready": "queued", "process": "queued", "pending": "sent", "sent": "sent",
    "bounce": "failed", "exception": "failed", "canceled": "cancelled",
}


class DebtorFollowupAction(models.Model):
    """One follow-up level executed for one customer: the history behind every reminder.

    The nightly run creates one per customer and level it acts on (several overdue items reminded in one message),
    a person one per manual send. A failed attempt is kept with its error so the run log can show it. The unique
    index on automatic actions is the last guard against two runs reminding the same customer of the same level
    on the same day. Actions are evidence: they are never deleted, nor their customer, and follow a partner merge.
    """

    _name = "debtor.followup.action"
    _description = "Follow-up Action"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", required=True, index=True,
                                 ondelete="restrict")
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(comodel_name="debtor.followup.level", required=True, index=True, ondelete="restrict")
    policy_id = fields.Many2one(related="level_id.policy_id", store=True)
    run_id = fields.Many2one(comodel_name="debtor.followup.run", index="btree_not_null", ondelete="restrict")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    user_id = fields.Many2one(comodel_name="res.users", string="By", default=lambda self: self.env.user)
    manual = fields.Boolean(help="Executed by a person rather than by the nightly run.")
    state = fields.Selection(selection=ACTION_STATES, default="draft", required=True)
    error = fields.Text()
    line_ids = fields.Many2many(
        comodel_name="account.move.line",
        relation="debtor_followup_action_line_rel",
        column1="action_id",
        column2="line_id",
        string="Items",
    )
    move_ids = fields.Many2many(comodel_name="account.move", string="Invoices", compute="_compute_move_ids")
    amount_due = fields.Monetary(string="Amount Reminded")
    email_sent = fields.Boolean()
    recipient_ids = fields.Many2many(comodel_name="res.partner", relation="debtor_followup_action_recipient_rel",
                                     string="Recipients")
    mail_template_id = fields.Many2one(comodel_name="mail.template", ondelete="set null")
    mail_message_id = fields.Many2one(comodel_name="mail.message", ondelete="set null", index="btree_not_null")
    delivery_state = fields.Selection(
        selection=DELIVERY_STATES, compute="_compute_delivery_state", store=True,
        help="Where the reminder email is: queued in Odoo's mail queue, handed to the mail server, or not "
             "delivered (mail server failure or bounce: see the message in the customer's chatter). A final notice "
             "not delivered does not count as the formal notice.")
    bounce_activity_id = fields.Many2one(
        comodel_name="mail.activity", string="Bounce To-Do", ondelete="set null", readonly=True,
        help="The to-do scheduled for the customer's responsible when this reminder bounced.")
    merged_from = fields.Char(
        string="Reminded As", readonly=True,
        help="The customer this reminder was sent to, when that customer was since merged into this one.")
    letter_attachment_id = fields.Many2one(comodel_name="ir.attachment", string="Letter", ondelete="set null")
    activity_id = fields.Many2one(comodel_name="mail.activity", ondelete="set null")
    fee_move_id = fields.Many2one(comodel_name="account.move", string="Fee Invoice", ondelete="set null")

    _once_per_day = models.UniqueIndex(
        "(partner_id, company_id, level_id, date) "
        "WHERE (state = 'done' AND manual IS NOT TRUE AND merged_from IS NULL)",
        "This customer was already reminded of this level today.",
    )

    @api.depends("mail_message_id.notification_ids.notification_status")
    def _compute_delivery_state(self):
        groups = self.env["mail.notification"].sudo()._read_group(
            [("mail_message_id", "in", self.mail_message_id.ids), ("notification_type", "=", "email")],
            ["mail_message_id", "notification_status"], ["__count"])
        statuses = {}
        for message, status, _count in groups:
            statuses.setdefault(message.id, set()).add(NOTIFICATION_DELIVERY.get(status, "queued"))
        order = ["failed", "queued", "sent", "cancelled"]
        for action in self:
            found = statuses.get(action.mail_message_id.id)
            action.delivery_state = next((state for state in order if state in found), False) if found else False

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        """The reminders sent are evidence (for the agency, in court): like a posted journal entry, they stay."""
        if any(action.state != "draft" for action in self):
            raise UserError(self.env._("A follow-up action is part of the customer's reminder history and cannot be "
                                       "deleted."))

    @api.depends("line_ids")
    def _compute_move_ids(self):
        for action in self:
            action.move_ids = action.line_ids.move_id

    @api.depends("partner_id", "level_id", "date")
    def _compute_display_name(self):
        for action in self:
            action.display_name = f"{action.partner_id.display_name} - {action.level_id.name} ({action.date})"

    def _item_labels(self):
        """One short label per reminded item, for chatter notes."""
        self.ensure_one()
        return [
            self.env._("%(move)s due %(date)s: %(amount)s", move=line.move_id.name, date=line.date_maturity,
                       amount=line.currency_id.format(line.amount_residual_currency))
            for line in self.line_ids
        ]

    def _render_letters(self):
        """Render these actions' reminder letters (one company) in one go, as PDF attachments kept on the actions.

        :return: ``{action id: ir.attachment}``
        """
        contents = self.env["ir.actions.report"]._debtor_render_split(
            "debtor_followup.action_report_debtor_letter", self)
        attachments = self.env["ir.attachment"].sudo().create([{
            "name": self.env._("Reminder %(level)s - %(customer)s.pdf", level=action.level_id.name,
                               customer=action.partner_id.display_name),
            "raw": contents[action.id],
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": action.id,
        } for action in self])
        return dict(zip(self.ids, attachments, strict=True))

    def _letter_values(self, shared=None):
        """What the letter's letterhead, address block and payment details show (the statement's:
        ``debtor.customer._statement_document_values``, ``shared`` by the letters of one rendering), dated the
        day of the action."""
        self.ensure_one()
        return self.env["debtor.customer"]._statement_document_values(
            self.partner_id, self.company_id, self.line_ids, self.date, shared)

    @api.model
    def _formal_notice_domain(self):
        """The actions that count as the formal notice of default: final-notice levels executed and not known to
        be undelivered (an email that bounced, that the mail server refused or that was cancelled does not
        count, even with its letter: nothing proves the customer received it)."""
        return [("state", "=", "done"), ("level_id.is_final_notice", "=", True),
                ("delivery_state", "not in", ("failed", "cancelled"))]

    @api.model
    def _notify_bounced(self, messages):
        """Reminders whose email bounced: schedule a to-do for each customer's responsible (once per action).

        Called when a delivery notification of ``messages`` (``mail.message``) turns to *bounce*.
        """
        actions = self.sudo().search([("mail_message_id", "in", messages.ids), ("state", "=", "done"),
                                      ("bounce_activity_id", "=", False)])
        if not actions:
            return
        files = self.env["debtor.customer"].sudo().search_fetch(
            [("partner_id", "in", actions.partner_id.ids), ("company_id", "in", actions.company_id.ids)],
            ["partner_id", "company_id", "responsible_id"])
        responsible = {(f.partner_id.id, f.company_id.id): f.responsible_id for f in files}
        todo = self.env.ref("mail.mail_activity_data_todo")
        model = self.env["ir.model"]._get_id("res.partner")
        today = fields.Date.context_today(self)
        values = []
        for action in actions:
            user = (responsible.get((action.partner_id.id, action.company_id.id))
                    or action.partner_id.user_id or action.user_id)
            summary = self.env._("Reminder bounced: %(level)s of %(date)s", level=action.level_id.name,
                                 date=action.date)
            note = self.env._(
                "The email of follow-up level %(level)s sent on %(date)s to %(to)s bounced. Correct the address "
                "and send it again.", level=action.level_id.name, date=action.date,
                to=", ".join(action.recipient_ids.mapped("email")))
            if action.level_id.is_final_notice:
                note += " " + self.env._("Until then it does not count as the formal notice.")
            values.append({"res_model_id": model, "res_id": action.partner_id.id, "activity_type_id": todo.id,
                           "summary": summary, "note": note, "user_id": user.id,
                           "date_deadline": today + timedelta(days=1)})
        activities = self.env["mail.activity"].sudo().create(values)
        for action, activity in zip(actions, activities, strict=True):
            action.bounce_activity_id = activity

    def action_print_letter(self):
        return self.env.ref("debtor_followup.action_report_debtor_letter").report_action(self)
