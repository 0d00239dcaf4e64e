import math
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import float_round

PLAN_STATES = [
    ("draft", "Draft"),
    ("proposed", "Proposed"),
    ("active", "Active"),
    ("completed", "Completed"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
]
# Fields whose change regenerates the schedule of a draft plan.
SCHEDULE_FIELDS = {"move_ids", "fee_amount", "down_payment", "split_mode", "installment_count",
                   "installment_amount", "frequency", "first_due_date", "date"}


def frequency_delta(frequency, index):
    """The offset of the ``index``-th installment (0 for the first) from the first due date.

    Monthly and quarterly offsets are counted from the first date each time, not chained, so a plan starting on
    31 January falls due on 28/29 February, 31 March, 30 April...
    """
    if frequency == "weekly":
        return timedelta(weeks=index)
    if frequency == "biweekly":
        return timedelta(weeks=2 * index)
    if frequency == "monthly":
        return relativedelta(months=index)
    if frequency == "quarterly":
        return relativedelta(months=3 * index)
    raise ValueError(f"unknown frequency {frequency!r}")


def split_amount(total, count, rounding):
    """Split ``total`` into ``count`` amounts rounded to ``rounding``, the remainder on the last one.

    :return: a list of ``count`` floats summing exactly (to the rounding) to ``total``
    """
    if count <= 0:
        raise ValueError("count must be positive")
    # in whole units of the rounding: float division alone gives 0.30 / 3 = 0.0999..., floored to 0.09
    units = round(total / rounding)
    base_units = units // count
    base = float_round(base_units * rounding, precision_rounding=rounding)
    last = float_round((units - base_units * (count - 1)) * rounding, precision_rounding=rounding)
    return [base] * (count - 1) + [last]


class DebtorPaymentPlan(models.Model):
    """An agreement with a customer to pay some of its open invoices in installments.

    A draft plan's schedule is generated from its terms and always sums exactly to the plan total. Proposed to the
    customer, approved by a Credit Manager when it is large or long, then active: its invoices are left out of the
    normal follow-up while payments, allocated to the installments oldest first, keep it on schedule. The nightly run
    reminds the customer before and after each due date and breaks the plan after the grace period of a missed
    installment, which puts the invoices back into the follow-up at their next level.

    Its state, approval and figures change only through its actions (``debtor.workflow.mixin``), its terms only while
    it is a draft, and its schedule only with its terms.
    """

    _name = "debtor.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "debtor.workflow.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _debtor_control_fields = ("state", "approved_by_id", "proposed_by_id", "open_amount", "overpaid_amount")
    _debtor_workflow_models = ("debtor.payment.plan.line",)  # the schedule, written with the plan
    _debtor_sequence_code = "debtor.payment.plan"
    _debtor_refresh_debtors = True
    _debtor_transitions = {
        "propose": (("draft",), "proposed"),
        "approve": (("draft", "proposed"), None),
        "activate": (("draft", "proposed"), "active"),
        "cancel": (("draft", "proposed", "active"), "cancelled"),
        "reset_draft": (("proposed", "cancelled"), "draft"),
        "complete": (("active",), "completed"),
        "break": (("active",), "broken"),
    }

    # ------------------------------------------------------------------
    # Parties and covered invoices
    # ------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", required=True, index=True,
                                 tracking=True, domain=[("is_company", "=", True)])
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, tracking=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_currency_id", store=True,
                                  readonly=False, precompute=True, required=True, tracking=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Responsible", default=lambda self: self.env.user,
                              tracking=True, domain=[("share", "=", False)])
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="debtor_payment_plan_move_rel",
        column1="plan_id",
        column2="move_id",
        string="Invoices",
        check_company=True,
        tracking=True,
        domain="[('partner_id', 'child_of', partner_id), ('move_type', '=', 'out_invoice'), "
               "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    state = fields.Selection(selection=PLAN_STATES, default="draft", required=True, tracking=True, index=True)
    date = fields.Date(string="Agreed On", required=True, default=fields.Date.context_today, tracking=True)

    # ------------------------------------------------------------------
    # Terms
    # ------------------------------------------------------------------
    open_amount = fields.Monetary(
        string="Invoices Open",
        readonly=True,
        tracking=True,
        help="What the covered invoices owed when the schedule was drawn up.",
    )
    fee_amount = fields.Monetary(string="Fees and Interest", tracking=True, help="Added to the plan total.")
    amount_total = fields.Monetary(string="Plan Total", compute="_compute_amount_total", store=True, tracking=True)
    down_payment = fields.Monetary(tracking=True, help="Paid first, on the date the plan is agreed.")
    split_mode = fields.Selection(
        selection=[("count", "Number of installments"), ("amount", "Fixed installment amount")],
        default="count", required=True, tracking=True,
    )
    installment_count = fields.Integer(string="Installments", default=3, tracking=True)
    installment_amount = fields.Monetary(tracking=True)
    frequency = fields.Selection(selection=FREQUENCIES, default="monthly", required=True, tracking=True)
    first_due_date = fields.Date(required=True, tracking=True, default=lambda self: fields.Date.context_today(self)
                                 + relativedelta(months=1))
    line_ids = fields.One2many(comodel_name="debtor.payment.plan.line", inverse_name="plan_id", string="Schedule",
                               copy=False)

    # ------------------------------------------------------------------
    # Approval and progress
    # ------------------------------------------------------------------
    approval_required = fields.Boolean(compute="_compute_approval_required")
    proposed_by_id = fields.Many2one(comodel_name="res.users", readonly=True, copy=False, tracking=True,
                                     help="Who proposed the plan to the customer.")
    approved_by_id = fields.Many2one(comodel_name="res.users", readonly=True, copy=False, tracking=True)
    amount_paid = fields.Monetary(compute="_compute_progress", store=True)
    amount_remaining = fields.Monetary(compute="_compute_progress", store=True)
    overpaid_amount = fields.Monetary(readonly=True, tracking=True, help="Paid on the invoices beyond the plan total.")
    progress = fields.Float(compute="_compute_progress", store=True, help="Share of the plan total paid, in %.")
    next_due_date = fields.Date(compute="_compute_progress", store=True)
    late_installment_count = fields.Integer(compute="_compute_progress", store=True)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("move_ids", "company_id")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = plan.move_ids[:1].currency_id or plan.currency_id or plan.company_id.currency_id

    @api.depends("open_amount", "fee_amount")
    def _compute_amount_total(self):
        for plan in self:
            plan.amount_total = plan.currency_id.round(plan.open_amount + plan.fee_amount)

    @api.depends("amount_total", "line_ids", "company_id")
    def _compute_approval_required(self):
        for plan in self:
            company = plan.company_id
            rate = plan.currency_id._get_conversion_rate(plan.currency_id, company.currency_id, company, plan.date)
            too_large = (company.debtor_plan_approval_amount
                         and plan.amount_total * rate > company.debtor_plan_approval_amount)
            too_long = (company.debtor_plan_approval_installments
                        and len(plan.line_ids.filtered(lambda line: not line.is_down_payment))
                        > company.debtor_plan_approval_installments)
            plan.approval_required = bool(too_large or too_long)

    @api.depends("line_ids.amount", "line_ids.amount_paid", "line_ids.due_date", "line_ids.state", "amount_total")
    def _compute_progress(self):
        for plan in self:
            paid = sum(plan.line_ids.mapped("amount_paid"))
            plan.amount_paid = paid
            plan.amount_remaining = plan.currency_id.round(max(plan.amount_total - paid, 0.0))
            plan.progress = 100.0 * paid / plan.amount_total if plan.amount_total else 0.0
            unpaid = plan.line_ids.filtered(lambda line: line.state != "paid").sorted("due_date")
            plan.next_due_date = unpaid[:1].due_date
            plan.late_installment_count = len(plan.line_ids.filtered(lambda line: line.state == "late"))

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("move_ids", "partner_id", "company_id", "state")
    def _check_invoices(self):
        for plan in self.filtered(lambda p: p.state in ("draft", "proposed")):
            if not plan.move_ids:
                raise ValidationError(self.env._("A payment plan covers at least one open invoice."))
            partner = plan.partner_id.commercial_partner_id
            for move in plan.move_ids:
                if move.commercial_partner_id != partner:
                    raise ValidationError(self.env._(
                        "%(move)s is an invoice of %(other)s, not of %(customer)s.", move=move.name,
                        other=move.commercial_partner_id.display_name, customer=partner.display_name))
                if move.company_id != plan.company_id:
                    raise ValidationError(self.env._(
                        "%(move)s belongs to %(company)s, not to the plan's company.", move=move.name,
                        company=move.company_id.name))
                if move.move_type != "out_invoice" or move.state != "posted":
                    raise ValidationError(self.env._(
                        "%(move)s is not a posted customer invoice.", move=move.display_name))
                if move.payment_state in ("paid", "in_payment", "reversed"):
                    raise ValidationError(self.env._("%(move)s is already paid.", move=move.name))
            if len(plan.move_ids.currency_id) > 1:
                raise ValidationError(self.env._("A payment plan covers invoices of one currency only."))
            handed_over = plan.move_ids._debtor_handed_over()
            if handed_over:
                raise ValidationError(self.env._(
                    "%(moves)s are handed over to a collection agency, which arranges any payment plan: withdraw the "
                    "handover first.", moves=", ".join(handed_over.mapped("name"))))
            others = self.search([("id", "!=", plan.id), ("move_ids", "in", plan.move_ids.ids),
                                  ("state", "in", ("draft", "proposed", "active"))])
            if others:
                raise ValidationError(self.env._(
                    "%(moves)s are already in payment plan %(plan)s.",
                    moves=", ".join((others.move_ids & plan.move_ids).mapped("name")), plan=others[0].name))

    def _check_terms(self):
        """Refuse terms that give no valid schedule; checked whenever the schedule is (re)generated, which is
        whenever the terms change (they can only change on a draft plan)."""
        for plan in self:
            currency = plan.currency_id
            if currency.compare_amounts(plan.fee_amount, 0.0) < 0:
                raise ValidationError(self.env._("Fees and interest cannot be negative."))
            if currency.compare_amounts(plan.down_payment, 0.0) < 0:
                raise ValidationError(self.env._("A down payment cannot be negative."))
            if currency.compare_amounts(plan.amount_total, 0.0) <= 0:
                raise ValidationError(self.env._("There is nothing left to pay on these invoices."))
            if currency.compare_amounts(plan.down_payment, plan.amount_total) >= 0:
                raise ValidationError(self.env._(
                    "The down payment (%(down)s) must be less than the plan total (%(total)s).",
                    down=currency.format(plan.down_payment), total=currency.format(plan.amount_total)))
            if plan.split_mode == "count" and plan.installment_count <= 0:
                raise ValidationError(self.env._("A plan has at least one installment."))
            if plan.split_mode == "amount" and currency.compare_amounts(plan.installment_amount, 0.0) <= 0:
                raise ValidationError(self.env._("An installment amount must be positive."))

    @api.constrains("line_ids")
    def _check_schedule_sum(self):
        if self.env.context.get("debtor_plan_regenerating"):
            return
        for plan in self.filtered("line_ids"):
            scheduled = sum(plan.line_ids.mapped("amount"))
            if plan.currency_id.compare_amounts(scheduled, plan.amount_total) != 0:
                raise ValidationError(self.env._(
                    "The schedule of %(plan)s sums to %(scheduled)s, not to the plan total %(total)s.",
                    plan=plan.name, scheduled=plan.currency_id.format(scheduled),
                    total=plan.currency_id.format(plan.amount_total)))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        plans = super(DebtorPaymentPlan, self.with_context(debtor_plan_regenerating=True)).create(vals_list)
        plans = plans.with_env(self.env)
        plans._generate_schedule()
        plans._check_schedule_sum()
        return plans

    def write(self, vals):
        if SCHEDULE_FIELDS & vals.keys() and any(plan.state != "draft" for plan in self):
            raise UserError(self.env._("Only a draft payment plan's terms can be changed: cancel it and make "
                                       "a new one."))
        if SCHEDULE_FIELDS & vals.keys():
            # the old schedule no longer matches the new terms: check the sum once it is regenerated
            res = super(DebtorPaymentPlan, self.with_context(debtor_plan_regenerating=True)).write(vals)
            # an approval is of the terms approved: new terms need a new one
            self.filtered("approved_by_id")._debtor_workflow_write({"approved_by_id": False})
            self._generate_schedule()
            self._check_schedule_sum()
        else:
            res = super().write(vals)
        return res

    def _debtor_locked_fields(self, vals):
        """The customer, company and currency of a plan are its terms too: fixed once it is no longer a draft."""
        if all(plan.state == "draft" for plan in self):
            return ()
        return [name for name in ("partner_id", "company_id", "currency_id") if name in vals]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(plan.state not in ("draft", "cancelled") for plan in self):
            raise UserError(self.env._("Only draft or cancelled payment plans can be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_propose(self):
        """Send the plan and its schedule to the customer (queued) and wait for the agreement."""
        self._debtor_do_step("propose", {"proposed_by_id": self.env.user.id})
        self._debtor_notify_customer("debtor_followup.mail_template_payment_plan_proposal")

    def action_approve(self):
        """A Credit Manager approves a plan that needs it (another one than who proposed it, with four eyes)."""
        if not self.env.user.has_group("debtor_followup.group_debtor_manager"):
            raise UserError(self.env._("Only a Credit Manager can approve a payment plan."))
        self._debtor_check_step("approve")
        for plan in self:
            if plan.company_id.debtor_four_eyes and (plan.proposed_by_id or plan.create_uid) == self.env.user:
                raise UserError(self.env._(
                    "%(user)s proposed payment plan %(plan)s: four eyes, another Credit Manager approves it.",
                    user=self.env.user.name, plan=plan.name))
        self._debtor_do_step("approve", {"approved_by_id": self.env.user.id})

    def action_activate(self):
        """The customer agreed: the plan starts and its invoices leave the normal follow-up."""
        self._debtor_check_step("activate")
        for plan in self:
            if plan.approval_required and not plan.approved_by_id:
                raise UserError(self.env._(
                    "Payment plan %(plan)s is over the company's limits (amount or number of installments): a "
                    "Credit Manager must approve it first.", plan=plan.name))
        self._debtor_do_step("activate")
        self._allocate_payments()
        for plan in self:
            plan.message_post(body=self.env._("Payment plan activated."))

    def action_cancel(self):
        self._debtor_do_step("cancel")

    def action_reset_draft(self):
        self._debtor_do_step("reset_draft", {"approved_by_id": False, "proposed_by_id": False})

    def action_open_invoices(self):
        self.ensure_one()
        return self._debtor_invoices_action(self.move_ids)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _reminder_installment(self):
        """The installment a reminder is about: the earliest one not paid (used by the mail templates)."""
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.state != "paid").sorted(lambda line: (line.due_date,
                                                                                                line.sequence))[:1]

    def _schedule_values(self):
        """The installments of this plan's terms: list of dicts (due date, amount, down payment flag).

        :raise ValidationError: on terms that give no valid schedule
        """
        self.ensure_one()
        self._check_terms()
        rounding = self.currency_id.rounding
        values = []
        if not self.currency_id.is_zero(self.down_payment):
            values.append({"due_date": self.date, "amount": self.down_payment, "is_down_payment": True})
        rest = self.currency_id.round(self.amount_total - self.down_payment)
        if self.split_mode == "count":
            amounts = split_amount(rest, self.installment_count, rounding)
        else:
            count = math.ceil(float_round(rest / self.installment_amount, precision_digits=6))
            amounts = [self.installment_amount] * (count - 1)
            amounts.append(self.currency_id.round(rest - self.installment_amount * (count - 1)))
        for index, amount in enumerate(amounts):
            values.append({"due_date": self.first_due_date + frequency_delta(self.frequency, index),
                           "amount": amount, "is_down_payment": False})
        return values

    def _generate_schedule(self):
        """(Re)generate the schedule of these draft plans from their terms."""
        for plan in self.filtered(lambda p: p.state == "draft").with_context(debtor_plan_regenerating=True):
            plan._debtor_workflow_write({"open_amount": sum(plan.move_ids.mapped("amount_residual"))})
            values = plan._schedule_values()
            plan._debtor_workflow_write({"line_ids": [fields.Command.clear()] + [
                fields.Command.create({**vals, "sequence": index}) for index, vals in enumerate(values)]})
            plan.line_ids._assign_references()

    def _paid_on_invoices(self):
        """What the covered invoices were paid since the plan was drawn up (plan currency)."""
        self.ensure_one()
        return self.currency_id.round(self.open_amount - sum(self.move_ids.mapped("amount_residual")))

    def _allocate_payments(self):
        """Allocate what was paid on the covered invoices to the installments, oldest first.

        A partial payment stays on its installment and the next payment completes it; what is paid beyond the
        plan total is kept as overpaid.
        """
        for plan in self.filtered(lambda p: p.state in ("active", "completed", "broken")):
            available = plan._paid_on_invoices()
            last_payment = None
            for line in plan.line_ids.sorted(lambda line: (line.due_date, line.sequence, line.id)):
                paid = min(line.amount, max(available, 0.0))
                available = plan.currency_id.round(available - paid)
                line_vals = {"amount_paid": paid}
                if plan.currency_id.compare_amounts(paid, line.amount) < 0:
                    line_vals["date_paid"] = False
                elif not line.date_paid:
                    last_payment = last_payment or plan._last_payment_date()
                    line_vals["date_paid"] = last_payment
                line._debtor_workflow_write(line_vals)
            plan._debtor_workflow_write({"overpaid_amount": max(available, 0.0)})

    def _last_payment_date(self):
        """The date of the latest payment or credit reconciled with this plan's invoices (today when none)."""
        self.ensure_one()
        receivable = self.move_ids.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        dates = (receivable.matched_credit_ids | receivable.matched_debit_ids).mapped("max_date")
        return max(dates) if dates else fields.Date.context_today(self)

    @api.model
    def _update_plans(self, company, today):
        """Called by the nightly run: allocate payments, send installment reminders, complete and break plans.

        :return: dict with the ``completed``, ``broken`` plans and the number of ``reminders`` sent
        """
        plans = self.search([("company_id", "=", company.id), ("state", "=", "active")])
        plans._allocate_payments()
        plans.line_ids._update_states(today)
        completed = plans.filtered(lambda p: all(line.state == "paid" for line in p.line_ids))
        completed._debtor_do_step("complete")
        for plan in completed:
            plan.message_post(body=self.env._("Payment plan completed: every installment is paid."))
        grace = company.debtor_plan_grace_days
        broken = (plans - completed).filtered(lambda p: any(
            line.state == "late" and line.due_date + timedelta(days=grace) < today for line in p.line_ids))
        broken._break(today)
        reminders = (plans - completed - broken).line_ids._send_reminders(today)
        return {"completed": completed, "broken": broken, "reminders": reminders}

    def _break(self, today):
        """Break these plans: the invoices go back into the follow-up at their next level at once, the responsible
        gets an activity and the customer a message."""
        if not self:
            return
        self._debtor_do_step("break")
        self._debtor_resume_followup(self.move_ids, today)
        self._debtor_notify_customer("debtor_followup.mail_template_payment_plan_broken")
        for plan in self:
            plan.activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=today,
                summary=self.env._("Payment plan %(plan)s broken: follow up the customer", plan=plan.name),
                user_id=(plan.user_id or self.env.user).id)
        self.env["debtor.customer"]._refresh_for(self)  # the resume dates written since the state changed
