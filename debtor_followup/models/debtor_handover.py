import base64
from datetime import timedelta

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..tools import handover_file

HANDOVER_STATES = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("acknowledged", "Acknowledged"),
    ("partial", "Partially Collected"),
    ("collected", "Fully Collected"),
    ("closed", "Closed"),
    ("withdrawn", "Withdrawn"),
]
# The invoices of a handover in these states are "in collection" (badge) ...
IN_COLLECTION_STATES = ("draft", "sent", "acknowledged", "partial")
# ... and left out of the company's own follow-up in these (all but withdrawn: a closed case is not chased again).
EXCLUDING_STATES = (*IN_COLLECTION_STATES, "collected", "closed")
# The agency hears of later payments in these.
AT_AGENCY_STATES = ("sent", "acknowledged", "partial", "collected", "closed")
EXPORT_FORMATS = [
    ("xml", "XML (format 1)"),
    ("csv", "CSV"),
]
AGENCY_KINDS = [
    ("agency", "Collection agency"),
    ("lawyer", "Lawyer"),
    ("bailiff", "Bailiff"),
]


class DebtorHandover(models.Model):
    """Overdue invoices of one customer handed over to a collection agency, lawyer or bailiff.

    Created by the handover wizard once the formal notice was sent and its waiting period has passed (or a Credit
    Manager overrode that, with a reason). From then on its invoices get no reminder from the company (exclusion
    reason *collection*). The handover file (XML checked against ``data/xsd/debtor_handover.xsd``, or CSV) is
    attached for download and, when the agency wants it, emailed to its contact. Payments matched with the invoices
    later update the handover (partially, then fully collected) and are reported to the agency's contact (an
    activity, and an email when the agency wants one). Withdrawing it puts the invoices back into the follow-up at
    the level they had.

    A handover is created by the wizard only, and its state, dates, figures, file and override change only through
    its actions (``debtor.workflow.mixin``): it is the evidence of what was handed over, when and why.
    """

    _name = "debtor.handover"
    _description = "Collection Handover"
    _inherit = ["mail.thread", "mail.activity.mixin", "debtor.workflow.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _debtor_create_by_actions = True
    _debtor_control_fields = ("name", "state", "partner_id", "company_id", "currency_id", "agency_id", "date",
                              "date_sent", "date_acknowledged", "date_done", "notice_date", "override_reason",
                              "override_issues", "override_user_id", "attachment_id")
    _debtor_workflow_models = ("debtor.handover.line",)  # the invoices, written with the handover
    _debtor_sequence_code = "debtor.handover"
    _debtor_refresh_debtors = True  # its invoices leave or rejoin the follow-up
    _debtor_transitions = {
        "generate_file": (tuple(state for state, _label in HANDOVER_STATES if state != "withdrawn"), None),
        "send": (("draft",), "sent"),
        "acknowledge": (("sent",), "acknowledged"),
        "close": (("sent", "acknowledged", "partial", "collected"), "closed"),
        "withdraw": (IN_COLLECTION_STATES, "withdrawn"),
    }

    # ------------------------------------------------------------------
    # Parties
    # ------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", required=True, index=True,
                                 readonly=True, tracking=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, readonly=True,
                                 default=lambda self: self.env.company, tracking=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True, readonly=True, tracking=True,
                                  help="The invoices' currency: every amount of the handover is in it.")
    user_id = fields.Many2one(comodel_name="res.users", string="Responsible", default=lambda self: self.env.user,
                              tracking=True, domain=[("share", "=", False)])
    agency_id = fields.Many2one(
        comodel_name="res.partner", required=True, index=True, tracking=True,
        domain=[("debtor_is_collection_agency", "=", True)],
        readonly=True,
    )
    agency_contact_id = fields.Many2one(
        comodel_name="res.partner", tracking=True,
        help="Receives the handover file, the payment notices and the withdrawal (by email when the agency wants "
             "it).",
    )
    agency_reference = fields.Char(string="Agency's Reference", tracking=True, copy=False,
                                   help="The agency's file number, given when it acknowledges the handover.")
    export_format = fields.Selection(selection=EXPORT_FORMATS, required=True, default="xml", tracking=True)

    # ------------------------------------------------------------------
    # State and dates
    # ------------------------------------------------------------------
    state = fields.Selection(selection=HANDOVER_STATES, default="draft", required=True, tracking=True, index=True,
                             copy=False)
    date = fields.Date(string="Handover Date", required=True, default=fields.Date.context_today, readonly=True,
                       tracking=True, help="Interest and costs are computed up to this date.")
    date_sent = fields.Date(readonly=True, copy=False, tracking=True)
    date_acknowledged = fields.Date(readonly=True, copy=False, tracking=True)
    date_done = fields.Date(string="Closed On", readonly=True, copy=False, tracking=True)
    notice_date = fields.Date(string="Formal Notice Sent On", readonly=True, tracking=True,
                              help="The latest formal notice (final-notice level) sent about these invoices.")
    close_note = fields.Text(string="Closing Note", tracking=True,
                             help="Required to close a case the agency did not collect fully.")
    withdraw_reason = fields.Text(string="Withdrawal Reason", tracking=True)

    # ------------------------------------------------------------------
    # Override of the preconditions
    # ------------------------------------------------------------------
    override_reason = fields.Text(readonly=True, copy=False, tracking=True)
    override_issues = fields.Text(string="Preconditions Overridden", readonly=True, copy=False, tracking=True)
    override_user_id = fields.Many2one(comodel_name="res.users", string="Overridden By", readonly=True, copy=False,
                                       tracking=True)

    # ------------------------------------------------------------------
    # Invoices and figures
    # ------------------------------------------------------------------
    line_ids = fields.One2many(comodel_name="debtor.handover.line", inverse_name="handover_id", string="Invoices",
                               readonly=True)
    move_ids = fields.Many2many(comodel_name="account.move", string="Invoice Records", compute="_compute_move_ids")
    invoice_count = fields.Integer(compute="_compute_move_ids")
    principal_amount = fields.Monetary(string="Principal", compute="_compute_amounts", store=True)
    interest_amount = fields.Monetary(string="Interest", compute="_compute_amounts", store=True)
    costs_amount = fields.Monetary(string="Costs", compute="_compute_amounts", store=True)
    total_amount = fields.Monetary(string="Total Claimed", compute="_compute_amounts", store=True, tracking=True)
    amount_collected = fields.Monetary(string="Collected", compute="_compute_amounts", store=True, tracking=True,
                                       help="Paid or credited on the invoices since the handover.")
    amount_open = fields.Monetary(string="Principal Open", compute="_compute_amounts", store=True)
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="Handover File", readonly=True, copy=False,
                                    tracking=True)
    attachment_name = fields.Char(related="attachment_id.name", string="File Name")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for handover in self:
            handover.move_ids = handover.line_ids.move_id
            handover.invoice_count = len(handover.line_ids)

    @api.depends("line_ids.principal", "line_ids.interest", "line_ids.costs", "line_ids.amount_collected")
    def _compute_amounts(self):
        for handover in self:
            lines = handover.line_ids
            handover.principal_amount = sum(lines.mapped("principal"))
            handover.interest_amount = sum(lines.mapped("interest"))
            handover.costs_amount = sum(lines.mapped("costs"))
            handover.total_amount = handover.principal_amount + handover.interest_amount + handover.costs_amount
            handover.amount_collected = sum(lines.mapped("amount_collected"))
            handover.amount_open = sum(lines.mapped("amount_open"))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _debtor_locked_fields(self, vals):
        """The file's format is the draft's to choose; a closed or withdrawn case is fixed."""
        locked = []
        if "export_format" in vals and any(handover.state != "draft" for handover in self):
            locked.append("export_format")
        if any(handover.state in ("closed", "withdrawn") for handover in self):
            locked += [name for name in ("close_note", "withdraw_reason", "agency_reference", "agency_contact_id")
                       if name in vals]
        return locked

    def _debtor_hint(self, operation):
        if operation == "create":
            return self.env._("A handover is made with the Hand Over button of the debtor file.")
        return ""

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        if any(handover.state != "draft" for handover in self):
            raise UserError(self.env._("Only a draft handover can be deleted: withdraw it instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_generate_file(self):
        """(Re)build the handover file in the handover's format and attach it; a draft's figures are brought up to
        date first."""
        self.check_access("write")
        self._debtor_check_step("generate_file")
        for handover in self:
            if handover.state == "draft":
                handover._update_figures(fields.Date.context_today(self))
            handover._attach_file()
        return True

    def action_send(self):
        """Hand the file over: the figures to today, the file built and attached, sent to the agency's contact by
        email when the agency wants it (queued)."""
        self.check_access("write")
        self._debtor_check_step("send")
        today = fields.Date.context_today(self)
        for handover in self:
            handover._update_figures(today)
            if handover.currency_id.is_zero(handover.principal_amount):
                raise UserError(self.env._("The invoices of %(handover)s are paid: there is nothing left to hand "
                                           "over. Delete the draft.", handover=handover.name))
            attachment = handover._attach_file()
            handover._debtor_do_step("send", {"date_sent": today})
            if handover._agency_wants_email():
                handover._post_to_agency("debtor_followup.mail_template_handover_file", attachment)
            else:
                handover.message_post(body=self.env._(
                    "Handed over to %(agency)s with %(file)s (to be delivered to the agency by hand).",
                    agency=handover.agency_id.display_name, file=attachment.name), attachment_ids=attachment.ids)
        return True

    def action_acknowledge(self):
        """The agency took the case on under its own reference."""
        self.check_access("write")
        self._debtor_check_step("acknowledge")
        for handover in self:
            if not handover.agency_reference:
                raise UserError(self.env._("Enter the agency's reference of %(handover)s first.",
                                           handover=handover.name))
        self._debtor_do_step("acknowledge", {"date_acknowledged": fields.Date.context_today(self)})
        return True

    def action_close(self):
        """Close the case: collected in full, or given up by the agency (then the closing note says why).

        The invoices stay out of the company's reminders; what is left open is for the accountant to write off.
        """
        self.check_access("write")
        self._debtor_check_step("close")
        for handover in self:
            if not handover.currency_id.is_zero(handover.amount_open) and not handover.close_note:
                raise UserError(self.env._(
                    "%(handover)s still has %(open)s open: write down in the closing note why the case is closed.",
                    handover=handover.name, open=handover.currency_id.format(handover.amount_open)))
        self._debtor_do_step("close", {"date_done": fields.Date.context_today(self)})
        for handover in self:
            handover.message_post(body=self.env._("Case closed: %(note)s", note=handover.close_note)
                                  if handover.close_note else self.env._("Case closed."))
        return True

    def action_withdraw(self):
        """Take the case back from the agency: its invoices go back into the follow-up at the level they had."""
        self.check_access("write")
        self._debtor_check_step("withdraw")
        for handover in self:
            if not handover.withdraw_reason:
                raise UserError(self.env._("Write down why %(handover)s is withdrawn first.",
                                           handover=handover.name))
        at_agency = self.filtered(lambda h: h.state != "draft")
        self._debtor_do_step("withdraw", {"date_done": fields.Date.context_today(self)})
        for handover in self:
            body = self.env._("Withdrawn: %(reason)s. The invoices are back in the follow-up.",
                              reason=handover.withdraw_reason)
            if handover in at_agency and handover._agency_wants_email():
                handover._post_to_agency("debtor_followup.mail_template_handover_withdrawn")
            handover.message_post(body=body)
            handover._customer()._post_note(self.env._(
                "Handover %(handover)s to %(agency)s withdrawn (%(reason)s): follow-up resumes for %(invoices)s.",
                handover=handover.name, agency=handover.agency_id.display_name, reason=handover.withdraw_reason,
                invoices=", ".join(handover.line_ids.move_id.mapped("name"))))
        return True

    def action_download(self):
        self.ensure_one()
        if not self.attachment_id:
            self.action_generate_file()
        return {"type": "ir.actions.act_url", "url": f"/web/content/{self.attachment_id.id}?download=true",
                "target": "self"}

    def action_open_invoices(self):
        self.ensure_one()
        return self._debtor_invoices_action(self.line_ids.move_id)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _customer(self):
        """The debtor file of this handover's customer (created when missing)."""
        self.ensure_one()
        return self.env["debtor.customer"]._credit_file(self.partner_id, self.company_id)

    def _agency_wants_email(self):
        self.ensure_one()
        return bool(self.agency_id.debtor_agency_email and self._agency_recipient().email)

    def _agency_recipient(self):
        self.ensure_one()
        return self.agency_contact_id or self.agency_id

    def _agency_activity_user(self):
        """Who follows up the agency's contact: the contact's own internal user when it has one (e.g. the
        company's legal department), else the handover's responsible."""
        self.ensure_one()
        internal = self._agency_recipient().user_ids.filtered(lambda user: not user.share)[:1]
        return internal or self.user_id or self.env.user

    @api.model
    def _line_values(self, moves, on_date):
        """What ``moves`` owe on ``on_date``: one dict per invoice for ``debtor.handover.line``.

        The principal is the invoice's open amount; interest and costs are those of the late-payment rules
        (``debtor.customer._late_payment_figures``) less what fee invoices already charged for the invoice, so that
        nothing is claimed twice (a fee invoice can be handed over as an invoice of its own). Amounts are in the
        invoice's currency.
        """
        receivable = moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
            and line.amount_residual > 0 and line.parent_state == "posted")
        overdue = receivable.filtered(lambda line: line.date_maturity and line.date_maturity < on_date)
        figures = self.env["debtor.customer"].sudo()._late_payment_figures(overdue, on_date) if overdue else {}
        fees = self.env["debtor.followup.fee"].sudo().search([("move_id", "in", moves.ids)])
        values = []
        for move in moves:
            mine = [figures[line.id] for line in overdue if line.move_id == move]
            interest = sum(f["interest"] for f in mine)
            costs = sum(f["costs"] for f in mine)
            charged = fees.filtered(lambda fee, move=move: fee.move_id == move)
            if charged:
                company_currency = move.company_id.currency_id
                already = company_currency._convert(sum(charged.mapped("interest")), move.currency_id,
                                                    move.company_id, on_date)
                interest = max(interest - already, 0.0)
                if any(charged.mapped("costs")):
                    costs = 0.0  # owed once per invoice, and already invoiced
            maturities = receivable.filtered(lambda line, move=move: line.move_id == move).mapped("date_maturity")
            values.append({
                "move_id": move.id,
                "due_date": min(filter(None, maturities), default=move.invoice_date_due),
                "original_amount": move.amount_total,
                "principal": move.currency_id.round(move.amount_residual),
                "interest": move.currency_id.round(interest),
                "costs": move.currency_id.round(costs),
                "level_id": move.debtor_level_id.id,
                "amount_collected": 0.0,
            })
        return values

    def _update_figures(self, on_date):
        """Bring a draft's figures to ``on_date`` (it becomes the handover date)."""
        for handover in self:
            by_move = {vals["move_id"]: vals for vals in self._line_values(handover.line_ids.move_id, on_date)}
            for line in handover.line_ids:
                vals = by_move[line.move_id.id]
                line._debtor_workflow_write({key: value for key, value in vals.items() if key != "move_id"})
            handover._debtor_workflow_write({"date": on_date, "notice_date": handover._last_notice_date()})

    def _last_notice_date(self):
        """The date of the latest formal notice sent about this handover's invoices (False when none was)."""
        self.ensure_one()
        Action = self.env["debtor.followup.action"].sudo()
        notices = Action.search([("line_ids.move_id", "in", self.line_ids.move_id.ids)]
                                + Action._formal_notice_domain(), order="date desc", limit=1)
        return notices.date

    def _reminder_history(self):
        """The reminders the customer was sent about these invoices (email or letter), oldest first."""
        self.ensure_one()
        moves = self.line_ids.move_id
        actions = self.env["debtor.followup.action"].sudo().search(
            [("line_ids.move_id", "in", moves.ids), ("state", "=", "done")], order="date, id")
        history = []
        for action in actions:
            undelivered = action.delivery_state in ("failed", "cancelled")
            channels = [channel for channel, used in (("email", action.email_sent and not undelivered),
                                                      ("letter", action.letter_attachment_id)) if used]
            if not channels:
                continue  # an activity or note for the company itself, or a bounce: the debtor received nothing
            history.append({
                "date": action.date,
                "level": action.level_id.name,
                # only a delivered formal notice counts (see debtor.followup.action._formal_notice_domain)
                "final_notice": action.level_id.is_final_notice and not undelivered,
                "channels": channels,
                "invoices": (action.line_ids.move_id & moves).mapped("name"),
            })
        return history

    @api.model
    def _identifier_check(self, partner):
        """Check ``partner``'s VAT, registry number and LEI with python-stdnum for a handover file.

        :return: ``(values, problems)``: the identifiers as ``tools/handover_file`` takes them (valid ones in their
            standard form, those no check is known for as entered), and one sentence per invalid identifier
        """
        results = [(kind, label, number, result)
                   for kind, label, number, result in partner.commercial_partner_id._debtor_identifier_results()
                   if kind in ("vat", "registry", "lei")]
        problems = [self.env._("%(label)s %(number)s is invalid (%(reason)s)", label=label, number=number,
                               reason=result.reason)
                    for _kind, label, number, result in results if result.valid is False]
        values = [{"kind": kind, "value": result.compact if result.valid else number.strip(),
                   "status": "valid" if result.valid else "unchecked", "scheme": result.scheme or None}
                  for kind, _label, number, result in results if result.valid is not False]
        return values, problems

    def _identifier_values(self):
        """The customer's identifiers for the file.

        :raise UserError: when one of them is invalid (the agency would pursue the wrong entity)
        """
        self.ensure_one()
        values, problems = self._identifier_check(self.partner_id)
        if problems:
            raise UserError(self.env._(
                "%(customer)s cannot be handed over with invalid identifiers: %(problems)s. Correct them on the "
                "customer first.", customer=self.partner_id.display_name, problems="; ".join(problems)))
        return values

    def _file_data(self):
        """The plain values ``tools/handover_file`` builds the file from."""
        self.ensure_one()
        company = self.company_id
        creditor = company.partner_id
        debtor = self.partner_id.commercial_partner_id

        def address(partner):
            return {"street": partner.street, "street2": partner.street2, "zip": partner.zip, "city": partner.city,
                    "country": partner.country_id.code}

        return {
            "reference": self.name,
            "date": self.date,
            "currency": self.currency_id.name,
            "decimals": self.currency_id.decimal_places,
            "agency": {"name": self.agency_id.commercial_partner_id.name, "reference": self.agency_reference},
            "creditor": {"name": company.name, "vat": company.vat, "registry": company.company_registry,
                         "email": company.email, "phone": company.phone, **address(creditor)},
            "debtor": {"name": debtor.name, "kind": "company" if debtor.is_company else "person",
                       "identifiers": self._identifier_values(), "email": debtor.email, "phone": debtor.phone,
                       **address(debtor)},
            "invoices": [{"number": line.move_id.name, "invoice_date": line.move_id.invoice_date or line.move_id.date,
                          "due_date": line.due_date, "original": line.original_amount, "principal": line.principal,
                          "interest": line.interest, "costs": line.costs, "level": line.level_id.name or None}
                         for line in self.line_ids],
            "reminders": self._reminder_history(),
        }

    def _build_file(self):
        """The handover file in the handover's format: ``(file name, bytes, mimetype)``.

        :raise UserError: when the XML does not match the schema (it is never offered then)
        """
        self.ensure_one()
        data = self._file_data()
        stem = self.name.replace("/", "_")
        if self.export_format == "csv":
            return f"{stem}.csv", handover_file.build_csv(data), "text/csv"
        try:
            content = handover_file.build_xml(data)
        except handover_file.HandoverFileError as error:
            raise UserError(self.env._("The handover file of %(handover)s could not be built: %(error)s",
                                       handover=self.name, error=str(error))) from error
        return f"{stem}.xml", content, "application/xml"

    def _attach_file(self):
        """Build the file and attach it to the handover (earlier files stay attached as sent)."""
        self.ensure_one()
        name, content, mimetype = self._build_file()
        # (Odoo stores XML created by users who are not administrators as text/plain, which downloads the same)
        attachment = self.env["ir.attachment"].create({
            "name": name,
            "datas": base64.b64encode(content),
            "mimetype": mimetype,
            "res_model": self._name,
            "res_id": self.id,
        })
        self._debtor_workflow_write({"attachment_id": attachment.id})
        return attachment

    def _post_to_agency(self, template_xmlid, attachments=None):
        """Email the agency's contact from a template, queued, with ``attachments``; posted in the chatter."""
        self.ensure_one()
        template = self.env.ref(template_xmlid)
        rendered = {
            field: template._render_field(field, self.ids, compute_lang=True)[self.id] or None
            for field in ("subject", "body_html", "email_from")
        }
        return self.with_context(mail_notify_force_send=False).message_post(
            subject=rendered["subject"],
            body=rendered["body_html"],
            email_from=rendered["email_from"],
            partner_ids=self._agency_recipient().ids,
            attachment_ids=attachments.ids if attachments else [],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _update_collection(self):
        """Take the payments (and credit notes) matched with the invoices since the last update into account.

        Called when a reconciliation of one of the invoices is made or undone. A draft's figures just follow; once
        the file is at the agency its state follows (partially, then fully collected; back when a payment is
        undone; a closed case stays closed), and the agency's contact is told: an activity for whoever follows the
        agency up, and an email when the agency wants one.
        """
        today = fields.Date.context_today(self)
        for handover in self.filtered(lambda h: h.state != "withdrawn"):
            currency = handover.currency_id
            changes = []
            for line in handover.line_ids:
                paid = currency.round(min(max(line.principal - line.move_id.amount_residual, 0.0), line.principal))
                if currency.compare_amounts(paid, line.amount_collected) != 0:
                    changes.append((line, currency.round(paid - line.amount_collected)))
                    line._debtor_workflow_write({"amount_collected": paid})
            if not changes or handover.state == "draft":
                continue
            if handover.state != "closed":
                if currency.is_zero(handover.amount_open):
                    state = "collected"
                elif not currency.is_zero(handover.amount_collected):
                    state = "partial"
                else:
                    state = "acknowledged" if handover.date_acknowledged else "sent"
                if state != handover.state:
                    handover._debtor_workflow_write({"state": state})
            handover._notify_agency_of_payments(changes, today)

    def _notify_agency_of_payments(self, changes, today):
        """Tell the agency's contact of the amounts paid (or unpaid) on the invoices: an activity, and an email when
        the agency wants one.

        :param changes: ``[(handover line, amount paid since the last notice, negative when undone)]``
        """
        self.ensure_one()
        currency = self.currency_id
        items = [self.env._("%(invoice)s: %(amount)s paid, %(open)s still open", invoice=line.move_id.name,
                            amount=currency.format(delta), open=currency.format(line.amount_open))
                 for line, delta in changes]
        summary = self.env._("Tell %(contact)s: %(amount)s paid on %(handover)s",
                             contact=self._agency_recipient().display_name,
                             amount=currency.format(sum(delta for _line, delta in changes)), handover=self.name)
        note = Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % item for item in items)
        self.activity_schedule("mail.mail_activity_data_todo", date_deadline=today + timedelta(days=1),
                               summary=summary, note=note, user_id=self._agency_activity_user().id)
        if self._agency_wants_email():
            self._post_to_agency("debtor_followup.mail_template_handover_payment")
        else:
            self.message_post(body=Markup("<p>%s</p>%s") % (self.env._("Payments on handed-over invoices:"), note))
