from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import float_round

DISPUTE_STATES = [
    ("open", "Open"),
    ("investigation", "Under Investigation"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("open", "investigation")
RESOLUTIONS = [
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
]


class DebtorDispute(models.Model):
    """A customer's reason for not paying an invoice (or part of it).

    While a dispute is open or under investigation its invoice is left out of the follow-up and out of promises to
    pay; the customer's other debts keep being followed up. Accepting it credits the disputed amount with a credit
    note linked to the dispute; rejecting it tells the customer and puts the invoice back in the follow-up.

    Its state and decision change only through its actions (``debtor.workflow.mixin``); what is disputed, and why,
    is fixed once it is resolved.
    """

    _name = "debtor.dispute"
    _description = "Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin", "debtor.workflow.mixin"]
    _order = "state_sequence, deadline, id desc"
    _check_company_auto = True
    _debtor_control_fields = ("state", "resolution", "date_resolved", "credit_note_id")
    _debtor_sequence_code = "debtor.dispute"
    _debtor_refresh_debtors = True
    _debtor_transitions = {
        "investigate": (("open",), "investigation"),
        "accept": (OPEN_STATES, "resolved"),
        "reject": (OPEN_STATES, "resolved"),
        "close": (("resolved",), "closed"),
        "cancel": (OPEN_STATES, "cancelled"),
    }

    # ------------------------------------------------------------------
    # What is disputed
    # ------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("move_type", "=", "out_invoice"), ("state", "=", "posted")],
    )
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer",
                                 related="move_id.commercial_partner_id", store=True, index=True)
    company_id = fields.Many2one(comodel_name="res.company", related="move_id.company_id", store=True,
                                 index=True)
    currency_id = fields.Many2one(related="move_id.currency_id", string="Currency")
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    invoice_line_ids = fields.Many2many(
        comodel_name="account.move.line",
        relation="debtor_dispute_invoice_line_rel",
        column1="dispute_id",
        column2="line_id",
        string="Disputed Lines",
        tracking=True,
        domain="[('move_id', '=', move_id), ('display_type', '=', 'product')]",
        help="Leave empty to dispute an amount of the invoice rather than given lines.",
    )
    disputed_amount = fields.Monetary(
        required=True,
        tracking=True,
        compute="_compute_disputed_amount", store=True, readonly=False, precompute=True,
        help="In the invoice's currency. At most what the invoice still owes.",
    )
    disputed_amount_company = fields.Monetary(
        string="Disputed (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_disputed_amount_company",
        store=True,
    )
    reason_id = fields.Many2one(comodel_name="debtor.dispute.reason", required=True, tracking=True)
    description = fields.Html()

    # ------------------------------------------------------------------
    # Who works it and by when
    # ------------------------------------------------------------------
    user_id = fields.Many2one(comodel_name="res.users", string="Owner", required=True, tracking=True,
                              default=lambda self: self.env.user, domain=[("share", "=", False)])
    responsible_id = fields.Many2one(comodel_name="res.users", string="Team Responsible", tracking=True,
                                     domain=[("share", "=", False)],
                                     help="Who the dispute is escalated to, e.g. the sales or logistics lead.")
    date = fields.Date(string="Raised On", required=True, default=fields.Date.context_today, tracking=True)
    deadline = fields.Date(compute="_compute_deadline", store=True, readonly=False, precompute=True,
                           tracking=True, help="By when the dispute must be resolved (the reason's SLA).")
    sla_overdue = fields.Boolean(string="SLA Overdue", compute="_compute_sla_overdue", search="_search_sla_overdue")
    state = fields.Selection(selection=DISPUTE_STATES, default="open", required=True, tracking=True, index=True)
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    resolution = fields.Selection(selection=RESOLUTIONS, readonly=True, tracking=True)
    resolution_note = fields.Text(tracking=True)
    date_resolved = fields.Date(readonly=True, tracking=True)
    credit_note_id = fields.Many2one(comodel_name="account.move", readonly=True, copy=False, check_company=True,
                                     tracking=True)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("move_id", "invoice_line_ids")
    def _compute_disputed_amount(self):
        for dispute in self:
            if dispute.invoice_line_ids:
                dispute.disputed_amount = sum(dispute.invoice_line_ids.mapped("price_total"))
            else:
                dispute.disputed_amount = dispute.move_id.amount_residual

    @api.depends("disputed_amount", "move_id.amount_total", "move_id.amount_total_signed")
    def _compute_disputed_amount_company(self):
        for dispute in self:
            move = dispute.move_id
            rate = abs(move.amount_total_signed) / move.amount_total if move.amount_total else 1.0
            dispute.disputed_amount_company = dispute.company_currency_id.round(dispute.disputed_amount * rate)

    @api.depends("date", "reason_id")
    def _compute_deadline(self):
        for dispute in self:
            dispute.deadline = dispute.date and dispute.date + timedelta(days=dispute.reason_id.sla_days or 0)

    @api.depends("deadline", "state")
    @api.depends_context("date")
    def _compute_sla_overdue(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.sla_overdue = dispute.state in OPEN_STATES and bool(dispute.deadline) and dispute.deadline < today

    def _search_sla_overdue(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        domain = [("state", "in", OPEN_STATES), ("deadline", "<", fields.Date.context_today(self))]
        return domain if (operator == "=") == bool(value) else ["!", *domain]

    @api.depends("state")
    def _compute_state_sequence(self):
        order = {"open": 0, "investigation": 1, "resolved": 2, "closed": 3, "cancelled": 4}
        for dispute in self:
            dispute.state_sequence = order.get(dispute.state, 9)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("move_id", "disputed_amount", "state")
    def _check_invoice_and_amount(self):
        for dispute in self.filtered(lambda d: d.state in OPEN_STATES):
            move = dispute.move_id
            if move.move_type != "out_invoice" or move.state != "posted":
                raise ValidationError(self.env._(
                    "Only posted customer invoices can be disputed; %(move)s is not one.", move=move.display_name))
            if move.payment_state in ("paid", "in_payment", "reversed"):
                raise ValidationError(self.env._(
                    "%(move)s is already paid: there is nothing left to dispute.", move=move.name))
            if dispute.currency_id.compare_amounts(dispute.disputed_amount, 0.0) <= 0:
                raise ValidationError(self.env._("A disputed amount must be positive."))
            if dispute.currency_id.compare_amounts(dispute.disputed_amount, move.amount_residual) > 0:
                raise ValidationError(self.env._(
                    "The disputed amount (%(amount)s) is more than %(move)s still owes (%(open)s).",
                    amount=dispute.currency_id.format(dispute.disputed_amount), move=move.name,
                    open=dispute.currency_id.format(move.amount_residual)))

    @api.constrains("move_id", "state")
    def _check_one_open_dispute(self):
        for dispute in self.filtered(lambda d: d.state in OPEN_STATES):
            if self.search_count([("move_id", "=", dispute.move_id.id), ("state", "in", OPEN_STATES),
                                  ("id", "!=", dispute.id)], limit=1):
                raise ValidationError(self.env._(
                    "%(move)s already has an open dispute: work that one.", move=dispute.move_id.name))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        disputes = super().create(vals_list)
        for dispute in disputes:
            dispute._schedule_owner_activity(
                self.env._("Resolve dispute %(name)s", name=dispute.name), dispute.deadline)
            dispute.move_id.sudo().message_post(body=self.env._(
                "Dispute %(name)s raised (%(reason)s, %(amount)s): the invoice is left out of the follow-up "
                "until it is resolved.", name=dispute.name, reason=dispute.reason_id.name,
                amount=dispute.currency_id.format(dispute.disputed_amount)))
        return disputes

    def _debtor_locked_fields(self, vals):
        """A dispute stays on its invoice; what is disputed and the reason are fixed once it is resolved."""
        locked = ["move_id"] if "move_id" in vals else []
        if any(dispute.state not in OPEN_STATES for dispute in self):
            locked += [name for name in ("reason_id", "invoice_line_ids", "disputed_amount", "resolution_note",
                                         "date", "deadline") if name in vals]
        return locked

    @api.ondelete(at_uninstall=False)
    def _unlink_except_worked(self):
        if any(dispute.state not in ("open", "cancelled") for dispute in self):
            raise UserError(self.env._("A dispute that was worked on is kept: cancel it instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_investigate(self):
        self._debtor_do_step("investigate")

    def action_accept(self):
        """Accept: credit the disputed amount with a credit note reconciled with the invoice."""
        self._debtor_check_step("accept")
        for dispute in self:
            dispute._check_can_accept()
            credit_note = dispute._create_credit_note()
            dispute._debtor_do_step("accept", {"resolution": "accepted", "credit_note_id": credit_note.id,
                                               "date_resolved": fields.Date.context_today(self)})
            dispute.message_post(body=self.env._(
                "Accepted: credit note %(credit_note)s of %(amount)s.", credit_note=credit_note.name,
                amount=dispute.currency_id.format(credit_note.amount_total)))
            dispute._close_owner_activities()

    def action_reject(self):
        """Reject: tell the customer why, and put the invoice back in the follow-up."""
        self._debtor_check_step("reject")
        for dispute in self:
            if not dispute.resolution_note:
                raise UserError(self.env._(
                    "Write down why dispute %(name)s is rejected: the customer receives it.", name=dispute.name))
        today = fields.Date.context_today(self)
        self._debtor_do_step("reject", {"resolution": "rejected", "date_resolved": today})
        self._debtor_notify_customer("debtor_followup.mail_template_dispute_rejected")
        resume_next = self.filtered(lambda dispute: dispute.company_id.debtor_dispute_rejection_resume == "next")
        self._debtor_resume_followup(resume_next.move_id, today)
        for dispute in self:
            dispute._close_owner_activities()
        self.env["debtor.customer"]._refresh_for(self)  # the resume dates written since the state changed

    def action_close(self):
        self._debtor_do_step("close")

    def action_cancel(self):
        self._debtor_do_step("cancel")
        self._close_owner_activities()

    def action_open_credit_note(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "account.move", "res_id": self.credit_note_id.id,
                "view_mode": "form"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_can_accept(self):
        """Only credit managers accept a dispute above the company's approval amount (with four eyes, another one
        than who raised it)."""
        self.ensure_one()
        limit = self.company_id.debtor_dispute_approval_amount
        if (limit and self.company_currency_id.compare_amounts(self.disputed_amount_company, limit) > 0
                and not self.env.user.has_group("debtor_followup.group_debtor_manager")):
            raise UserError(self.env._(
                "Dispute %(name)s is for %(amount)s, more than %(limit)s: only a Credit Manager can accept it.",
                name=self.name, amount=self.company_currency_id.format(self.disputed_amount_company),
                limit=self.company_currency_id.format(limit)))
        if (limit and self.company_id.debtor_four_eyes and self.create_uid == self.env.user
                and self.company_currency_id.compare_amounts(self.disputed_amount_company, limit) > 0):
            raise UserError(self.env._(
                "%(user)s raised dispute %(name)s: four eyes, another Credit Manager accepts it.",
                user=self.env.user.name, name=self.name))

    def _create_credit_note(self):
        """A posted credit note of exactly the disputed amount, reconciled with the invoice.

        It credits the disputed lines only (every product line of the invoice when the dispute names none), each
        line of its own, so that two identical lines are told apart. When the disputed amount is their total, the
        lines are credited as invoiced; otherwise each is credited in proportion (fewer units at the same price
        when that is exact, else one unit of the credited net amount). The cents of tax rounding left go on the
        tax, as Odoo lets one correct a tax amount by hand ("Edit Tax amounts if you encounter rounding issues"),
        or on the largest line when no tax applies.
        """
        self.ensure_one()
        invoice = self.move_id
        # Crediting an invoice is an accounting operation controllers are entitled to through this dispute only.
        credit_note = invoice.sudo()._reverse_moves([{
            "invoice_date": fields.Date.context_today(self),
            "ref": self.env._("Dispute %(name)s: %(reason)s", name=self.name, reason=self.reason_id.name),
        }])
        copied = credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        credit_note.write({"invoice_line_ids": [
            *(fields.Command.delete(line.id) for line in copied),
            *(fields.Command.create(vals) for vals in self._credit_note_line_vals()),
        ]})
        self._credit_note_round(credit_note)
        credit_note.action_post()
        (credit_note.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled).reconcile()
        return credit_note

    def _credit_note_line_vals(self):
        """The values of the credit note's lines: the disputed lines (or the invoice's), scaled to the amount."""
        self.ensure_one()
        currency = self.currency_id
        sources = (self.invoice_line_ids or self.move_id.invoice_line_ids).filtered(
            lambda line: line.display_type == "product").sorted("sequence")
        source_total = sum(sources.mapped("price_total"))
        ratio = 1.0 if currency.compare_amounts(self.disputed_amount, source_total) == 0 or not source_total \
            else self.disputed_amount / source_total
        vals_list = []
        for line in sources:
            vals = {
                "product_id": line.product_id.id,
                "product_uom_id": line.product_uom_id.id,
                "name": line.name,
                "account_id": line.account_id.id,
                "tax_ids": [fields.Command.set(line.tax_ids.ids)],
                "analytic_distribution": line.analytic_distribution,
                "quantity": line.quantity,
                "price_unit": line.price_unit,
                "discount": line.discount,
            }
            if ratio != 1.0:
                quantity = line.quantity * ratio
                rounded = float_round(quantity, precision_digits=self.env["decimal.precision"].precision_get(
                    "Product Unit"))
                if abs(quantity - rounded) < 1e-9 and rounded:
                    vals["quantity"] = rounded  # e.g. two chairs of three: fewer units at the same price
                else:
                    vals.update(quantity=1.0, discount=0.0,
                                price_unit=currency.round(line.price_subtotal * ratio))
            vals_list.append(vals)
        return vals_list

    def _credit_note_round(self, credit_note):
        """Bring the draft ``credit_note`` to exactly the disputed amount: the cents of rounding left go on its
        largest tax amount, or on its largest line when no tax applies."""
        self.ensure_one()
        currency = credit_note.currency_id
        diff = self.disputed_amount - credit_note.amount_total
        if currency.is_zero(diff):
            return
        totals = credit_note.tax_totals
        groups = [group for subtotal in totals.get("subtotals", []) for group in subtotal["tax_groups"]
                  if not currency.is_zero(group["tax_amount_currency"])]
        if groups:
            largest = max(groups, key=lambda group: abs(group["tax_amount_currency"]))
            largest["tax_amount_currency"] += diff
            credit_note.tax_totals = totals
        else:
            line = max(credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product"),
                       key=lambda line: abs(line.price_subtotal))
            line.write({"quantity": 1.0, "discount": 0.0, "price_unit": line.price_subtotal + diff})
        if not currency.is_zero(self.disputed_amount - credit_note.amount_total):
            raise UserError(self.env._(
                "The credit note of dispute %(name)s comes to %(total)s, not the disputed %(amount)s: credit the "
                "invoice by hand.", name=self.name, total=currency.format(credit_note.amount_total),
                amount=currency.format(self.disputed_amount)))

    def _schedule_owner_activity(self, summary, deadline):
        self.ensure_one()
        return self.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=deadline or fields.Date.context_today(self),
            summary=summary, user_id=self.user_id.id)

    def _close_owner_activities(self):
        self.activity_ids.action_feedback(feedback=self.env._("Dispute resolved"))

    @api.model
    def _remind_sla_overdue(self, company):
        """Called by the nightly run: an activity for the owner of each dispute past its deadline that has none.

        :return: the disputes reminded
        """
        overdue = self.search([("company_id", "=", company.id), ("sla_overdue", "=", True)])
        sla_type = self.env.ref("debtor_followup.mail_activity_type_dispute_sla")
        reminded = overdue.filtered(lambda d: sla_type not in d.activity_ids.activity_type_id)
        for dispute in reminded:
            dispute.activity_schedule(
                activity_type_id=sla_type.id, date_deadline=fields.Date.context_today(self),
                summary=self.env._("Dispute %(name)s was due by %(deadline)s", name=dispute.name,
                                   deadline=dispute.deadline),
                user_id=dispute.user_id.id)
        return reminded
