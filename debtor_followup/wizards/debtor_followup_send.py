from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.mail import plaintext2html


class DebtorFollowupSend(models.TransientModel):
    """Preview a customer's reminder, then send it, print it or both, outside the nightly run.

    It proposes the level due (else the next one) and asks before repeating a level the customer already got
    today: the server refuses to send it again without ``confirm_repeat``. The controller may add a personal line
    above the level's text and contacts in copy, and sees the documents the email will carry.
    """

    _name = "debtor.followup.send"
    _description = "Send a Follow-up Reminder"

    customer_id = fields.Many2one(comodel_name="debtor.customer", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="customer_id.partner_id", string="Customer Contact")
    company_id = fields.Many2one(related="customer_id.company_id")
    level_id = fields.Many2one(
        comodel_name="debtor.followup.level",
        required=True,
        domain="[('policy_id', '=', policy_id)]",
        compute="_compute_level_id", store=True, readonly=False, precompute=True,
    )
    policy_id = fields.Many2one(related="customer_id.effective_policy_id")
    line_ids = fields.Many2many(
        comodel_name="account.move.line",
        string="Items",
        compute="_compute_line_ids", store=True, readonly=False, precompute=True,
        domain="[('id', 'in', available_line_ids)]",
    )
    available_line_ids = fields.Many2many(comodel_name="account.move.line", related="customer_id.line_ids")
    send_email = fields.Boolean(compute="_compute_send_email", store=True, readonly=False)
    recipients = fields.Char(compute="_compute_preview")
    subject = fields.Char(compute="_compute_preview")
    body = fields.Html(compute="_compute_preview", sanitize=False)
    preview_error = fields.Char(compute="_compute_preview")
    repeat_warning = fields.Char(
        compute="_compute_repeat_warning",
        help="Set when the customer was already sent this level today.")
    personal_note = fields.Text(
        string="Personal Line",
        help="Added at the top of this reminder's email, above the level's text (this email only).")
    cc_partner_ids = fields.Many2many(
        comodel_name="res.partner", string="CC",
        help="Contacts who get a copy of this reminder's email.")
    attachment_names = fields.Text(
        string="Attachments", compute="_compute_attachment_names",
        help="The documents the email carries, as the level says: the statement, the invoices' PDFs.")
    confirm_repeat = fields.Boolean(
        string="Send It Again",
        help="The customer already got this level today: tick to send it once more all the same.")

    @api.depends("customer_id")
    def _compute_level_id(self):
        for wizard in self:
            customer = wizard.customer_id
            levels = customer.effective_policy_id._sorted_levels() if customer.effective_policy_id \
                else self.env["debtor.followup.level"]
            # the level due, else the one after the level reached (not the one sent last, again)
            following = levels.filtered(
                lambda level, current=customer.level_id: not current or level.delay_days > current.delay_days)
            wizard.level_id = customer.due_level_id or following[:1] or customer.level_id or levels[:1]

    @api.depends("customer_id", "level_id")
    def _compute_repeat_warning(self):
        today = fields.Date.context_today(self)
        wizards = self.filtered(lambda wizard: wizard.customer_id and wizard.level_id)
        actions = self.env["debtor.followup.action"].search_fetch([
            ("partner_id", "in", wizards.customer_id.partner_id.ids), ("level_id", "in", wizards.level_id.ids),
            ("company_id", "in", wizards.customer_id.company_id.ids), ("date", "=", today), ("state", "=", "done"),
        ], ["partner_id", "company_id", "level_id", "user_id", "create_date"], order="id desc")
        sent = {}
        for action in actions:
            sent.setdefault((action.partner_id, action.company_id, action.level_id), action)
        for wizard in self:
            action = sent.get((wizard.customer_id.partner_id, wizard.company_id, wizard.level_id))
            wizard.repeat_warning = action and self.env._(
                "%(customer)s was already sent level %(level)s today (%(time)s, by %(user)s).",
                customer=wizard.customer_id.partner_id.display_name, level=wizard.level_id.name,
                time=fields.Datetime.context_timestamp(self, action.create_date).strftime("%H:%M"),
                user=action.user_id.name or "")

    @api.depends("customer_id", "level_id")
    def _compute_line_ids(self):
        for wizard in self:
            customer = wizard.customer_id
            if not customer:
                wizard.line_ids = False
                continue
            state = customer._compute_followup_state(customer.company_id, customer.partner_id)
            partner_state = state.get(customer.partner_id.id, {})
            due = partner_state.get("due", {}).get(wizard.level_id)
            if not due:
                # everything overdue that is followed up (not excluded)
                followed = [line_id for line_id, (_lvl, _date, reason) in partner_state.get("lines", {}).items()
                            if not reason]
                due = customer.line_ids.filtered(
                    lambda line: line.id in followed and line.date_maturity
                    and line.date_maturity < fields.Date.context_today(self))
            wizard.line_ids = due

    @api.depends("level_id")
    def _compute_send_email(self):
        for wizard in self:
            wizard.send_email = wizard.level_id.send_email

    @api.depends("customer_id", "level_id", "line_ids", "send_email")
    def _compute_attachment_names(self):
        for wizard in self:
            names = []
            if wizard.send_email and wizard.customer_id and wizard.level_id:
                if wizard.level_id.attach_statement:
                    names.append(self.env._("Statement - %(customer)s.pdf",
                                            customer=wizard.customer_id.partner_id.display_name))
                if wizard.level_id.attach_invoices:
                    invoices = wizard.line_ids._origin.move_id.filtered(
                        lambda move: move.is_invoice() and move.state == "posted")
                    names += [move.invoice_pdf_report_id.name or move._get_invoice_report_filename()
                              for move in invoices.sudo()]
            wizard.attachment_names = "\n".join(names) or False

    @api.depends("customer_id", "level_id", "line_ids", "send_email", "personal_note")
    def _compute_preview(self):
        for wizard in self:
            wizard.recipients = wizard.subject = wizard.body = wizard.preview_error = False
            if not (wizard.customer_id and wizard.level_id and wizard.send_email):
                continue
            if not wizard.level_id.mail_template_id:
                wizard.preview_error = self.env._("Level %(level)s has no email template.",
                                                  level=wizard.level_id.name)
                continue
            try:
                recipients = wizard.customer_id._followup_recipients()
                rendered = wizard.customer_id._render_reminder(wizard.level_id, wizard.line_ids._origin)
            except UserError as error:
                wizard.preview_error = str(error)
                continue
            wizard.recipients = ", ".join(recipients.mapped("email_formatted"))
            wizard.subject = rendered["subject"]
            wizard.body = wizard._personal_line() + (rendered["body"] or "")

    def _personal_line(self):
        """The personal line as HTML (escaped), empty when there is none."""
        self.ensure_one()
        return plaintext2html(self.personal_note.strip()) if self.personal_note and self.personal_note.strip() \
            else ""

    def _execute(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Choose the items to remind the customer of."))
        if self.repeat_warning and not self.confirm_repeat:
            raise UserError(self.env._("%(warning)s Tick \"Send It Again\" to send it once more.",
                                       warning=self.repeat_warning))
        missing = self.cc_partner_ids.filtered(lambda partner: not partner.email)
        if self.send_email and missing:
            raise UserError(self.env._("%(contacts)s cannot be copied: no email address.",
                                       contacts=", ".join(missing.mapped("display_name"))))
        line = self._personal_line()
        previewed = str(self.body or "").removeprefix(str(line))  # the level's text, as the email carries it
        action = self.customer_id._execute_level(
            self.level_id, self.line_ids._origin, manual=True, send_email=self.send_email)
        self._personalize_email(action, line, previewed)
        self.customer_id.action_refresh()
        return action

    def _personalize_email(self, action, line, previewed):
        """Add the personal ``line`` and the copies to the reminder ``action`` queued: its message in the customer's
        chatter and its email (still in Odoo's mail queue, it leaves with them).

        :param str previewed: the level's text shown in the preview, found in the email to put the line above it
        """
        self.ensure_one()
        message = action.mail_message_id
        if not message or not (line or self.cc_partner_ids):
            return
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        if line:
            body = previewed
            for mail in mails:
                # the email is the level's text in the template's layout: the line goes just above that text
                html = str(mail.body_html or "")
                mail.body_html = html.replace(body, str(line) + body, 1) if body and body in html \
                    else str(line) + html
            message.sudo().body = line + (message.body or "")
        if self.cc_partner_ids:
            mails.email_cc = ", ".join(self.cc_partner_ids.mapped("email_formatted"))
            self.customer_id._post_note(self.env._(
                "Reminder %(level)s copied to %(contacts)s.", level=self.level_id.name,
                contacts=", ".join(self.cc_partner_ids.mapped("email_formatted"))))

    def action_send(self):
        """Execute the level now (email as chosen, letter and activity as the level says)."""
        self._execute()
        return {"type": "ir.actions.act_window_close"}

    def action_send_and_print(self):
        """Execute the level now and print its letter."""
        action = self._execute()
        return self.env.ref("debtor_followup.action_report_debtor_letter").report_action(action)
