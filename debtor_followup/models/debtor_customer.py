from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from .debtor_credit_check import MANAGER_GROUP
from .debtor_handover import IN_COLLECTION_STATES

DEBTOR_STATUSES = [
    ("none", "No action needed"),
    ("overdue", "Overdue"),
    ("action", "Needs action"),
    ("excluded", "Excluded"),
]
REMINDER_MODES = [
    ("auto", "Automatic"),
    ("manual", "Manual"),
]
EXCLUSION_REASONS = [
    ("manual", "Excluded by hand"),
    ("customer", "Customer excluded"),
    ("promise", "Promise to pay"),
    ("dispute", "In dispute"),
    ("plan", "Payment plan"),
    ("collection", "Handed over to collection"),
    ("reported_paid", "Reported paid by the customer"),
]
LATE_PAYMENT_RULES = [
    ("none", "None"),
    ("eu", "EU Directive 2011/7/EU"),
    ("nl", "Netherlands (art. 6:119a BW, WIK)"),
    ("uk", "United Kingdom (Late Payment Act 1998)"),
    ("de", "Germany (§ 288 BGB)"),
]
# The figures the engine computes; written in bulk by _refresh() (_bulk_write).
FIGURE_COLUMNS = {
    "status": "varchar",
    "total_due": "numeric",
    "total_overdue": "numeric",
    "oldest_overdue_days": "int4",
    "next_action_date": "date",
    "level_id": "int4",
    "last_action_date": "date",
    "due_level_id": "int4",
    "status_sequence": "int4",
}
# Written by the nightly run when a batch is done (debtor.followup.run._mark_batch_done).
RUN_COLUMNS = {"last_run_id": "int4"}
# Written by _refresh_usual_delays(): it changes with payments and the date only, not with the follow-up.
DELAY_COLUMNS = {"usual_delay_days": "int4"}
# The usual payment delay of a customer is measured on the invoices it paid in the last DELAY_MONTHS months.
DELAY_MONTHS = 12
# Work queue order: what needs action first.
STATUS_SEQUENCE = {"action": 0, "overdue": 1, "excluded": 2, "none": 3}


SCORE_COLUMNS = {
    "credit_score": "int4",
    "credit_score_date": "date",
    "credit_score_explanation": "text",
}


