import base64
import io
from datetime import timedelta

import qrcode
from markupsafe import Markup
from PIL import Image
from psycopg2.errors import ReadOnlySqlTransaction

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import consteq
from odoo.tools.mimetypes import guess_mimetype

from .debtor_payment_plan import frequency_delta

# A file answered "answered by the customer" in the work queue for this long after its last answer.
ANSWERED_DAYS = 30
# What a customer may upload as proof or with a dispute.
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_MIMETYPES = ("application/pdf", "image/png", "image/jpeg")
# The installments a customer can choose on its page (monthly).
PLAN_MAX_INSTALLMENTS = 24


class DebtorCustomer(models.Model):
    """The customer's own page (controllers/portal.py): the link behind every reminder, and what the customer's
    answers on it do.

    The link carries the debtor file's portal access token (``portal.mixin``): random, issued with the date it was
    issued, valid for the company's number of days, revoked from the file (a new one is issued with the next
    reminder). Portal users of the customer reach the page from /my without it.
    """

    _name = "debtor.customer"
    _inherit = ["debtor.customer", "portal.mixin"]

    debtor_portal_token_date = fields.Datetime(
        string="Customer Link Issued", readonly=True, copy=False,
        help="When the link to the customer's page was issued; it expires after the company's number of days.")
    portal_answer_ids = fields.One2many(comodel_name="debtor.portal.answer", inverse_name="customer_id",
                                        string="Customer Answers")
    portal_answer_count = fields.Integer(string="Answers", compute="_compute_portal_answers")
    portal_answered = fields.Boolean(
        string="Answered by the Customer", compute="_compute_portal_answers", search="_search_portal_answered",
        help=f"The customer answered on its page in the last {ANSWERED_DAYS} days.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_access_url(self):
        res = super()._compute_access_url()
        for customer in self:
            customer.access_url = f"/my/debtor/{customer.id}"
        return res

    def _compute_portal_answers(self):
        since = fields.Datetime.now() - timedelta(days=ANSWERED_DAYS)
        groups = self.env["debtor.portal.answer"].sudo()._read_group(
            [("customer_id", "in", self.ids)], ["customer_id"], ["__count", "create_date:max"])
        figures = {customer.id: (count, last) for customer, count, last in groups}
        for customer in self:
            count, last = figures.get(customer.id, (0, False))
            customer.portal_answer_count = count
            customer.portal_answered = bool(last and last >= since)

    def _search_portal_answered(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        since = fields.Datetime.now() - timedelta(days=ANSWERED_DAYS)
        ids = self.env["debtor.portal.answer"].sudo()._read_group(
            [("create_date", ">=", since)], ["customer_id"])
        domain = [("id", "in", [customer.id for [customer] in ids])]
        return domain if (operator == "=") == bool(value) else ["!", *domain]

    def _compute_queue_flags(self):
        res = super()._compute_queue_flags()
        for customer in self.filtered("portal_answered"):
            flags = [customer.queue_flags] if customer.queue_flags else []
            customer.queue_flags = " · ".join([*flags, self.env._("Answered")])
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_portal_revoke(self):
        """Revoke the link to the customer's page: it answers 404 from now on; the next reminder brings a new one."""
        self.check_access("write")
        for customer in self:
            customer.sudo().write({"access_token": False, "debtor_portal_token_date": False})
            customer.message_post(body=self.env._("Link to the customer's page revoked."),
                                  message_type="comment", subtype_xmlid="mail.mt_note")

    def action_portal_preview(self):
        """Open the customer's page as the customer sees it (through its link)."""
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_url", "target": "new", "url": self._debtor_portal_url()}

    def action_open_portal_answers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_portal_answer_action")
        action["domain"] = [("customer_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # The link
    # ------------------------------------------------------------------
    def _debtor_portal_expired(self):
        """Whether this file's link has expired (or was never issued)."""
        self.ensure_one()
        days = self.company_id.debtor_portal_token_days
        if not self.access_token or not self.debtor_portal_token_date:
            return True
        return bool(days) and self.debtor_portal_token_date + timedelta(days=days) < fields.Datetime.now()

    def _debtor_portal_token_valid(self, token):
        """Whether ``token`` opens this file's page: its current link, not revoked, not expired."""
        self.ensure_one()
        return bool(token and self.access_token) and consteq(self.access_token, str(token)) \
            and not self._debtor_portal_expired()

    def _debtor_portal_ensure_token(self):
        """Issue a new link to the files that have none or whose link has expired, in one statement."""
        stale = self.sudo().filtered(lambda customer: customer._debtor_portal_expired())
        if stale:
            if self.env.cr.readonly:
                # a read-only request (e.g. a statement previewed in the browser): Odoo serves it again on a
                # read/write cursor, without an SQL error in the log
                raise ReadOnlySqlTransaction("cannot issue the customer's page link in a read-only transaction")
            self.env.flush_all()
            self.env.cr.execute(SQL(
                """UPDATE debtor_customer
                      SET access_token = gen_random_uuid()::text || gen_random_uuid()::text,
                          debtor_portal_token_date = (now() AT TIME ZONE 'UTC')
                    WHERE id IN %s""", tuple(stale.ids)))
            stale.invalidate_recordset(["access_token", "debtor_portal_token_date"])
        return self

    def _debtor_portal_url(self, short=False):
        """The address of the customer's page with its link, issued if need be.

        :param short: the short form printed on letters (``/debtor/<token>``, redirecting to the page)
        """
        self.ensure_one()
        customer = self._debtor_portal_ensure_token().sudo()
        if short:
            return f"{customer.get_base_url()}/debtor/{customer.access_token}"
        return f"{customer.get_base_url()}{customer.access_url}?access_token={customer.access_token}"

    @api.model
    def _debtor_portal_qr_code(self, url):
        """A QR code of ``url`` as a PNG data URI (for letters and statements): error correction level L and a
        quiet zone of four modules, as Odoo's own QR codes (``ir.actions.report.barcode``), 8 pixels a module.

        Encoded by ``qrcode`` and drawn as a bitmap of its modules: Odoo's drawing (reportlab) takes about 0.1 s a
        code, which a night's statements, one code each, would spend thousands of times.
        """
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
        code.add_data(url)
        code.make(fit=True)
        modules = code.get_matrix()
        size = len(modules)
        image = Image.new("1", (size, size), 1)
        image.putdata([0 if dark else 1 for row in modules for dark in row])
        stream = io.BytesIO()
        image.resize((size * 8, size * 8), Image.NEAREST).save(stream, format="PNG")
        return "data:image/png;base64," + base64.b64encode(stream.getvalue()).decode()

    # ------------------------------------------------------------------
    # The follow-up's documents carry the link
    # ------------------------------------------------------------------
    @api.model
    def _render_reminders(self, level, items):
        self.concat(*(customer for customer, _lines in items))._debtor_portal_ensure_token()
        return super()._render_reminders(level, items)

    def _statement_document_values(self, partner, company, lines, today, shared=None):
        """Also the short link to the customer's page (``portal_url``) and its QR code (``portal_qr_code``).

        A statement is rendered on its debtor file (``self``, prefetched with the other files of the rendering,
        whose links are issued at once); a letter finds its file in ``shared['debtor_portal_files']`` (see
        ``debtor.followup.action._letter_values``), else looks it up.
        """
        values = super()._statement_document_values(partner, company, lines, today, shared=shared)
        key = (partner.commercial_partner_id.id, company.id)
        if len(self) == 1 and (self.partner_id.id, self.company_id.id) == key:
            customer = self.browse(self._prefetch_ids)._debtor_portal_ensure_token().browse(self.id)
        else:
            files = (shared or {}).get("debtor_portal_files") or {}
            customer = files.get(key) or self.sudo().search(
                [("partner_id", "=", key[0]), ("company_id", "=", key[1])], limit=1)
        values["portal_url"] = customer and customer._debtor_portal_url(short=True)
        values["portal_qr_code"] = customer and self._debtor_portal_qr_code(values["portal_url"])
        return values

    # ------------------------------------------------------------------
    # What the page shows
    # ------------------------------------------------------------------
    def _debtor_portal_moves(self):
        """The customer's open posted invoices in this file's company, earliest due first."""
        self.ensure_one()
        return self.env["account.move"].sudo().search([
            ("commercial_partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id),
            ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")), ("amount_residual", ">", 0),
        ], order="invoice_date_due, id")

    def _debtor_portal_move_due(self, moves):
        """``{move id: due date}``: the due date of each invoice's earliest open installment, the one the follow-up
        chases (an invoice paid in installments is overdue as soon as one of them is, whatever its last date)."""
        due = {}
        for line in moves.line_ids:
            if line.account_type == "asset_receivable" and not line.reconciled and line.amount_residual > 0 \
                    and line.date_maturity:
                current = due.get(line.move_id.id)
                due[line.move_id.id] = min(current, line.date_maturity) if current else line.date_maturity
        return due

    def _debtor_portal_move_states(self, moves):
        """``{move id: what the follow-up does with it}``, a short label per invoice for the page."""
        today = fields.Date.context_today(self)
        due = self._debtor_portal_move_due(moves)
        lines = moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable"
                                        and not line.reconciled)
        reasons = dict(self.env["account.move.line"]._fields["debtor_exclusion_reason"]._description_selection(
            self.env))
        states = {}
        for move in moves:
            mine = lines.filtered(lambda line, move=move: line.move_id == move)
            reason = next((line.debtor_exclusion_reason for line in mine if line.debtor_exclusion_reason), False)
            if reason:
                states[move.id] = reasons.get(reason, reason)
            elif due.get(move.id) and due[move.id] < today:
                level = mine.debtor_level_id.sorted("delay_days")[-1:]
                states[move.id] = self.env._("Overdue, reminded (%(level)s)", level=level.name) if level \
                    else self.env._("Overdue")
            else:
                states[move.id] = self.env._("Not due yet")
        return states

    def _debtor_portal_check_moves(self, move_ids, allow_empty=False):
        """The open invoices of this file among ``move_ids``.

        :raise UserError: when one is not an open invoice of this customer (or none is given)
        """
        self.ensure_one()
        try:
            ids = {int(move_id) for move_id in move_ids or []}
        except (TypeError, ValueError):
            ids = {-1}
        moves = self._debtor_portal_moves()
        if not ids.issubset(moves.ids):
            raise UserError(self.env._("Only your open invoices can be answered here."))
        if not ids and not allow_empty:
            raise UserError(self.env._("Choose at least one invoice."))
        return moves.filtered(lambda move: move.id in ids)

    # ------------------------------------------------------------------
    # The customer's answers
    # ------------------------------------------------------------------
    def _debtor_portal_record(self, kind, moves, body, **values):
        """Record an answer: the answer itself, a note on the file's chatter, and the file refreshed at once.

        :return: the ``debtor.portal.answer``
        """
        self.ensure_one()
        customer = self.sudo()
        reminder = self.env["debtor.followup.action"].sudo().search(
            [("partner_id", "=", customer.partner_id.id), ("company_id", "=", customer.company_id.id),
             ("state", "=", "done")], order="date desc, id desc", limit=1)
        now = fields.Datetime.now()
        answer = self.env["debtor.portal.answer"].sudo().create({
            "customer_id": customer.id,
            "kind": kind,
            "move_ids": [fields.Command.set(moves.ids)],
            "user_id": self.env.user.id,
            "action_id": reminder.id,
            "hours_to_answer": reminder and max(
                (now - fields.Datetime.to_datetime(reminder.date)).total_seconds() / 3600.0, 0.0),
            **values,
        })
        author = self.env.user.partner_id if not self.env.user._is_public() else customer.partner_id
        customer.message_post(
            body=Markup("%s<br/>%s") % (self.env._("Answered on the customer's page:"), body),
            message_type="comment", subtype_xmlid="mail.mt_note", author_id=author.id,
            attachment_ids=values.get("attachment_id") and [values["attachment_id"]] or [])
        self._refresh_for(customer)
        return answer

    def _debtor_portal_attachment(self, upload, name_prefix):
        """Store an uploaded file (``(filename, bytes)`` or None) on the file after checking its size and type.

        :return: the ``ir.attachment`` id, or False without upload
        :raise UserError: when too large or not a PDF or an image
        """
        if not upload or not upload[1]:
            return False
        filename, data = upload
        if len(data) > UPLOAD_MAX_BYTES:
            raise UserError(self.env._("The file is too large: at most %(size)s MB.",
                                       size=UPLOAD_MAX_BYTES // (1024 * 1024)))
        mimetype = guess_mimetype(data)
        if mimetype not in UPLOAD_MIMETYPES:
            raise UserError(self.env._("Only PDF, PNG or JPEG files can be uploaded."))
        return self.env["ir.attachment"].sudo().create({
            "name": f"{name_prefix} - {filename or 'file'}"[:200],
            "raw": data,
            "mimetype": mimetype,
            "res_model": self._name,
            "res_id": self.id,
        }).id

    def _debtor_portal_check_amount(self, amount, moves):
        currency = self.company_id.currency_id
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            raise UserError(self.env._("Enter the amount as a number.")) from None
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The amount must be more than zero."))
        open_amount = sum(moves.mapped("amount_residual"))
        if currency.compare_amounts(amount, open_amount) > 0:
            raise UserError(self.env._("The amount (%(amount)s) is more than what is open (%(open)s).",
                                       amount=currency.format(amount), open=currency.format(open_amount)))
        return amount

    def _debtor_portal_check_date(self, value):
        try:
            return fields.Date.to_date(value) or False
        except ValueError:
            raise UserError(self.env._("Enter a valid date.")) from None

    def _debtor_portal_answer_paid(self, move_ids, date, amount, note=None, upload=None):
        """"I have already paid": the invoices' reminders wait, and the responsible looks for the payment."""
        self.ensure_one()
        moves = self._debtor_portal_check_moves(move_ids)
        paid_on = self._debtor_portal_check_date(date)
        today = fields.Date.context_today(self)
        if not paid_on:
            raise UserError(self.env._("Enter the date you paid."))
        if paid_on > today:
            raise UserError(self.env._("The payment date cannot be in the future."))
        amount = self._debtor_portal_check_amount(amount, moves)
        pause_until = today + timedelta(days=self.company_id.debtor_portal_paid_pause_days)
        attachment = self._debtor_portal_attachment(upload, self.env._("Proof of payment"))
        currency = self.company_id.currency_id
        names = ", ".join(moves.mapped("name"))
        answer = self._debtor_portal_record("paid", moves, self.env._(
            "Already paid %(amount)s on %(date)s for %(moves)s: their reminders wait until %(until)s.",
            amount=currency.format(amount), date=paid_on, moves=names, until=pause_until),
            amount=amount, date=paid_on, pause_until=pause_until, note=note or False, attachment_id=attachment)
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=today + timedelta(days=1),
            summary=self.env._("Find the payment of %(moves)s the customer says it made", moves=names),
            note=note or "", user_id=self._debtor_portal_owner().id)
        return answer

    def _debtor_portal_answer_dispute(self, move_id, reason_id, amount=None, line_ids=None, note=None,
                                      upload=None):
        """"I dispute this invoice": an open dispute with the reason's SLA, made as the dispute model makes it."""
        self.ensure_one()
        move = self._debtor_portal_check_moves([move_id])
        if len(move) != 1:
            raise UserError(self.env._("A dispute is about one invoice."))
        reason = self.env["debtor.dispute.reason"].sudo().browse(int(reason_id or 0)).exists()
        if not reason or not reason.active:
            raise UserError(self.env._("Choose the reason of the dispute."))
        try:
            line_ids = {int(line_id) for line_id in line_ids or []}
        except (TypeError, ValueError):
            line_ids = {-1}
        lines = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        if not line_ids.issubset(lines.ids):
            raise UserError(self.env._("Only lines of this invoice can be disputed."))
        vals = {"move_id": move.id, "reason_id": reason.id, "user_id": self._debtor_portal_owner().id,
                "description": note and Markup("<p>%s</p>") % note or False}
        if line_ids:
            vals["invoice_line_ids"] = [fields.Command.set(list(line_ids))]
        elif amount not in (None, ""):
            vals["disputed_amount"] = self._debtor_portal_check_amount(amount, move)
        if self.env["debtor.dispute"].sudo().search_count(
                [("move_id", "=", move.id), ("state", "in", ("open", "investigation"))], limit=1):
            raise UserError(self.env._("%(move)s is already in dispute: we are looking into it.", move=move.name))
        dispute = self.env["debtor.dispute"].sudo().create(vals)
        attachment = self._debtor_portal_attachment(upload, dispute.name)
        if attachment:
            self.env["ir.attachment"].sudo().browse(attachment).copy(
                {"res_model": dispute._name, "res_id": dispute.id})
        return self._debtor_portal_record("dispute", move, self.env._(
            "Disputes %(move)s (%(reason)s, %(amount)s): dispute %(dispute)s, to resolve by %(deadline)s.",
            move=move.name, reason=reason.name, amount=dispute.currency_id.format(dispute.disputed_amount),
            dispute=dispute.name, deadline=dispute.deadline),
            amount=dispute.disputed_amount, note=note or False, dispute_id=dispute.id, attachment_id=attachment)

    def _debtor_portal_answer_promise(self, move_ids, date, amount=None, note=None):
        """"I promise to pay on": a promise to pay, by a date within the policy's maximum."""
        self.ensure_one()
        moves = self._debtor_portal_check_moves(move_ids)
        on = self._debtor_portal_check_date(date)
        today = fields.Date.context_today(self)
        latest = today + timedelta(days=self.effective_policy_id.portal_promise_max_days or 30)
        if not on:
            raise UserError(self.env._("Enter the date you will pay."))
        if on < today:
            raise UserError(self.env._("A promise to pay is for today or a later date."))
        if on > latest:
            raise UserError(self.env._("A promise to pay on this page is for %(date)s at the latest; please "
                                       "contact us for a later date.", date=latest))
        open_amount = sum(moves.mapped("amount_residual"))
        amount = open_amount if amount in (None, "") else self._debtor_portal_check_amount(amount, moves)
        lines = moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable" and not line.reconciled)
        promise = self.env["debtor.promise"].sudo().create({
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "date": on,
            "amount": amount,
            "line_ids": [fields.Command.set(lines.ids)],
            "note": note or False,
        })
        return self._debtor_portal_record("promise", moves, self.env._(
            "Promises to pay %(amount)s for %(moves)s on %(date)s: their reminders wait until then.",
            amount=self.company_id.currency_id.format(amount), moves=", ".join(moves.mapped("name")), date=on),
            amount=amount, date=on, note=note or False, promise_id=promise.id)

    def _debtor_portal_plan_terms(self, move_ids, installments):
        """The terms of a plan the customer asks for: its invoices and monthly installments starting in a month.

        :return: (moves, count, schedule) where the schedule is a list of ``(due date, amount)``
        """
        self.ensure_one()
        moves = self._debtor_portal_check_moves(move_ids)
        try:
            count = int(installments)
        except (TypeError, ValueError):
            count = 0
        if not 2 <= count <= PLAN_MAX_INSTALLMENTS:
            raise UserError(self.env._("Choose between 2 and %(max)s installments.", max=PLAN_MAX_INSTALLMENTS))
        if len(moves.currency_id) > 1:
            raise UserError(self.env._("Installments are for invoices of one currency."))
        Plan = self.env["debtor.payment.plan"].sudo()
        first = fields.Date.context_today(self) + frequency_delta("monthly", 1)
        draft = Plan.new({"partner_id": self.partner_id.id, "company_id": self.company_id.id,
                          "move_ids": [fields.Command.set(moves.ids)], "installment_count": count,
                          "frequency": "monthly", "first_due_date": first, "split_mode": "count",
                          "open_amount": sum(moves.mapped("amount_residual"))})
        schedule = [(vals["due_date"], vals["amount"]) for vals in draft._schedule_values()]
        return moves, count, schedule

    def _debtor_portal_plan_within_limits(self, moves, count):
        company = self.company_id
        total = sum(moves.mapped("amount_residual_signed"))
        too_large = company.debtor_plan_approval_amount and \
            company.currency_id.compare_amounts(total, company.debtor_plan_approval_amount) > 0
        too_long = company.debtor_plan_approval_installments and count > company.debtor_plan_approval_installments
        return not (too_large or too_long)

    def _debtor_portal_answer_plan(self, move_ids, installments):
        """"I would like to pay in installments", accepted on the page: within the company's limits an active
        plan at once; beyond them a plan a Credit Manager approves (the customer is then told by email)."""
        self.ensure_one()
        moves, count, _schedule = self._debtor_portal_plan_terms(move_ids, installments)
        plan = self.env["debtor.payment.plan"].sudo().create({
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": self._debtor_portal_owner().id,
            "move_ids": [fields.Command.set(moves.ids)],
            "split_mode": "count",
            "installment_count": count,
            "frequency": "monthly",
            "first_due_date": fields.Date.context_today(self) + frequency_delta("monthly", 1),
            "debtor_portal_requested": True,
        })
        names = ", ".join(moves.mapped("name"))
        if plan.approval_required:
            plan.activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=fields.Date.context_today(self),
                summary=self.env._("Approve the payment plan the customer asked for on its page"),
                user_id=self._debtor_portal_owner(manager=True).id)
            body = self.env._("Asks to pay %(moves)s in %(count)s installments: plan %(plan)s awaits a Credit "
                              "Manager's approval.", moves=names, count=count, plan=plan.name)
            kind = "plan_request"
        else:
            plan.action_activate()
            body = self.env._("Pays %(moves)s in %(count)s installments: plan %(plan)s is active.",
                              moves=names, count=count, plan=plan.name)
            kind = "plan"
        return self._debtor_portal_record(kind, moves, body, amount=plan.amount_total, plan_id=plan.id)

    def _debtor_portal_answer_pay(self, moves, transaction):
        """"Pay now": the transaction started on the page for ``moves``."""
        self.ensure_one()
        return self._debtor_portal_record("pay", moves, self.env._(
            "Pays %(moves)s online (%(amount)s, transaction %(reference)s).",
            moves=", ".join(moves.mapped("name")), amount=transaction.currency_id.format(transaction.amount),
            reference=transaction.reference), amount=transaction.amount, transaction_id=transaction.id)

    def _debtor_portal_owner(self, manager=False):
        """Who works what the customer answered: the file's responsible, else a Credit Manager of the company,
        else the administrator. ``manager``: a Credit Manager in any case (approvals)."""
        self.ensure_one()
        if self.responsible_id and not manager:
            return self.responsible_id
        group = self.env.ref("debtor_followup.group_debtor_manager")
        managers = group.sudo().all_user_ids.filtered(
            lambda user: not user.share and user.active and self.company_id in user.company_ids)
        if manager and self.responsible_id in managers:
            return self.responsible_id
        return managers.sorted("id")[:1] or self.env.ref("base.user_admin")