class DebtorCustomer(models.Model):
    """The debtor file of one customer (commercial entity) in one company.

    It keeps what a credit controller decides for the customer (policy, responsible, automatic or manual
    reminders, exclusion, postponement) and the follow-up figures of its open receivable items (status, totals,
    current level, next action date). The figures are refreshed in bulk by the nightly run and, for the customers
    concerned, whenever an invoice is posted or reset and whenever a payment is reconciled, so that the work queue
    can be filtered, grouped and sorted on stored columns.
    """

    _name = "debtor.customer"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Debtor File"
    _order = "status_sequence, next_action_date, total_overdue desc, id"
    _check_company_auto = True
    _rec_names_search = ["partner_id.name", "partner_id.ref", "partner_id.vat"]

    # ------------------------------------------------------------------
    # Identity
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_company", "=", True)],
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------------
    # Settings chosen by the credit controller
    # ------------------------------------------------------------------
    policy_id = fields.Many2one(
        comodel_name="debtor.followup.policy",
        string="Policy Override",
        check_company=True,
        help="Leave empty to follow the company's default policy.",
    )
    effective_policy_id = fields.Many2one(
        comodel_name="debtor.followup.policy",
        string="Policy",
        compute="_compute_effective_policy_id",
    )
    responsible_id = fields.Many2one(
        comodel_name="res.users",
        string="Follow-up Responsible",
        index=True,
        domain=[("share", "=", False)],
    )
    reminder_mode = fields.Selection(
        selection=REMINDER_MODES,
        default="auto",
        required=True,
        help="Automatic: the nightly run executes the automatic levels. Manual: every level waits for a person.",
    )
    excluded = fields.Boolean(string="Excluded from Follow-up")
    exclusion_note = fields.Char(string="Exclusion Reason")
    postponed_until = fields.Date(help="No follow-up action before this date.")
    late_payment_rule = fields.Selection(
        selection=LATE_PAYMENT_RULES,
        string="Late-Payment Rules",
        help="Statutory interest and costs to apply to this customer. Empty: the policy's, else the company's.",
    )

    # ------------------------------------------------------------------
    # Figures (stored, refreshed by _refresh)
    # ------------------------------------------------------------------
    status = fields.Selection(selection=DEBTOR_STATUSES, default="none", required=True, readonly=True, index=True)
    status_sequence = fields.Integer(default=3, readonly=True)
    total_due = fields.Monetary(readonly=True)
    total_overdue = fields.Monetary(readonly=True)
    oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", readonly=True)
    next_action_date = fields.Date(readonly=True, index=True)
    level_id = fields.Many2one(
        comodel_name="debtor.followup.level",
        string="Current Level",
        readonly=True,
        index="btree_not_null",
        help="The highest level an open item of this customer has reached.",
    )
    due_level_id = fields.Many2one(
        comodel_name="debtor.followup.level",
        string="Next Level",
        readonly=True,
        help="The level the next action will execute.",
    )
    last_action_date = fields.Date(readonly=True)
    last_run_id = fields.Many2one(
        comodel_name="debtor.followup.run", string="Last Examined by Run", readonly=True, copy=False,
        ondelete="set null",
        help="The nightly run whose batch last examined this customer (a run resumed goes on with the others).")
    usual_delay_days = fields.Integer(
        string="Usual Payment Delay (days)",
        readonly=True,
        help="Average days between due date and payment of the invoices this customer paid in the last 12 months "
             "(negative: pays early; 0 without such history). The cash-in forecast expects its open items that "
             "long after their due date.",
    )

    # ------------------------------------------------------------------
    # Related records
    # ------------------------------------------------------------------
    line_ids = fields.Many2many(
        comodel_name="account.move.line",
        string="Open Items",
        compute="_compute_line_ids",
    )
    action_ids = fields.One2many(
        comodel_name="debtor.followup.action",
        compute="_compute_action_ids",
        string="Follow-up History",
    )
    promise_ids = fields.One2many(
        comodel_name="debtor.promise",
        compute="_compute_promise_ids",
        string="Promises to Pay",
    )
    open_promise_count = fields.Integer(compute="_compute_promise_ids")
    plan_count = fields.Integer(string="Payment Plans", compute="_compute_plan_count")
    dispute_count = fields.Integer(string="Open Disputes", compute="_compute_disputes")
    disputed_amount = fields.Monetary(string="Amount in Dispute", compute="_compute_disputes")
    handover_count = fields.Integer(string="Handovers", compute="_compute_handovers")
    in_collection = fields.Boolean(compute="_compute_handovers",
                                   help="Invoices of this customer are at a collection agency.")
    handover_due = fields.Boolean(
        string="Due for Handover", compute="_compute_handovers",
        help="The customer was sent the formal notice, or is due for the last level of its policy: the next step is "
             "a handover to collection.")
    active_plan_count = fields.Integer(string="Plans Running", compute="_compute_queue_flags",
                                       help="Payment plans proposed to the customer or running.")
    queue_flags = fields.Char(
        string="Flags", compute="_compute_queue_flags",
        help="What the work queue marks: credit hold, open disputes, a running payment plan, an open promise to "
             "pay, a handover due or the customer in collection.")

    _partner_company_unique = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one debtor file per company.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_display_name(self):
        multi_company = len(self.company_id) > 1
        for debtor_file in self:
            name = debtor_file.partner_id.display_name or ""
            debtor_file.display_name = f"{name} ({debtor_file.company_id.name})" if multi_company else name

    @api.depends("policy_id", "company_id")
    def _compute_effective_policy_id(self):
        defaults = {}
        for debtor_file in self:
            if debtor_file.company_id not in defaults:
                defaults[debtor_file.company_id] = self.env["debtor.followup.policy"]._get_company_default(
                    debtor_file.company_id)
            debtor_file.effective_policy_id = debtor_file.policy_id or defaults[debtor_file.company_id]

    @api.depends("partner_id", "company_id")
    def _compute_line_ids(self):
        lines = self.env["account.move.line"].search_fetch(
            self._open_lines_domain(self.company_id, self.partner_id),
            ["partner_id", "company_id"],
            order="date_maturity, id",
        )
        by_key = defaultdict(list)
        for line in lines:
            by_key[line.partner_id.id, line.company_id.id].append(line.id)
        for debtor_file in self:
            key = (debtor_file.partner_id.id, debtor_file.company_id.id)
            debtor_file.line_ids = [fields.Command.set(by_key.get(key, []))]

    @api.depends("partner_id", "company_id")
    def _compute_action_ids(self):
        actions = self.env["debtor.followup.action"].search_fetch(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
            ["partner_id", "company_id"],
        )
        by_key = defaultdict(list)
        for action in actions:
            by_key[action.partner_id.id, action.company_id.id].append(action.id)
        for debtor_file in self:
            # a recordset: a list of ids would be read as commands applied to the field's current value, which
            # cannot be read while it is being computed ("Compute method failed to assign")
            debtor_file.action_ids = actions.browse(
                by_key.get((debtor_file.partner_id.id, debtor_file.company_id.id), []))

    @api.depends("partner_id", "company_id")
    def _compute_promise_ids(self):
        promises = self.env["debtor.promise"].search_fetch(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
            ["partner_id", "company_id", "state"],
        )
        by_key = defaultdict(lambda: self.env["debtor.promise"])
        for promise in promises:
            by_key[promise.partner_id.id, promise.company_id.id] |= promise
        for debtor_file in self:
            file_promises = by_key[debtor_file.partner_id.id, debtor_file.company_id.id]
            debtor_file.promise_ids = file_promises
            debtor_file.open_promise_count = len(file_promises.filtered(lambda p: p.state == "open"))

    @api.depends("partner_id", "company_id")
    def _compute_plan_count(self):
        counts = {(partner.id, company.id): count for partner, company, count in self.env[
            "debtor.payment.plan"]._read_group(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
            ["partner_id", "company_id"], ["__count"])}
        for debtor_file in self:
            debtor_file.plan_count = counts.get((debtor_file.partner_id.id, debtor_file.company_id.id), 0)

    @api.depends("partner_id", "company_id")
    def _compute_disputes(self):
        """The open disputes and the amount in dispute: that amount is the one figure of ``_debtor_figures`` (what
        is still open of the disputed items, capped by them), as on the queue, the aging and the statements."""
        counts = {(partner.id, company.id): count for partner, company, count in self.env[
            "debtor.dispute"]._read_group(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids),
             ("state", "in", ("open", "investigation"))],
            ["partner_id", "company_id"], ["__count"])}
        disputed = {}
        for company in self.company_id:
            files = self.filtered(lambda debtor_file, company=company: debtor_file.company_id == company)
            figures = self._debtor_figures(company, files.partner_id)
            disputed.update({(partner_id, company.id): values["disputed"]
                             for partner_id, values in figures.items()})
        for debtor_file in self:
            key = (debtor_file.partner_id.id, debtor_file.company_id.id)
            debtor_file.dispute_count = counts.get(key, 0)
            debtor_file.disputed_amount = disputed.get(key, 0.0)

    @api.depends("partner_id", "company_id", "level_id", "due_level_id")
    def _compute_handovers(self):
        groups = self.env["debtor.handover"].sudo()._read_group(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
            ["partner_id", "company_id", "state"], ["__count"])
        counts, active = {}, set()
        for partner, company, state, count in groups:
            key = (partner.id, company.id)
            counts[key] = counts.get(key, 0) + count
            if state in IN_COLLECTION_STATES:
                active.add(key)
        for debtor_file in self:
            key = (debtor_file.partner_id.id, debtor_file.company_id.id)
            debtor_file.handover_count = counts.get(key, 0)
            debtor_file.in_collection = key in active
            last = debtor_file.effective_policy_id.level_ids.sorted(lambda level: (level.delay_days, level.id))[-1:]
            debtor_file.handover_due = debtor_file.level_id.is_final_notice or (
                bool(last) and last in (debtor_file.level_id | debtor_file.due_level_id))

    @api.depends("credit_on_hold", "dispute_count", "open_promise_count", "in_collection", "handover_due")
    def _compute_queue_flags(self):
        plans = {(partner.id, company.id): count for partner, company, count in self.env[
            "debtor.payment.plan"]._read_group(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids),
             ("state", "in", ("proposed", "active"))],
            ["partner_id", "company_id"], ["__count"])}
        for debtor_file in self:
            debtor_file.active_plan_count = plans.get((debtor_file.partner_id.id, debtor_file.company_id.id), 0)
            flags = []
            if debtor_file.credit_on_hold:
                flags.append(self.env._("On hold"))
            if debtor_file.dispute_count:
                flags.append(self.env._("Dispute"))
            if debtor_file.active_plan_count:
                flags.append(self.env._("Plan"))
            if debtor_file.open_promise_count:
                flags.append(self.env._("Promise"))
            if debtor_file.in_collection:
                flags.append(self.env._("In collection"))
            elif debtor_file.handover_due:
                flags.append(self.env._("Handover due"))
            debtor_file.queue_flags = " · ".join(flags) or False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_protected_vals(vals)
            if vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        files = super().create(vals_list)
        self._refresh_for(files)
        return files

    def write(self, vals):
        self._check_protected_vals(vals)
        if "credit_hold_note" in vals and not self.env.su and not self.env.user._is_admin() \
                and any(self.mapped("credit_hold")):
            raise AccessError(self.env._(
                "The reason of a credit hold is kept as it was given; release the hold to change it."))
        res = super().write(vals)
        if {"policy_id", "excluded", "postponed_until", "reminder_mode"} & vals.keys():
            self._refresh_for(self)
        return res

    def _check_protected_vals(self, vals):
        """Refuse, over any channel but the follow-up itself (superuser), the values only the follow-up sets: its
        figures, scores and delays, and the credit hold (its buttons record who and why; an administrator, who may
        do anything in the database anyway, may also set it, e.g. when loading data)."""
        if self.env.su:
            return
        if "credit_hold" in vals and self.env.user._is_admin():
            vals = {key: value for key, value in vals.items() if key != "credit_hold"}
        system_fields = (FIGURE_COLUMNS.keys() | SCORE_COLUMNS.keys() | DELAY_COLUMNS.keys()
                         | RUN_COLUMNS.keys()) & vals.keys()
        if system_fields:
            raise AccessError(self.env._(
                "%(fields)s are computed by the follow-up and cannot be set by hand.",
                fields=", ".join(sorted(system_fields))))
        if "credit_hold" in vals:
            if not vals["credit_hold"] and not self.env.user.has_group(MANAGER_GROUP):
                raise AccessError(self.env._("Only a Credit Manager can release a credit hold."))
            raise AccessError(self.env._(
                "A credit hold is put and released with the Credit Hold and Release Credit Hold buttons, which "
                "record who did it and why."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    def _open_wizard(self, res_model, name, **context):
        """The window action opening wizard ``res_model`` for this debtor file, with ``default_*`` values."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_customer_id": self.id, **{f"default_{key}": value for key, value in context.items()}},
        }

    def action_send_reminder(self):
        """Open the preview of the reminder this customer is due (or the current level again)."""
        return self._open_wizard("debtor.followup.send", self.env._("Send Reminder"))

    def action_record_promise(self):
        return self._open_wizard("debtor.promise.wizard", self.env._("Promise to Pay"))

    def action_log_call(self):
        return self._open_wizard("debtor.followup.log", self.env._("Log a Call"), kind="call")

    def action_postpone(self):
        return self._open_wizard("debtor.followup.log", self.env._("Postpone Follow-up"), kind="postpone")

    def action_print_statement(self):
        return self.env.ref("debtor_followup.action_report_debtor_statement").report_action(self)

    def action_exclude(self):
        for debtor_file in self:
            if not debtor_file.exclusion_note:
                raise UserError(self.env._(
                    "Write down why %(customer)s is excluded from follow-up before excluding it.",
                    customer=debtor_file.partner_id.display_name))
        self.excluded = True
        for debtor_file in self:
            debtor_file._post_note(self.env._(
                "Excluded from follow-up in %(company)s: %(reason)s",
                company=debtor_file.company_id.name, reason=debtor_file.exclusion_note))

    def action_include(self):
        self.write({"excluded": False, "exclusion_note": False})
        for debtor_file in self:
            debtor_file._post_note(self.env._(
                "Follow-up resumed in %(company)s.", company=debtor_file.company_id.name))

    def action_refresh(self):
        self._refresh_for(self)

    def action_propose_plan(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_payment_plan_wizard_action")
        action["context"] = {"active_model": self._name, "active_id": self.id}
        return action

    def _open_related(self, xml_id, domain=None, context=None):
        """The window action ``xml_id`` listing this debtor file's records: those of its customer in its company
        (or ``domain``).

        :param xml_id: the window action, e.g. ``debtor_followup.debtor_dispute_action``
        :param context: replaces the action's own context (None: kept)
        """
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = domain or [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)]
        if context is not None:
            action["context"] = context
        return action

    def action_open_plans(self):
        return self._open_related("debtor_followup.debtor_payment_plan_action", context={})

    def action_open_disputes(self):
        return self._open_related("debtor_followup.debtor_dispute_action")

    def action_handover(self):
        """Open the handover wizard for this customer's overdue invoices (Credit Managers)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_handover_wizard_action")
        action["context"] = {"active_model": self._name, "active_id": self.id, "active_ids": self.ids}
        return action

    def action_open_handovers(self):
        return self._open_related("debtor_followup.debtor_handover_action", context={})

    def action_open_history(self):
        return self._open_related("debtor_followup.debtor_followup_action_action")

    # ------------------------------------------------------------------
    # Reminders not delivered
    # ------------------------------------------------------------------
    undelivered_warning = fields.Char(
        string="Reminders Not Delivered", compute="_compute_undelivered_warning",
        help="Reminders whose email bounced or was refused since the last one delivered.")

    @api.depends("partner_id", "company_id")
    def _compute_undelivered_warning(self):
        actions = self.env["debtor.followup.action"].search_fetch(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids),
             ("state", "=", "done"), ("email_sent", "=", True)],
            ["partner_id", "company_id", "level_id", "date", "delivery_state"], order="date desc, id desc")
        failed = defaultdict(list)
        delivered = set()
        for action in actions:
            key = (action.partner_id.id, action.company_id.id)
            if key in delivered:
                continue
            if action.delivery_state == "failed":
                failed[key].append(action)
            else:
                delivered.add(key)  # the address worked since: older failures are history
        for debtor_file in self:
            undelivered = failed.get((debtor_file.partner_id.id, debtor_file.company_id.id))
            warning = False
            if undelivered:
                warning = self.env._(
                    "%(count)s reminder(s) not delivered, the last one %(level)s of %(date)s: check the customer's "
                    "email address and the chatter.", count=len(undelivered), level=undelivered[0].level_id.name,
                    date=undelivered[0].date)
                if any(action.level_id.is_final_notice for action in undelivered):
                    warning += " " + self.env._("A final notice not delivered does not count as the formal notice.")
            debtor_file.undelivered_warning = warning
