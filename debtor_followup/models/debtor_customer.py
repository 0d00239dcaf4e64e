import logging
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.account.tools.structured_reference import format_structured_reference_iso
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools import email_normalize
from odoo.tools import split_every

from ..tools import late_payment
from .debtor_credit_check import CREDIT_RATINGS
from .debtor_credit_check import MANAGER_GROUP
from .debtor_credit_check import rating_for_score
from .debtor_handover import EXCLUDING_STATES as EXCLUDING_HANDOVER_STATES
from .debtor_handover import IN_COLLECTION_STATES

_logger = logging.getLogger(__name__)

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
    _description = "Debtor"
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
    effective_late_payment_rule = fields.Selection(
        selection=LATE_PAYMENT_RULES, string="Late-Payment Rules Applied", compute="_compute_owed")

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
    owed_interest = fields.Monetary(string="Interest to Date", compute="_compute_owed",
                                    help="Statutory interest on the overdue items up to today (company currency).")
    owed_costs = fields.Monetary(string="Collection Costs", compute="_compute_owed")
    owed_total = fields.Monetary(string="Total Owed", compute="_compute_owed",
                                 help="Open items plus interest to date and collection costs.")
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
        for customer in self:
            name = customer.partner_id.display_name or ""
            customer.display_name = f"{name} ({customer.company_id.name})" if multi_company else name

    @api.depends("policy_id", "company_id")
    def _compute_effective_policy_id(self):
        defaults = {}
        for customer in self:
            if customer.company_id not in defaults:
                defaults[customer.company_id] = self.env["debtor.followup.policy"]._get_company_default(
                    customer.company_id)
            customer.effective_policy_id = customer.policy_id or defaults[customer.company_id]

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
        for customer in self:
            customer.line_ids = [fields.Command.set(by_key.get((customer.partner_id.id, customer.company_id.id), []))]

    @api.depends("partner_id", "company_id")
    def _compute_action_ids(self):
        actions = self.env["debtor.followup.action"].search_fetch(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
            ["partner_id", "company_id"],
        )
        by_key = defaultdict(list)
        for action in actions:
            by_key[action.partner_id.id, action.company_id.id].append(action.id)
        for customer in self:
            # a recordset: a list of ids would be read as commands applied to the field's current value, which
            # cannot be read while it is being computed ("Compute method failed to assign")
            customer.action_ids = actions.browse(by_key.get((customer.partner_id.id, customer.company_id.id), []))

    @api.depends("partner_id", "company_id")
    def _compute_promise_ids(self):
        promises = self.env["debtor.promise"].search_fetch(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
            ["partner_id", "company_id", "state"],
        )
        by_key = defaultdict(lambda: self.env["debtor.promise"])
        for promise in promises:
            by_key[promise.partner_id.id, promise.company_id.id] |= promise
        for customer in self:
            customer_promises = by_key[customer.partner_id.id, customer.company_id.id]
            customer.promise_ids = customer_promises
            customer.open_promise_count = len(customer_promises.filtered(lambda p: p.state == "open"))

    @api.depends("partner_id", "company_id", "late_payment_rule", "policy_id", "total_due")
    @api.depends_context("date")
    def _compute_owed(self):
        today = fields.Date.context_today(self)
        for company, customers in self.grouped("company_id").items():
            lines = self.env["account.move.line"].search(
                self._open_lines_domain(company, customers.partner_id)
                + [("date_maturity", "<", today), ("amount_residual", ">", 0)])
            figures = self._late_payment_figures(lines, today)
            for customer in customers:
                customer.effective_late_payment_rule = customer._late_payment_rule()
                mine = [figures[line.id] for line in lines if line.partner_id == customer.partner_id]
                customer.owed_interest = sum(f["interest_company"] for f in mine)
                customer.owed_costs = sum(f["costs_company"] for f in mine)
                customer.owed_total = customer.total_due + customer.owed_interest + customer.owed_costs

    @api.depends("partner_id", "company_id")
    def _compute_plan_count(self):
        counts = {(partner.id, company.id): count for partner, company, count in self.env[
            "debtor.payment.plan"]._read_group(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
            ["partner_id", "company_id"], ["__count"])}
        for customer in self:
            customer.plan_count = counts.get((customer.partner_id.id, customer.company_id.id), 0)

    @api.depends("partner_id", "company_id")
    def _compute_disputes(self):
        groups = self.env["debtor.dispute"]._read_group(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids),
             ("state", "in", ("open", "investigation"))],
            ["partner_id", "company_id"],
            ["__count", "disputed_amount_company:sum"],
        )
        figures = {(partner.id, company.id): (count, amount) for partner, company, count, amount in groups}
        for customer in self:
            customer.dispute_count, customer.disputed_amount = figures.get(
                (customer.partner_id.id, customer.company_id.id), (0, 0.0))

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
        for customer in self:
            key = (customer.partner_id.id, customer.company_id.id)
            customer.handover_count = counts.get(key, 0)
            customer.in_collection = key in active
            last = customer.effective_policy_id.level_ids.sorted(lambda level: (level.delay_days, level.id))[-1:]
            customer.handover_due = customer.level_id.is_final_notice or (
                bool(last) and last in (customer.level_id | customer.due_level_id))

    @api.depends("credit_on_hold", "dispute_count", "open_promise_count", "in_collection", "handover_due")
    def _compute_queue_flags(self):
        plans = {(partner.id, company.id): count for partner, company, count in self.env[
            "debtor.payment.plan"]._read_group(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids),
             ("state", "in", ("proposed", "active"))],
            ["partner_id", "company_id"], ["__count"])}
        for customer in self:
            customer.active_plan_count = plans.get((customer.partner_id.id, customer.company_id.id), 0)
            flags = []
            if customer.credit_on_hold:
                flags.append(self.env._("On hold"))
            if customer.dispute_count:
                flags.append(self.env._("Dispute"))
            if customer.active_plan_count:
                flags.append(self.env._("Plan"))
            if customer.open_promise_count:
                flags.append(self.env._("Promise"))
            if customer.in_collection:
                flags.append(self.env._("In collection"))
            elif customer.handover_due:
                flags.append(self.env._("Handover due"))
            customer.queue_flags = " · ".join(flags) or False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        customers = super().create(vals_list)
        self._refresh_for(customers)
        return customers

    def write(self, vals):
        system_fields = (FIGURE_COLUMNS.keys() | SCORE_COLUMNS.keys() | DELAY_COLUMNS.keys()) & vals.keys()
        if system_fields and not self.env.su:
            raise AccessError(self.env._(
                "%(fields)s are computed by the follow-up and cannot be set by hand.",
                fields=", ".join(sorted(system_fields))))
        if "credit_hold" in vals and not vals["credit_hold"] and not self.env.su \
                and any(self.mapped("credit_hold")) and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can release a credit hold."))
        res = super().write(vals)
        if {"policy_id", "excluded", "postponed_until", "reminder_mode"} & vals.keys():
            self._refresh_for(self)
        return res

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
        for customer in self:
            if not customer.exclusion_note:
                raise UserError(self.env._(
                    "Write down why %(customer)s is excluded from follow-up before excluding it.",
                    customer=customer.partner_id.display_name))
        self.excluded = True
        for customer in self:
            customer._post_note(self.env._(
                "Excluded from follow-up in %(company)s: %(reason)s",
                company=customer.company_id.name, reason=customer.exclusion_note))

    def action_include(self):
        self.write({"excluded": False, "exclusion_note": False})
        for customer in self:
            customer._post_note(self.env._(
                "Follow-up resumed in %(company)s.", company=customer.company_id.name))

    def action_refresh(self):
        self._refresh_for(self)

    def action_propose_plan(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_payment_plan_wizard_action")
        action["context"] = {"active_model": self._name, "active_id": self.id}
        return action

    def action_open_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_payment_plan_action")
        action["domain"] = [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)]
        action["context"] = {}
        return action

    def action_open_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_dispute_action")
        action["domain"] = [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)]
        return action

    def action_handover(self):
        """Open the handover wizard for this customer's overdue invoices (Credit Managers)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_handover_wizard_action")
        action["context"] = {"active_model": self._name, "active_id": self.id, "active_ids": self.ids}
        return action

    def action_open_handovers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_handover_action")
        action["domain"] = [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)]
        action["context"] = {}
        return action

    def action_open_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_followup_action_action")
        action["domain"] = [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)]
        return action

    # ------------------------------------------------------------------
    # The follow-up engine
    # ------------------------------------------------------------------
    @api.model
    def _open_lines_domain(self, companies, partners=None):
        """Open receivable items of ``partners`` (all partners when None) in ``companies``."""
        domain = [
            ("company_id", "in", companies.ids),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("partner_id", "!=", False),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        return domain

    @api.model
    def _debtor_items_query(self, today, companies=None, partners=None, lines=None, totals_only=False):
        """The open receivable items with the figures of each, as an ``SQL`` query: the one definition of the money
        figures that the work queue, the statement, the reminders, the aging, the forecast and the dashboard read.

        An item is an unreconciled posted receivable line with a partner and an open amount. Its open amount
        (``amount_residual``, company currency) is either owed to us (``amount_open``: invoices, installments,
        debit entries) or a credit (``amount_credit``, negative: open credit notes and unapplied payments). Only
        what is owed can be overdue (``amount_overdue``: owed items past their due date); credits are shown on
        their own and offset the total (``amount_residual`` = owed + credits), never the overdue. An open dispute's
        amount (capped at what its invoice still owes) is laid on the invoice's open items earliest due first
        (``amount_disputed``). ``followup_state`` says why an item is not followed up, with the precedence of
        the follow-up engine. The ``*_currency`` columns are the same in the item's own currency.

        :param today: the date to age the items on
        :param companies: ``res.company`` records to restrict to (all when None)
        :param partners: commercial partners to restrict to (all when None)
        :param lines: ``account.move.line`` records to restrict to (all open items when None)
        :param totals_only: leave out the salesperson, responsible, country, level and policy (NULL)
        """
        self.env["account.move.line"].flush_model([
            "move_id", "partner_id", "company_id", "company_currency_id", "currency_id", "account_id", "date",
            "date_maturity", "amount_residual", "amount_residual_currency", "reconciled", "parent_state",
            "no_followup", "debtor_level_id", "debtor_manual_exclusion"])
        self.env["debtor.dispute"].flush_model(["state", "move_id", "disputed_amount", "disputed_amount_company"])
        self.env["debtor.handover.line"].flush_model(["state", "move_id"])
        self.env["debtor.payment.plan"].flush_model(["state", "move_ids"])
        self.env["debtor.promise"].flush_model(["state", "line_ids"])
        self.flush_model(["partner_id", "company_id", "policy_id", "responsible_id", "excluded"])
        accounts = self.env["account.move.line"]._debtor_receivable_account_ids()
        filters = [SQL("TRUE")]
        if companies is not None:
            filters.append(SQL("line.company_id = ANY(%s)", companies.ids))
        if partners is not None:
            filters.append(SQL("line.partner_id = ANY(%s)", partners.ids))
        if lines is not None:
            filters.append(SQL("line.id = ANY(%s)", lines.ids))
        days = SQL("(%s::date - COALESCE(line.date_maturity, line.date))", today)
        describe = SQL(
            """move.invoice_user_id,
                   customer.responsible_id,
                   partner.country_id,
                   line.debtor_level_id AS level_id,
                   COALESCE(customer.policy_id, policy.id) AS policy_id,""") if not totals_only else SQL(
            """NULL::int AS invoice_user_id,
                   NULL::int AS responsible_id,
                   NULL::int AS country_id,
                   NULL::int AS level_id,
                   NULL::int AS policy_id,""")
        describe_joins = SQL(
            """LEFT JOIN account_move move ON move.id = line.move_id
              LEFT JOIN res_partner partner ON partner.id = line.partner_id
              LEFT JOIN debtor_followup_policy policy
                     ON policy.company_id = line.company_id AND policy.is_default AND policy.active""") \
            if not totals_only else SQL()
        return SQL(
            """
            SELECT line.id,
                   line.move_id,
                   line.partner_id,
                   line.company_id,
                   line.company_currency_id AS currency_id,
                   line.currency_id AS item_currency_id,
                   %(describe)s
                   line.date,
                   COALESCE(line.date_maturity, line.date) AS date_maturity,
                   %(days)s AS days_overdue,
                   CASE WHEN handed_over.move_id IS NOT NULL THEN 'collection'
                        WHEN line.no_followup OR line.debtor_manual_exclusion OR customer.excluded THEN 'excluded'
                        WHEN disputed.id IS NOT NULL THEN 'dispute'
                        WHEN planned.move_id IS NOT NULL THEN 'plan'
                        WHEN promised.line_id IS NOT NULL THEN 'promise'
                        ELSE 'followed'
                   END AS followup_state,
                   line.amount_residual,
                   GREATEST(line.amount_residual, 0) AS amount_open,
                   LEAST(line.amount_residual, 0) AS amount_credit,
                   CASE WHEN line.amount_residual > 0 AND %(days)s > 0 THEN line.amount_residual ELSE 0 END
                       AS amount_overdue,
                   COALESCE(disputed.amount, 0) AS amount_disputed,
                   line.amount_residual_currency,
                   CASE WHEN line.amount_residual > 0 THEN line.amount_residual_currency ELSE 0 END
                       AS amount_open_currency,
                   CASE WHEN line.amount_residual < 0 THEN line.amount_residual_currency ELSE 0 END
                       AS amount_credit_currency,
                   CASE WHEN line.amount_residual > 0 AND %(days)s > 0 THEN line.amount_residual_currency ELSE 0 END
                       AS amount_overdue_currency,
                   COALESCE(disputed.amount_currency, 0) AS amount_disputed_currency
              FROM account_move_line line
              %(describe_joins)s
              LEFT JOIN debtor_customer customer
                     ON customer.partner_id = line.partner_id AND customer.company_id = line.company_id
              LEFT JOIN (SELECT DISTINCT handover.move_id FROM debtor_handover_line handover
                          WHERE handover.state IN %(handover_states)s) AS handed_over
                     ON handed_over.move_id = line.move_id
              LEFT JOIN (
                    -- an open dispute's amount on its invoice's open items, earliest due first
                    SELECT item.id,
                           GREATEST(LEAST(item.amount_residual, dispute.amount
                                          - COALESCE(SUM(item.amount_residual) OVER earlier, 0)), 0) AS amount,
                           GREATEST(LEAST(item.amount_residual_currency, dispute.amount_currency
                                          - COALESCE(SUM(item.amount_residual_currency) OVER earlier, 0)), 0)
                               AS amount_currency
                      FROM (SELECT move_id, SUM(disputed_amount_company) AS amount,
                                   SUM(disputed_amount) AS amount_currency
                              FROM debtor_dispute
                             WHERE state IN ('open', 'investigation')
                          GROUP BY move_id) AS dispute
                      JOIN account_move_line item
                        ON item.move_id = dispute.move_id
                       AND item.account_id = ANY(%(accounts)s)
                       AND item.reconciled IS NOT TRUE
                       AND item.parent_state = 'posted'
                       AND item.amount_residual > 0
                    WINDOW earlier AS (PARTITION BY item.move_id
                                       ORDER BY COALESCE(item.date_maturity, item.date), item.id
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   ) AS disputed ON disputed.id = line.id
              LEFT JOIN (SELECT DISTINCT rel.move_id FROM debtor_payment_plan_move_rel rel
                           JOIN debtor_payment_plan plan ON plan.id = rel.plan_id
                          WHERE plan.state = 'active') AS planned
                     ON planned.move_id = line.move_id
              LEFT JOIN (SELECT DISTINCT rel.line_id FROM debtor_promise_line_rel rel
                           JOIN debtor_promise promise ON promise.id = rel.promise_id
                          WHERE promise.state = 'open') AS promised
                     ON promised.line_id = line.id
             WHERE line.account_id = ANY(%(accounts)s)
               AND line.reconciled IS NOT TRUE
               AND line.parent_state = 'posted'
               AND line.partner_id IS NOT NULL
               AND line.amount_residual != 0
               AND %(filters)s
            """,
            describe=describe, describe_joins=describe_joins, days=days, accounts=accounts,
            handover_states=EXCLUDING_HANDOVER_STATES, filters=SQL(" AND ").join(filters),
        )

    @api.model
    def _debtor_figures(self, company, partners=None, today=None):
        """The money figures of the customers of ``company``, in its currency, from ``_debtor_items_query``.

        :param partners: commercial partners (all customers with open items when None)
        :return: ``{partner_id: figures}``, where figures is a dict: ``open`` (what is owed: open invoices and
            installments), ``credits`` (open credit notes and unapplied payments, negative), ``total`` (total
            due: open + credits), ``overdue`` (what is owed past its due date; credits do not reduce it),
            ``disputed`` (in open disputes), ``plan`` (on an active payment plan), ``promised`` (under an open
            promise to pay), ``collection`` (handed over to an agency), ``excluded`` (left out by hand or with the
            customer), and ``oldest_overdue_days`` (of the oldest item owed past its due date, 0 without); customers
            without open items are left out
        """
        today = today or fields.Date.context_today(self)
        states = ("plan", "promise", "collection", "excluded")
        self.env.cr.execute(SQL(
            """SELECT item.partner_id,
                      SUM(item.amount_open), SUM(item.amount_credit), SUM(item.amount_residual),
                      SUM(item.amount_overdue), SUM(item.amount_disputed),
                      %(by_state)s,
                      COALESCE(MAX(item.days_overdue) FILTER (WHERE item.amount_overdue > 0), 0)
                 FROM (%(items)s) AS item
             GROUP BY item.partner_id""",
            items=self._debtor_items_query(today, companies=company, partners=partners, totals_only=True),
            by_state=SQL(", ").join(
                SQL("COALESCE(SUM(item.amount_residual) FILTER (WHERE item.followup_state = %s), 0)", state)
                for state in states),
        ))
        rows = self.env.cr.fetchall()
        round_ = company.currency_id.round
        keys = ("open", "credits", "total", "overdue", "disputed", "plan", "promised", "collection", "excluded")
        result = {}
        for partner_id, *values, oldest in rows:
            result[partner_id] = dict(zip(keys, (round_(float(value)) for value in values), strict=True))
            result[partner_id]["oldest_overdue_days"] = oldest
        return result

    @api.model
    def _debtor_items_table(self, lines, today):
        """What the open items table of statements, letters and reminders shows for ``lines``: the items owed
        and, on their own lines, the customers' open credits (credit notes, unapplied payments), with totals per
        currency that add up, from ``_debtor_items_query``. A batch of reminders computes the tables of all its
        customers at once (``_debtor_items_tables``) and passes them in the context key ``debtor_followup``.

        :return: dict with ``debits`` and ``credits`` (``account.move.line``, earliest due first), ``disputed``
            (``{line_id: disputed amount in the item's currency}``) and ``totals`` (list of
            ``(currency, figures)`` with figures ``open``, ``credits``, ``total``, ``overdue``, ``disputed`` in
            that currency)
        """
        given = (self.env.context.get("debtor_followup") or {}).get("items_tables") or {}
        table = given.get(self._debtor_items_key(lines, today)) or self._debtor_items_tables([lines], today)[0]
        Line, Currency = self.env["account.move.line"], self.env["res.currency"]
        prefetch = [*table["debits"], *table["credits"]]
        return {
            "debits": Line.browse(table["debits"]).with_prefetch(prefetch),
            "credits": Line.browse(table["credits"]).with_prefetch(prefetch),
            "disputed": table["disputed"],
            "totals": [(Currency.browse(currency_id), figures) for currency_id, figures in table["totals"]],
        }

    @api.model
    def _debtor_items_key(self, lines, today):
        return f"{today}:{','.join(str(line_id) for line_id in sorted(lines.ids))}"

    @api.model
    def _debtor_items_tables(self, line_groups, today):
        """The open items tables of several groups of lines (one per customer) in two queries per company and one
        in all, whatever the number of groups: the data of ``_debtor_items_table`` as ids and figures.

        :param line_groups: list of ``account.move.line`` recordsets
        :return: list of dicts with ``debits``, ``credits`` (line ids, earliest due first), ``disputed`` and
            ``totals`` (list of ``(currency id, figures)``), in the order of ``line_groups``
        """
        Line = self.env["account.move.line"]
        all_lines = Line.concat(*line_groups)
        credits = Line
        for company, company_lines in all_lines.grouped("company_id").items():
            credits |= Line.search(self._open_lines_domain(company, company_lines.partner_id.commercial_partner_id)
                                   + [("amount_residual", "<", 0)])
        rows = {}
        if all_lines | credits:
            self.env.cr.execute(SQL(
                """SELECT id, item_currency_id, amount_open_currency, amount_credit_currency,
                          amount_overdue_currency, amount_disputed_currency
                     FROM (%s) AS item""",
                self._debtor_items_query(today, lines=all_lines | credits, totals_only=True)))
            rows = {row[0]: row for row in self.env.cr.fetchall()}
        credits_by_key = defaultdict(list)
        for credit in credits:
            credits_by_key[credit.partner_id.id, credit.company_id.id].append(credit.id)
        order = lambda line: (line.date_maturity or line.date, line.id)  # noqa: E731
        tables = []
        for lines in line_groups:
            keys = {(line.partner_id.commercial_partner_id.id, line.company_id.id) for line in lines}
            credit_ids = [credit_id for key in keys for credit_id in credits_by_key[key]]
            items = (lines | Line.browse(credit_ids)).filtered(lambda line: line.id in rows)
            by_currency = defaultdict(lambda: dict.fromkeys(("open", "credits", "overdue", "disputed"), 0.0))
            for item in items:
                _line_id, currency_id, amount_open, amount_credit, amount_overdue, amount_disputed = rows[item.id]
                figures = by_currency[currency_id]
                figures["open"] += amount_open
                figures["credits"] += amount_credit
                figures["overdue"] += amount_overdue
                figures["disputed"] += amount_disputed
            totals = []
            for currency in self.env["res.currency"].browse(sorted(by_currency)):
                figures = {key: currency.round(value) for key, value in by_currency[currency.id].items()}
                figures["total"] = currency.round(figures["open"] + figures["credits"])
                totals.append((currency.id, figures))
            tables.append({
                "debits": items.filtered(lambda line: line.amount_residual > 0).sorted(order).ids,
                "credits": items.filtered(lambda line: line.amount_residual < 0).sorted(order).ids,
                "disputed": {item.id: rows[item.id][5] for item in items if rows[item.id][5]},
                "totals": totals,
            })
        return tables

    @api.model
    def _line_exclusions(self, company, lines):
        """Why some of ``lines`` must not be followed up, as ``{line_id: reason}``.

        Handovers to a collection agency (any but withdrawn ones), manual exclusions, open disputes, active
        payment plans and open promises to pay. It must stay set-based: one query per kind of reason, whatever the
        number of lines.

        :param company: the ``res.company`` being followed up
        :param lines: ``account.move.line`` records, all open and receivable
        """
        # whoever looks at the items (an invoicing user, a controller) must see that they are at an agency
        handed_over = set(self.env["debtor.handover.line"].sudo().search_fetch(
            [("company_id", "=", company.id), ("state", "in", EXCLUDING_HANDOVER_STATES),
             ("move_id", "in", lines.move_id.ids)],
            ["move_id"],
        ).move_id.ids)
        reasons = {line.id: "collection" for line in lines if line.move_id.id in handed_over}
        for line in lines:
            if line.debtor_manual_exclusion:
                reasons.setdefault(line.id, "manual")
        disputes = self.env["debtor.dispute"].search_fetch(
            [("company_id", "=", company.id), ("state", "in", ("open", "investigation")),
             ("move_id", "in", lines.move_id.ids)],
            ["move_id"],
        )
        disputed_moves = set(disputes.move_id.ids)
        plans = self.env["debtor.payment.plan"].search_fetch(
            [("company_id", "=", company.id), ("state", "=", "active"), ("move_ids", "in", lines.move_id.ids)],
            ["move_ids"],
        )
        planned_moves = set(plans.move_ids.ids)
        for line in lines:
            if line.move_id.id in disputed_moves:
                reasons.setdefault(line.id, "dispute")
            elif line.move_id.id in planned_moves:
                reasons.setdefault(line.id, "plan")
        promises = self.env["debtor.promise"].search_fetch(
            [("company_id", "=", company.id), ("state", "=", "open"), ("line_ids", "in", lines.ids)],
            ["line_ids"],
        )
        for line_id in promises.line_ids.ids:
            reasons.setdefault(line_id, "promise")
        return reasons

    @api.model
    def _next_level(self, levels, current_level, overdue_days):
        """The level an item goes to next, or None.

        :param levels: the policy's levels, earliest first
        :param current_level: the level the item has reached (may belong to another policy), or an empty record
        :param int overdue_days: days since the due date (negative before it)
        """
        for level in levels:
            if current_level and level.delay_days <= current_level.delay_days:
                continue
            if overdue_days > 0 and level.delay_days < 0:
                continue  # a courtesy reminder before the due date makes no sense any more
            return level
        return None

    @api.model
    def _next_action_date(self, line, next_level):
        """When ``line`` goes to ``next_level``: the level's day after the due date, and never sooner after the
        previous action than the gap between the two levels (so a late start does not fire a level a night)."""
        date = line.date_maturity + timedelta(days=next_level.delay_days)
        if line.debtor_level_id and line.debtor_last_action_date:
            gap = next_level.delay_days - line.debtor_level_id.delay_days
            date = max(date, line.debtor_last_action_date + timedelta(days=gap))
        if line.debtor_resume_date:
            date = min(date, line.debtor_resume_date)  # a rejected dispute: the next level at once
        return date

    @api.model
    def _compute_followup_state(self, company, partners=None, today=None):
        """Compute the follow-up state of the customers of ``company`` from their open receivable items.

        A few queries whatever the number of items (items, debtor files, exclusions, figures), then plain Python.
        The totals are those of ``_debtor_figures`` (the statement's, the aging's and the dashboard's): total due is
        what is owed less the open credits, overdue what is owed past its due date (credits do not reduce it). A
        customer whose credits cover everything overdue is not chased, though.

        :param company: a ``res.company`` record
        :param partners: commercial partners to compute (all with open items when None)
        :param today: the date to compute for (default: today)
        :return: ``{partner_id: state}`` where ``state`` holds the figures of ``FIGURE_COLUMNS``, ``due`` (a dict
            level -> lines to execute now), ``lines`` (a dict line_id -> (next level, next date, exclusion reason))
        """
        today = today or fields.Date.context_today(self)
        Line = self.env["account.move.line"].with_company(company)
        lines = Line.search_fetch(
            self._open_lines_domain(company, partners),
            ["partner_id", "move_id", "date_maturity", "amount_residual", "no_followup", "debtor_level_id",
             "debtor_last_action_date", "debtor_manual_exclusion", "debtor_resume_date"],
            order="partner_id, date_maturity, id",
        )
        partner_ids = set(lines.partner_id.ids) | set(partners.ids if partners is not None else [])
        customers = self.search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", list(partner_ids))],
            ["partner_id", "policy_id", "excluded", "postponed_until"],
        )
        customer_by_partner = {customer.partner_id.id: customer for customer in customers}
        default_policy = self.env["debtor.followup.policy"]._get_company_default(company)
        levels_by_policy = {}
        exclusions = self._line_exclusions(company, lines)
        figures = self._debtor_figures(company, partners, today)

        lines_by_partner = defaultdict(list)
        for line in lines:
            lines_by_partner[line.partner_id.id].append(line)

        result = {}
        for partner_id in partner_ids:
            customer = customer_by_partner.get(partner_id)
            policy = (customer and customer.policy_id) or default_policy
            if policy not in levels_by_policy:
                levels_by_policy[policy] = policy._sorted_levels() if policy else []
            levels = levels_by_policy[policy]
            paused = bool(customer and customer.postponed_until and customer.postponed_until > today)
            state = {
                "total_due": 0.0, "total_overdue": 0.0, "oldest_overdue_days": 0, "next_action_date": None,
                "level_id": None, "last_action_date": None, "due_level_id": None,
                "due": defaultdict(lambda: self.env["account.move.line"]), "lines": {},
            }
            top_level = None
            next_levels = [None]  # the level of the next action
            overdue_open = overdue_followed = 0
            credits = 0.0  # open credit notes and unapplied payments: available at once, whatever their date
            overdue = 0.0  # what is owed past its due date, to be set off against the credits
            for line in lines_by_partner.get(partner_id, []):
                residual = line.amount_residual
                overdue_days = (today - line.date_maturity).days if line.date_maturity else 0
                if residual < 0:
                    credits += residual
                elif overdue_days > 0:
                    overdue += residual
                if line.debtor_level_id and (not top_level or line.debtor_level_id.delay_days > top_level.delay_days):
                    top_level = line.debtor_level_id
                if line.debtor_last_action_date and (
                        not state["last_action_date"] or line.debtor_last_action_date > state["last_action_date"]):
                    state["last_action_date"] = line.debtor_last_action_date
                if residual <= 0 or not line.date_maturity or line.no_followup:
                    continue
                if overdue_days > 0:
                    overdue_open += 1
                    state["oldest_overdue_days"] = max(state["oldest_overdue_days"], overdue_days)
                reason = "customer" if customer and customer.excluded else exclusions.get(line.id)
                next_level = None if reason else self._next_level(levels, line.debtor_level_id, overdue_days)
                next_date = next_level and self._next_action_date(line, next_level)
                state["lines"][line.id] = (next_level, next_date, reason)
                if reason:
                    continue
                if overdue_days > 0:
                    overdue_followed += 1
                if not next_level:
                    continue
                if (not state["next_action_date"] or next_date < state["next_action_date"]
                        or (next_date == state["next_action_date"]
                            and next_level.delay_days < next_levels[0].delay_days)):
                    # the next action date and the level it executes always go together
                    state["next_action_date"] = next_date
                    next_levels[0] = next_level
                if next_date <= today and not paused:
                    state["due"][next_level] |= line
            if paused and state["next_action_date"]:
                state["next_action_date"] = max(state["next_action_date"], customer.postponed_until)
            state["level_id"] = top_level.id if top_level else None
            mine = figures.get(partner_id, {})
            state["total_due"], state["total_overdue"] = mine.get("total", 0.0), mine.get("overdue", 0.0)
            if overdue_open and company.currency_id.compare_amounts(overdue + credits, 0.0) <= 0:
                # the customer's credits cover everything overdue: nothing to chase
                state["due"].clear()
                overdue_open = 0
            # the level the next action executes: the earliest level due now, else that of the next action date
            if state["due"]:
                state["due_level_id"] = min(state["due"], key=lambda level: level.delay_days).id
            elif next_levels[0]:
                state["due_level_id"] = next_levels[0].id
            if state["due"]:
                state["status"] = "action"
            elif overdue_open and not overdue_followed:
                state["status"] = "excluded"
            elif customer and customer.excluded:
                state["status"] = "excluded"
            elif overdue_open:
                state["status"] = "overdue"
            else:
                state["status"] = "none"
            state["status_sequence"] = STATUS_SEQUENCE[state["status"]]
            result[partner_id] = state
        return result

    @api.model
    def _refresh(self, company, partners=None, today=None):
        """Recompute and store the figures of the debtor files of ``company``.

        Creates the missing files of customers with open items. ``partners=None`` refreshes every file of the
        company (the nightly run); otherwise only those partners' (after a posting or a reconciliation).

        :return: the state computed by ``_compute_followup_state``
        """
        self = self.sudo()  # figures are maintained by the system, whoever's action triggers a refresh
        if partners is not None:
            partners = partners.commercial_partner_id
            if not partners:
                return {}
        state = self._compute_followup_state(company, partners, today)
        domain = [("company_id", "=", company.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        existing = self.with_context(active_test=False).search_fetch(domain, ["partner_id"])
        known = set(existing.partner_id.ids)
        missing = [pid for pid, vals in state.items() if pid not in known and vals["total_due"]]
        if missing:
            # create() would refresh again: insert plainly, the figures are written just below; files made by the
            # refresh get no chatter entry nor followers (the chatter's create does both record by record)
            new_files = super(DebtorCustomer, self.with_context(tracking_disable=True)).create(
                [{"partner_id": pid, "company_id": company.id} for pid in missing]).with_env(self.env)
            self._refresh_usual_delays(company, new_files.partner_id, today)
            existing |= new_files
        blank = {"status": "none", "total_due": 0.0, "total_overdue": 0.0, "oldest_overdue_days": 0,
                 "next_action_date": None, "level_id": None, "last_action_date": None, "due_level_id": None,
                 "status_sequence": STATUS_SEQUENCE["none"]}
        rows = []
        for customer in existing:
            vals = state.get(customer.partner_id.id, blank)
            rows.append([customer.id] + [vals[column] for column in FIGURE_COLUMNS])
        self._bulk_write(FIGURE_COLUMNS, rows)
        # the items' next level and exclusion are computed on the fly: forget what was computed before
        self.env["account.move.line"].invalidate_model(
            ["debtor_next_level_id", "debtor_next_action_date", "debtor_exclusion_reason"])
        return state

    @api.model
    def _usual_delays(self, company, partners=None, today=None):
        """The usual payment delay of the customers of ``company``: the average days between due date and payment
        of their invoice items fully paid in the last ``DELAY_MONTHS`` months (invoices cancelled by a credit note
        left out). One query, whatever the number of customers.

        :param partners: commercial partners to compute (all when None)
        :return: ``{partner_id: days}``, only for customers with such history
        """
        today = today or fields.Date.context_today(self)
        self.env["account.move.line"].flush_model(
            ["account_id", "company_id", "partner_id", "move_id", "date", "date_maturity", "debtor_date_paid",
             "parent_state"])
        self.env["account.move"].flush_model(["move_type", "payment_state"])
        partner_filter = SQL("AND line.partner_id IN %s", tuple(partners.ids)) if partners is not None else SQL()
        self.env.cr.execute(SQL(
            """SELECT line.partner_id,
                      ROUND(AVG(line.debtor_date_paid - COALESCE(line.date_maturity, line.date)))::int
                 FROM account_move_line line
                 JOIN account_move move ON move.id = line.move_id
                WHERE line.company_id = %(company)s
                  AND line.account_id = ANY(%(accounts)s)
                  AND line.debtor_date_paid > %(start)s
                  AND line.debtor_date_paid <= %(today)s
                  AND line.parent_state = 'posted'
                  AND line.partner_id IS NOT NULL
                  AND move.move_type = 'out_invoice'
                  AND move.payment_state != 'reversed'
                  %(partner_filter)s
             GROUP BY line.partner_id""",
            company=company.id, accounts=self.env["account.move.line"]._debtor_receivable_account_ids(),
            start=today - relativedelta(months=DELAY_MONTHS), today=today, partner_filter=partner_filter,
        ))
        return dict(self.env.cr.fetchall())

    @api.model
    def _refresh_usual_delays(self, company, partners=None, today=None):
        """Write the usual payment delay of the debtor files of ``partners`` (all when None) in ``company``: two
        queries and one update per thousand files. Called when payments are matched or undone (with the files'
        refresh), for new files, and by the nightly cron for every company (the twelve-month window moves)."""
        if partners is not None:
            partners = partners.commercial_partner_id
            if not partners:
                return
        Customer = self.sudo().with_context(active_test=False)
        delays = Customer._usual_delays(company, partners, today)
        domain = [("company_id", "=", company.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        customers = Customer.search_fetch(domain, ["partner_id"])
        Customer._bulk_write(DELAY_COLUMNS,
                             [[customer.id, delays.get(customer.partner_id.id, 0)] for customer in customers])

    # The customers whose files Odoo's own flows changed in this transaction, per company, refreshed once.
    _PENDING_KEY = "debtor_followup.pending_refresh"

    @api.model
    def _debtor_mark_pending(self, partner_ids_by_company):
        """Note that the files of these customers need a refresh (figures and usual delay): the refresh runs once,
        set-based, when the transaction commits or as soon as debtor files are read or searched, whichever comes
        first. What is cached of the files' figures is forgotten now, so the next read refreshes first.

        :param partner_ids_by_company: ``{company id: {commercial partner id, ...}}``
        """
        data = self.env.cr.precommit.data
        pending = data.get(self._PENDING_KEY)
        if pending is None:
            pending = data[self._PENDING_KEY] = defaultdict(set)
            self.env.cr.precommit.add(self.sudo()._debtor_refresh_pending)
        for company_id, partner_ids in partner_ids_by_company.items():
            pending[company_id] |= set(partner_ids)
        self.invalidate_model([*FIGURE_COLUMNS, *DELAY_COLUMNS], flush=False)

    @api.model
    def _debtor_refresh_pending(self):
        """Refresh the files noted by ``_debtor_mark_pending``, company by company (called at commit, or before
        debtor files are read)."""
        pending = self.env.cr.precommit.data.pop(self._PENDING_KEY, None)
        if not pending:
            return
        Customer = self.sudo()  # whoever's read triggers it (a manager of one company reading a report...)
        try:
            for company_id, partner_ids in list(pending.items()):
                company = Customer.env["res.company"].browse(company_id)
                partners = Customer.env["res.partner"].browse(partner_ids)
                Customer._refresh(company, partners)
                Customer._refresh_usual_delays(company, partners)  # payments matched or undone
                del pending[company_id]
        except Exception:
            # not lost: what is left is refreshed at the next read or at commit
            self._debtor_mark_pending(pending)
            raise
        self.env.flush_all()  # at commit, what the refresh wrote must reach the database too

    def flush_model(self, fnames=None):
        # a read or search of debtor files sees the refresh that Odoo's flows left pending in this transaction
        if self.env.cr.precommit.data.get(self._PENDING_KEY):
            self._debtor_refresh_pending()
        return super().flush_model(fnames)

    def flush_recordset(self, fnames=None):
        if self.env.cr.precommit.data.get(self._PENDING_KEY):
            self._debtor_refresh_pending()
        return super().flush_recordset(fnames)

    @api.model
    def _refresh_for(self, records):
        """Refresh the debtor files of the customers of ``records`` (debtor files, disputes, promises, plans,
        handovers...), company by company: what decides their follow-up has changed."""
        for company, company_records in records.grouped("company_id").items():
            self._refresh(company, company_records.partner_id)

    @api.model
    def _bulk_write(self, columns, rows):
        """Write system-maintained columns of many debtor files in one UPDATE per thousand files.

        :param dict columns: column name -> SQL type, in the order of the values in ``rows``
        :param rows: lists ``[id, *values]``
        """
        if not rows:
            return
        self.flush_model(list(columns))
        # "(%s::int4, %s::varchar, ...)": built from the constant column types, never from data
        row_code = "(" + ", ".join(f"%s::{sql_type}" for sql_type in ["int4", *columns.values()]) + ")"
        assignments = SQL(", ").join(
            SQL("%s = v.%s", SQL.identifier(column), SQL.identifier(column)) for column in columns)
        for chunk in split_every(1000, rows):
            self.env.cr.execute(SQL(
                """UPDATE debtor_customer AS c
                      SET %(assignments)s, write_date = NOW() AT TIME ZONE 'UTC'
                     FROM (VALUES %(values)s) AS v(id, %(names)s)
                    WHERE c.id = v.id""",
                assignments=assignments,
                values=SQL(", ").join(SQL(row_code, *row) for row in chunk),
                names=SQL(", ").join(SQL.identifier(column) for column in columns),
            ))
        self.invalidate_model([*columns, "write_date"])

    # ------------------------------------------------------------------
    # Statutory interest and costs
    # ------------------------------------------------------------------
    def _late_payment_rule(self):
        """The rule set that applies: the customer's, else its policy's, else its company's."""
        self.ensure_one()
        return (self.late_payment_rule or self.effective_policy_id.late_payment_rule
                or self.company_id.debtor_late_payment_rule or "none")

    @api.model
    def _late_payment_figures(self, lines, on_date):
        """Statutory interest to ``on_date`` and collection costs of overdue receivable ``lines``.

        Each line is an installment or invoice owed on its own (costs are charged per invoice, on its first
        overdue line). The figures come from the dated events of the ledger, not from today's open amount: the
        line's original amount less its credit notes is the principal, and every payment matched with it up to
        ``on_date`` is applied on its own date, in the order the rule set prescribes (``late_payment``'s
        ``allocate_payments``), so the interest the paid part earned until it was paid is kept. ``interest`` is
        all the interest accrued to ``on_date``; with the costs and the open amount it makes what is owed (the
        payments already count against the open amount). Amounts are in the line's currency; fixed sums are
        converted from the rule set's currency. A regime that does not cover the debtor (consumers under EU and
        UK rules), a rate missing for a period or a missing table gives zero and says why in ``note``.

        :param lines: overdue open receivable ``account.move.line`` records
        :param on_date: the date interest runs to (included)
        :return: ``{line_id: {"rule", "interest", "costs", "interest_company", "costs_company", "note"}}``
        """
        result = {}
        currencies = {}
        costs_charged = set()
        Rate = self.env["debtor.reference.rate"]
        tables = {}
        customers = {
            (customer.partner_id.id, customer.company_id.id): customer
            for customer in self.search_fetch(
                [("partner_id", "in", lines.partner_id.ids), ("company_id", "in", lines.company_id.ids)],
                ["partner_id", "company_id", "late_payment_rule", "policy_id"])
        }
        # fee invoices are owed like any invoice, but no interest or costs are charged on fees
        fee_moves = set(self.env["debtor.followup.fee"].sudo().search_fetch(
            [("fee_move_id", "in", lines.move_id.ids)], ["fee_move_id"]).fee_move_id.ids)
        events = lines._debtor_dated_events(on_date)
        letters = lines._debtor_first_reminder_dates()
        for line in lines.sorted(lambda line: (line.date_maturity or line.date, line.id)):
            customer = customers.get((line.partner_id.id, line.company_id.id), self.browse())
            code = customer._late_payment_rule() if customer else (line.company_id.debtor_late_payment_rule
                                                                    or "none")
            figures = {"rule": code, "interest": 0.0, "costs": 0.0, "interest_company": 0.0,
                       "costs_company": 0.0, "note": ""}
            result[line.id] = figures
            if (code == "none" or not line.date_maturity or line.date_maturity >= on_date
                    or line.move_id.id in fee_moves):
                continue
            rule = late_payment.get_rule(code)
            consumer = not line.partner_id.commercial_partner_id.is_company
            if consumer and rule.consumer_margin is None:
                figures["note"] = self.env._("%(rule)s covers business debtors only.", rule=rule.name)
                continue
            rate_type = "nl_statutory" if (code == "nl" and consumer) else rule.rate_type
            if rate_type not in tables:
                tables[rate_type] = Rate._rate_table_checked(rate_type, on_date)
            table, warning = tables[rate_type]
            notes = [warning] if warning else []
            principal, payments = events[line.id]
            costs = late_payment.CollectionCosts(late_payment.ZERO, late_payment.ZERO, late_payment.ZERO,
                                                 rule.currency, due=False)
            costs_from = None
            if line.move_id.id not in costs_charged:
                costs_charged.add(line.move_id.id)
                costs, costs_from = self._late_payment_costs(
                    rule, line, (principal, payments, table), consumer, letters.get(line.id), on_date, currencies)
            interest = 0
            if table is not None:
                try:
                    interest = late_payment.allocate_payments(
                        rule, principal, line.date_maturity, on_date, table, payments=payments,
                        costs=costs.total if costs.due else 0, consumer=consumer, costs_from=costs_from,
                    ).interest_accrued
                except ValueError as error:
                    notes.append(str(error))  # typically no rate known that early: shown, not guessed
                    interest = 0
            rule_currency = currencies.get(rule.currency) or line.currency_id
            amount_costs = rule_currency._convert(float(costs.total), line.currency_id, line.company_id, on_date)
            figures["note"] = " ".join(notes)
            figures["interest"] = line.currency_id.round(float(interest))
            figures["costs"] = line.currency_id.round(amount_costs)
            ratio = (line.amount_residual / line.amount_residual_currency) if line.amount_residual_currency else 1.0
            figures["interest_company"] = line.company_currency_id.round(figures["interest"] * ratio)
            figures["costs_company"] = line.company_currency_id.round(figures["costs"] * ratio)
        return result

    @api.model
    def _late_payment_costs(self, rule, line, debt, consumer, letter_date, on_date, currencies):
        """The fixed compensation or collection costs of ``line``'s invoice, and the first day they are owed.

        The costs are owed from the first day of default, for a Dutch consumer only from the day after the 14
        days that follow the receipt of the first reminder sent after the due date (art. 6:96 lid 6 BW: later
        reminders do not move that day). The scales (WIK brackets, UK bands) apply to the principal still unpaid
        on the eve of that day, the earlier payments applied in the rule set's order, converted into the rule
        set's currency.

        :param rule: the ``late_payment.RuleSet``
        :param line: the invoice's first overdue receivable item
        :param debt: ``(principal, payments, rates)``: the item's principal (original amount less credit notes,
            ``Decimal``), its dated ``late_payment.Payment`` list and the ``RateTable`` (None when missing)
        :param consumer: whether the debtor is a consumer
        :param letter_date: the date of the first reminder of the item sent after its due date, or None
        :param on_date: the evaluation date
        :param currencies: cache ``{ISO code: res.currency}``, filled here
        :return: ``(late_payment.CollectionCosts, first day owed or None for the first day of default)``
        """
        costs_from = None
        if rule.code == "nl" and consumer:
            if not letter_date:
                return late_payment.fixed_compensation(rule, 0), None
            costs_from = late_payment.wik_deadline(letter_date) + timedelta(days=1)
        principal, payments, rates = debt
        eve = min(max((costs_from or line.date_maturity + timedelta(days=1)) - timedelta(days=1),
                      line.date_maturity), on_date)
        earlier = [payment for payment in payments if payment.date <= eve]
        try:
            unpaid = late_payment.allocate_payments(
                rule, principal, line.date_maturity, eve, rates, payments=earlier, consumer=consumer).principal
        except ValueError:  # no rate known: the payments are taken off the principal as they stand
            unpaid = max(principal - sum((payment.amount for payment in earlier), late_payment.ZERO),
                         late_payment.ZERO)
        if rule.currency not in currencies:
            currencies[rule.currency] = self.env["res.currency"].with_context(active_test=False).search(
                [("name", "=", rule.currency)], limit=1)
        rule_currency = currencies[rule.currency] or line.currency_id
        debt = line.currency_id._convert(float(unpaid), rule_currency, line.company_id, on_date)
        costs = late_payment.fixed_compensation(
            rule, debt, consumer=consumer, reminder_date=letter_date, on_date=on_date,
            due_date=line.date_maturity,
            vat_rate=line.company_id.debtor_wik_vat_rate or None if rule.code == "nl" else None)
        return costs, costs_from

    def _report_date(self):
        """The date a statement is printed for (the user's today)."""
        return fields.Date.context_today(self)

    def _statement_owed(self, lines, on_date):
        """Interest and costs for the statement, when the customer's rules charge any (else False)."""
        self.ensure_one()
        if self._late_payment_rule() == "none":
            return False
        overdue = lines.filtered(lambda line: line.amount_residual > 0 and line.date_maturity
                                 and line.date_maturity < on_date)
        return self._late_payment_figures(overdue, on_date)

    @api.model
    def _statement_document_values(self, partner, company, lines, today, shared=None):
        """What the letterhead, the address block and the payment footer of a statement or a letter show.

        :param partner: the customer (``res.partner``); the document goes to its invoicing contact
        :param company: the company that sends the document
        :param lines: the items the document lists (``account.move.line``)
        :param today: the document's date
        :param shared: a dict kept for all the documents of one rendering, so that what they have in common is
            looked up once: the company's sales journal and bank account (per company) and, when given under
            ``pay_urls``, the pay-online addresses of all their invoices
        :return: dict with ``company``, ``customer`` (commercial partner), ``addressee`` (the invoicing contact),
            ``doc_date``, ``payment_reference``, ``bank`` (``res.partner.bank``, possibly empty), ``qr_code``
            (an image data URI, or False), ``pay_urls`` (``{move id: pay-online address or False}``) and
            ``to_pay`` (whether any of the lines is owed)
        """
        shared = {} if shared is None else shared
        if company.id not in shared:
            shared[company.id] = (self._statement_reference_prefix(company), self._statement_bank_account(company))
        prefix, bank = shared[company.id]
        if "pay_urls" not in shared or not set(lines.move_id.ids) <= set(shared["pay_urls"]):
            shared.setdefault("pay_urls", {}).update(lines.move_id._debtor_portal_pay_urls())
        customer = partner.commercial_partner_id
        addressee = self.env["res.partner"].browse(customer.address_get(["invoice"])["invoice"]) or customer
        reference = self._statement_payment_reference(customer, company, prefix=prefix)
        return {
            "pay_urls": shared["pay_urls"],
            "to_pay": any(line.amount_residual > 0 for line in lines),
            "company": company,
            "customer": customer,
            "addressee": addressee,
            "doc_date": today,
            "payment_reference": reference,
            "bank": bank,
            "qr_code": self._statement_qr_code(bank, customer, company, lines, today, reference),
        }

    @api.model
    def _statement_reference_prefix(self, company):
        """What a customer's payment reference starts with: the code of the company's first sales journal, as
        Odoo's (its id when the code is not plain letters and digits)."""
        # the company's own journal and bank data, printed on its documents whoever prints them
        journal = self.env["account.journal"].sudo().search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1)
        return (journal.code if journal.code and journal.code.isascii() and journal.code.isalnum()
                else str(journal.id or ""))

    @api.model
    def _statement_payment_reference(self, partner, company, prefix=None):
        """The reference a customer quotes to pay a statement or a letter: its ISO 11649 (RF) creditor reference,
        made as Odoo makes an invoice's reference of the "European, based on customer" model
        (``account.move._get_invoice_reference_euro_partner``): the code of the company's first sales journal and
        the digits of the customer's reference, else its id. Invoices of a journal with that model carry the same
        reference, so the bank matching of Odoo finds the customer either way.

        :param prefix: ``_statement_reference_prefix(company)`` when already known
        """
        prefix = self._statement_reference_prefix(company) if prefix is None else prefix
        digits = "".join(char for char in partner.ref or "" if char.isdigit())[-21:] or str(partner.id)
        return format_structured_reference_iso(f"{prefix}{digits}"[-21:])

    @api.model
    def _statement_bank_account(self, company):
        """The company's bank account a customer pays into: the account of the company's first bank journal that
        has one, else the company's own bank account (``res.partner.bank``) in its currency, then any.

        :return: ``res.partner.bank``, empty when the company has none
        """
        journal = self.env["account.journal"].sudo().search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "bank"),
             ("bank_account_id", "!=", False)], limit=1)
        if journal:
            return journal.bank_account_id
        banks = company.sudo().partner_id.bank_ids.filtered(
            lambda bank: not bank.company_id or bank.company_id == company)
        return banks.sorted(lambda bank: (bool(bank.currency_id) and bank.currency_id != company.currency_id,
                                          not bank.allow_out_payment))[:1]

    @api.model
    def _statement_qr_code(self, bank, partner, company, lines, today, reference):
        """A payment QR code for the total due (Odoo's, e.g. the EPC/SEPA code of ``account_qr_code_sepa``) when a
        QR method is installed and the items are all in one currency with something to pay; else False."""
        if not bank or not bank.get_available_qr_methods_in_sequence():
            return False
        totals = self._debtor_items_table(lines, today)["totals"] if lines else []
        if len(totals) != 1 or totals[0][0].compare_amounts(totals[0][1]["total"], 0) <= 0:
            return False
        currency, figures = totals[0]
        return bank.build_qr_code_base64(figures["total"], reference, reference, currency, partner) or False

    def _create_fee_invoice(self, level, lines):
        """Invoice the interest and costs of ``lines``' invoices at ``level``, once per invoice and level.

        :return: the posted fee invoice, or an empty recordset when there is nothing (left) to charge
        """
        self.ensure_one()
        product = self.company_id.debtor_fee_product_id
        if not product:
            raise UserError(self.env._(
                "Level %(level)s creates fee invoices: choose the fee product in the settings of %(company)s.",
                level=level.name, company=self.company_id.name))
        Fee = self.env["debtor.followup.fee"].sudo()
        earlier = Fee.search([("move_id", "in", lines.move_id.ids)])
        charged = set(earlier.filtered(lambda fee: fee.level_id == level).move_id.ids)
        # costs are owed once per invoice; interest runs on, so only what earlier fees did not charge yet
        costs_done = set(earlier.filtered("costs").move_id.ids)
        interest_done = {}
        for fee in earlier:
            interest_done[fee.move_id.id] = interest_done.get(fee.move_id.id, 0.0) + fee.interest
        today = fields.Date.context_today(self)
        figures = self._late_payment_figures(lines, today)
        per_move = {}
        for line in lines:
            if line.move_id.id in charged:
                continue
            entry = per_move.setdefault(line.move_id, {"interest": 0.0, "costs": 0.0})
            entry["interest"] += figures[line.id]["interest_company"]
            if line.move_id.id not in costs_done:
                entry["costs"] += figures[line.id]["costs_company"]
        for move, entry in per_move.items():
            entry["interest"] = self.currency_id.round(max(entry["interest"] - interest_done.get(move.id, 0.0), 0.0))
        invoice_lines = []
        for move, amounts in per_move.items():
            for kind, label in (("interest", self.env._("Late-payment interest on %(move)s to %(date)s")),
                                ("costs", self.env._("Collection costs for %(move)s"))):
                if not self.currency_id.is_zero(amounts[kind]):
                    invoice_lines.append(fields.Command.create({
                        "product_id": product.id,
                        "name": label % {"move": move.name, "date": today},
                        "quantity": 1,
                        "price_unit": amounts[kind],
                    }))
        if not invoice_lines:
            return self.env["account.move"]
        fee_move = self.env["account.move"].sudo().with_company(self.company_id).create({
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.company_id.currency_id.id,
            "invoice_date": today,
            "invoice_origin": ", ".join(move.name for move in per_move),
            "invoice_line_ids": invoice_lines,
        })
        fee_move.action_post()
        Fee.create([{"move_id": move.id, "level_id": level.id, "fee_move_id": fee_move.id,
                     "company_id": self.company_id.id, **amounts} for move, amounts in per_move.items()])
        return fee_move

    # ------------------------------------------------------------------
    # Executing a level
    # ------------------------------------------------------------------
    def _followup_recipients(self):
        """The contacts a reminder goes to: the customer's invoicing contacts with an email, else the customer.

        :raise UserError: when nobody has a valid email address
        """
        self.ensure_one()
        partner = self.partner_id
        contacts = partner.child_ids.filtered(lambda c: c.type == "invoice" and c.email) or partner
        valid = contacts.filtered(lambda c: email_normalize(c.email))
        if not valid:
            raise UserError(self.env._(
                "%(customer)s has no valid email address (%(email)s): the reminder cannot be sent.",
                customer=partner.display_name, email=partner.email or self.env._("none")))
        return valid

    def _render_reminder(self, level, lines):
        """Render ``level``'s email for ``lines``: ``{'subject', 'body', 'email_from'}`` (the preview)."""
        self.ensure_one()
        return self._render_reminders(level, [(self, lines)])[0]

    @api.model
    def _render_reminders(self, level, items):
        """Render ``level``'s email for several customers at once, one template call per field.

        :param items: list of ``(debtor.customer, account.move.line)`` pairs, one customer at most once
        :return: one dict per item, in order: ``subject``, ``body`` (for the chatter), ``body_html`` (the body in
            the template's email layout, what the customer receives) and ``email_from``
        """
        partners = self.env["res.partner"].browse([customer.partner_id.id for customer, _lines in items])
        all_lines = self.env["account.move.line"].concat(*(lines for _customer, lines in items))
        today = fields.Date.context_today(self)
        template = level.mail_template_id.with_company(items[0][0].company_id).with_context(debtor_followup={
            "level_id": level.id,
            "lines_by_partner": {customer.partner_id.id: lines.ids for customer, lines in items},
            "customers": {customer.partner_id.id: customer.id for customer, _lines in items},
            "prefetch_line_ids": all_lines.ids,
            "pay_urls": all_lines.move_id._debtor_portal_urls(payable_only=not level.invoice_links),
            # the items tables of all the customers at once (the template asks for each customer's)
            "items_tables": dict(zip(
                (self._debtor_items_key(lines, today) for _customer, lines in items),
                self._debtor_items_tables([lines for _customer, lines in items], today), strict=True)),
        })
        rendered = {
            field: template._render_field(source, partners.ids, compute_lang=True)
            for field, source in (("subject", "subject"), ("body", "body_html"), ("email_from", "email_from"))
        }
        layout = level.mail_template_id.email_layout_xmlid or "mail.mail_notification_light"
        langs = template._render_lang(partners.ids) if template.lang else {}
        description = self.env["ir.model"]._get("res.partner").display_name
        result = []
        for (customer, _lines), partner in zip(items, partners, strict=True):
            values = {field: rendered[field][partner.id] or None for field in rendered}
            lang = langs.get(partner.id) or self.env.lang
            values["body_html"] = template.with_context(lang=lang)._render_encapsulate(
                layout, values["body"] or "",
                add_context={"company": customer.company_id, "model_description": description},
                context_record=partner.with_context(lang=lang),
            )
            result.append(values)
        return result

    def _statement_attachments(self):
        """Render the statements of these debtor files (one company) in one go, as PDF attachments owned by the
        debtor files. The reminder's message on the customer lists them; owned by the file (which controllers and
        managers may write, unlike the contact) the web client can store their thumbnail when it shows them.

        :return: ``{debtor file id: ir.attachment}``
        """
        contents = self.env["ir.actions.report"]._debtor_render_split(
            "debtor_followup.action_report_debtor_statement", self)
        attachments = self.env["ir.attachment"].sudo().create([{
            "name": self.env._("Statement - %(customer)s.pdf", customer=customer.partner_id.display_name),
            "raw": contents[customer.id],
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": customer.id,
        } for customer in self])
        return dict(zip(self.ids, attachments, strict=True))

    @api.model
    def _invoice_attachments(self, moves):
        """The PDF of each invoice for a reminder: the one Odoo keeps (``invoice_pdf_report_id``), else rendered once
        for all the invoices missing one and kept there as Odoo's own invoice PDF, so that every later reminder
        reuses it. The reminder gets a copy of it (same stored file): Odoo hides an attachment that is a field's
        content from the attachments of a message.

        :return: ``ir.attachment`` records, one per invoice, linked to their invoices
        """
        invoices = moves.filtered(lambda move: move.is_invoice() and move.state == "posted")
        missing = invoices.filtered(lambda move: not move.invoice_pdf_report_id)
        for company, company_moves in missing.grouped("company_id").items():
            contents = self.env["ir.actions.report"].with_company(company)._debtor_render_split(
                "account.account_invoices", company_moves)
            created = self.env["ir.attachment"].sudo().create([{
                "name": move._get_invoice_report_filename(),
                "raw": contents[move.id],
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": move.id,
                "res_field": "invoice_pdf_report_file",  # what Odoo's send flow does: it becomes the invoice's PDF
            } for move in company_moves])
            for move, attachment in zip(company_moves, created, strict=True):
                move.sudo().message_main_attachment_id = attachment
            company_moves.invalidate_recordset(["invoice_pdf_report_id", "invoice_pdf_report_file"])
        return invoices.sudo().invoice_pdf_report_id.copy({"res_field": False})

    def _check_reminded_items(self, level, lines):
        """Refuse to execute ``level`` on anything but open receivable items of this customer in its company."""
        self.ensure_one()
        if not lines:
            raise UserError(self.env._("There is nothing to remind %(customer)s of.",
                                       customer=self.partner_id.display_name))
        foreign = lines.filtered(
            lambda line: line.partner_id != self.partner_id or line.company_id != self.company_id
            or line.account_type != "asset_receivable" or line.reconciled or line.parent_state != "posted")
        if foreign:
            raise UserError(self.env._(
                "Only the open receivable items of %(customer)s in %(company)s can be reminded, not: %(items)s",
                customer=self.partner_id.display_name, company=self.company_id.name,
                items=", ".join(foreign.move_id.mapped("display_name"))))

    def _execute_level(self, level, lines, run=None, manual=False, send_email=None):
        """Execute ``level`` for ``lines`` of this customer: mail, letter, activity, chatter, history.

        Raises on failure (no email address, template error...) without having advanced anything.

        :param level: the ``debtor.followup.level`` to execute
        :param lines: open receivable ``account.move.line`` of this customer in this company
        :param run: the ``debtor.followup.run`` executing it (None for a person's action)
        :param bool manual: executed by a person
        :param send_email: override the level's email setting (None: as the level says)
        :return: the ``debtor.followup.action`` created
        """
        self.ensure_one()
        return self._execute_levels([(self, level, lines)], run=run, manual=manual, send_email=send_email,
                                    raise_on_error=True)

    @api.model
    def _execute_levels(self, items, run=None, manual=False, send_email=None, raise_on_error=False):
        """Execute follow-up levels for many customers at once: the nightly run's batch and a person's send.

        Each item's own checks, rendering and documents run first, isolated: an item that fails (no valid email
        address, a template that does not render, a PDF that cannot be made) is recorded as a failed action with
        its error and a note in the customer's chatter, and the others go on. What is left is written set-wise:
        one creation of all the emails (queued in Odoo's mail queue with their delivery notifications, logged in
        each customer's chatter), of all the activities, notes and actions, and one update of the items' levels
        per level, so a batch costs a fixed number of queries whatever its size.

        :param items: list of ``(debtor.customer, debtor.followup.level, account.move.line)``, a customer and
            level at most once
        :param run: the ``debtor.followup.run`` executing them (None for a person's action)
        :param bool manual: executed by a person
        :param send_email: override the levels' email setting (None: as each level says)
        :param bool raise_on_error: raise the first item's error instead of recording it (nothing is written)
        :return: the ``debtor.followup.action`` created, done and failed, in the order of ``items``; an automatic
            item whose customer was already reminded of its level today is left out (a no-op, noted on the run)
        """
        today = fields.Date.context_today(self)
        if not manual:
            items = self._drop_done_today(items, run, today)
        user_partner = self.env.user.partner_id
        jobs = [{
            "customer": customer, "level": level, "lines": lines, "error": None, "done": [],
            "send_email": level.send_email if send_email is None else send_email,
            "attachments": self.env["ir.attachment"], "fee_move": self.env["account.move"],
        } for customer, level, lines in items]

        def fail(job, error):
            if raise_on_error:
                raise error
            _logger.warning("Follow-up of %s (level %s) failed: %s", job["customer"].partner_id.display_name,
                            job["level"].name, error, exc_info=not isinstance(error, UserError))
            job["error"] = str(error) or repr(error)

        # read what the checks and the rendering need of all the items at once
        self.env["account.move.line"].concat(*(lines for _customer, _level, lines in items)).fetch([
            "partner_id", "company_id", "account_type", "reconciled", "parent_state", "move_id", "currency_id",
            "amount_residual", "amount_residual_currency", "amount_currency", "date_maturity", "date",
            "debtor_level_id"])
        for job in jobs:
            try:
                job["customer"]._check_reminded_items(job["level"], job["lines"])
                if job["send_email"]:
                    job["recipients"] = job["customer"]._followup_recipients()
            except UserError as error:
                fail(job, error)
        self._render_jobs([job for job in jobs if job["send_email"] and not job["error"]], fail)
        self._prepare_documents(jobs, fail)

        live = [job for job in jobs if not job["error"]]
        mails = self._create_reminder_mails([job for job in live if job["send_email"]], user_partner)
        self._create_level_activities([job for job in live if job["level"].create_activity], today)
        actions = self.env["debtor.followup.action"].sudo().create([{
            "partner_id": job["customer"].partner_id.id,
            "company_id": job["customer"].company_id.id,
            "level_id": job["level"].id,
            "run_id": run.id if run else False,
            "date": today,
            "manual": manual,
            "user_id": self.env.user.id,
            "state": "failed" if job["error"] else "done",
            "error": job["error"] or False,
            "line_ids": [fields.Command.set(job["lines"].ids)],
            "amount_due": sum(job["lines"].mapped("amount_residual")),
            "fee_move_id": job["fee_move"].id,
            "activity_id": job.get("activity", self.env["mail.activity"]).id,
            **({
                "mail_message_id": mails[job["mail_index"]].mail_message_id.id,
                "mail_template_id": job["level"].mail_template_id.id,
                "email_sent": True,
                "recipient_ids": [fields.Command.set(job["recipients"].ids)],
            } if "mail_index" in job else {}),
        } for job in jobs])
        for job, action in zip(jobs, actions, strict=True):
            job["action"] = action
        lettered = [job for job in jobs if job["level"].print_letter and not job["error"]]

        def letters(group):
            group_actions = actions.browse([job["action"].id for job in group])  # the system's, like their creation
            letters_by_action = group_actions._render_letters()
            for action in group_actions:
                action.letter_attachment_id = letters_by_action[action.id]
            for job in group:
                job["done"].append(self.env._("letter ready to print"))

        def letter_failed(job, error):
            fail(job, error)
            job["action"].error = self.env._("The letter could not be made: %(error)s", error=job["error"])

        self._in_batch(lettered, letters, letter_failed)
        self._log_job_notes(jobs, actions, user_partner)

        for level, group in self._group_by_level(live).items():
            # a level sent again by hand never moves an item back down (the run would send the higher ones again)
            lines = self.env["account.move.line"].concat(*(job["lines"] for job in group))
            lines.filtered(
                lambda line, level=level: not line.debtor_level_id or line.debtor_level_id.delay_days < level.delay_days
            )._debtor_set_level(level, today)
        postponed = self.concat(*(job["customer"] for job in live)).filtered(
            lambda customer: customer.postponed_until and customer.postponed_until <= today)
        if postponed:
            postponed.sudo().postponed_until = False
        return actions

    @api.model
    def _drop_done_today(self, items, run, today):
        """The automatic ``items`` whose customer was not reminded of their level on ``today`` yet.

        The same level twice the same day is a no-op, noted on ``run``: a customer re-entering a level it had
        this morning (a new invoice, a payment undone) gets it the next night, with the new items.
        """
        if not items:
            return items
        done = self.env["debtor.followup.action"].sudo().search_fetch([
            ("partner_id", "in", [customer.partner_id.id for customer, _level, _lines in items]),
            ("level_id", "in", [level.id for _customer, level, _lines in items]),
            ("date", "=", today), ("state", "=", "done"), ("manual", "=", False), ("merged_from", "=", False),
        ], ["partner_id", "company_id", "level_id"])
        reminded = {(action.partner_id.id, action.company_id.id, action.level_id.id) for action in done}
        kept = []
        for customer, level, lines in items:
            if (customer.partner_id.id, customer.company_id.id, level.id) not in reminded:
                kept.append((customer, level, lines))
            elif run:
                run._log_already_done(customer, level)
        return kept

    @api.model
    def _group_by_level(self, jobs):
        groups = defaultdict(list)
        for job in jobs:
            groups[job["level"]].append(job)
        return groups

    @api.model
    def _render_jobs(self, jobs, fail):
        """Render the emails of ``jobs`` level by level; a level whose batch fails is rendered item by item."""
        for level, group in self._group_by_level(jobs).items():
            if not level.mail_template_id:
                for job in group:
                    fail(job, UserError(self.env._("Level %(level)s has no email template.", level=level.name)))
                continue
            try:
                with self.env.cr.savepoint():
                    rendered = self._render_reminders(level, [(job["customer"], job["lines"]) for job in group])
            except Exception:
                rendered = []
                for job in group:
                    try:
                        with self.env.cr.savepoint():
                            rendered.append(self._render_reminders(level, [(job["customer"], job["lines"])])[0])
                    except Exception as error:
                        fail(job, error)
                        rendered.append(None)
            for job, values in zip(group, rendered, strict=True):
                if values is not None:
                    job["rendered"] = values

    @api.model
    def _prepare_documents(self, jobs, fail):
        """The fee invoices and the PDFs of ``jobs``: a fee invoice per job (a savepoint each), then the statements
        of all the jobs in one rendering and the invoices' PDFs likewise (see ``_debtor_render_split``). A rendering
        that fails for the batch is done job by job, so that only the job whose document fails is failed."""
        for job in jobs:
            customer, level, lines = job["customer"], job["level"], job["lines"]
            if not level.create_fee_invoice or job["error"]:
                continue
            try:
                with self.env.cr.savepoint():
                    job["fee_move"] = customer._create_fee_invoice(level, lines) or job["fee_move"]
            except Exception as error:
                job["fee_move"] = self.env["account.move"]
                fail(job, error)
                continue
            if job["fee_move"]:
                job["done"].append(self.env._("fee invoice %(move)s", move=job["fee_move"].name))
        mailed = [job for job in jobs if job["send_email"] and not job["error"]]

        def statements(group):
            customers = self.concat(*(job["customer"] for job in group))
            by_customer = customers._statement_attachments()
            for job in group:
                job["attachments"] |= by_customer[job["customer"].id]

        def invoices(group):
            pdfs = self._invoice_attachments(self.env["account.move"].concat(*(job["lines"].move_id for job in group)))
            for job in group:
                job["attachments"] |= pdfs.filtered(lambda pdf, job=job: pdf.res_id in job["lines"].move_id.ids)

        self._in_batch([job for job in mailed if job["level"].attach_statement], statements, fail)
        self._in_batch([job for job in mailed if job["level"].attach_invoices and not job["level"].invoice_links],
                       invoices, fail)

    @api.model
    def _in_batch(self, jobs, work, fail):
        """Do ``work(jobs)`` for all the jobs at once in a savepoint; when it fails, job by job, failing only the
        jobs whose own work fails."""
        if not jobs:
            return
        try:
            with self.env.cr.savepoint():
                work(jobs)
            return
        except Exception:
            _logger.info("Follow-up documents of %d customers failed together; making them one by one", len(jobs))
        for job in jobs:
            try:
                with self.env.cr.savepoint():
                    work([job])
            except Exception as error:
                fail(job, error)

    @api.model
    def _create_reminder_mails(self, jobs, author):
        """Queue the reminders of ``jobs`` in one go, each logged in its customer's chatter.

        What ``message_post`` does for one email, for all of them: the message on the customer (the chatter shows
        it with its recipients and delivery state), the outgoing ``mail.mail`` in the template's layout and the
        email notification of each recipient. Followers of the customer are not notified of reminders.
        """
        if not jobs:
            return self.env["mail.mail"]
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        partners = self.env["res.partner"].browse([job["customer"].partner_id.id for job in jobs])
        for job in jobs:
            job["email_from"] = job["rendered"]["email_from"] or author.email_formatted
        reply_to = partners.sudo()._notify_get_reply_to_batch(
            defaults={job["customer"].partner_id.id: job["email_from"] for job in jobs},
            author_ids=dict.fromkeys(partners.ids, author.id))
        mails = self.env["mail.mail"].sudo().create([{
            "model": "res.partner",
            "res_id": job["customer"].partner_id.id,
            "record_name": job["customer"].partner_id.display_name,
            "message_type": "comment",
            "subtype_id": comment,
            "author_id": author.id,
            "email_from": job["email_from"],
            "reply_to": reply_to[job["customer"].partner_id.id],
            "subject": job["rendered"]["subject"],
            "body": job["rendered"]["body"],
            "body_html": job["rendered"]["body_html"],
            "partner_ids": [fields.Command.set(job["recipients"].ids)],
            "recipient_ids": [fields.Command.set(job["recipients"].ids)],
            "attachment_ids": [fields.Command.set(job["attachments"].ids)],
            "mail_server_id": job["level"].mail_template_id.mail_server_id.id,
            "is_notification": True,
            "auto_delete": True,
            "state": "outgoing",
        } for job in jobs])
        self.env["mail.notification"].sudo().create([{
            "mail_message_id": mail.mail_message_id.id,
            "mail_mail_id": mail.id,
            "res_partner_id": recipient.id,
            "author_id": author.id,
            "notification_type": "email",
            "notification_status": "ready",
            "is_read": True,
        } for mail, job in zip(mails, jobs, strict=True) for recipient in job["recipients"]])
        for index, job in enumerate(jobs):
            job["mail_index"] = index
            job["done"].append(self.env._("email to %(to)s", to=", ".join(job["recipients"].mapped("email"))))
        return mails

    @api.model
    def _create_level_activities(self, jobs, today):
        """Schedule the activities of ``jobs`` on their customers, in one creation."""
        if not jobs:
            return
        model = self.env["ir.model"]._get_id("res.partner")
        users = [job["level"]._activity_user(job["customer"]) for job in jobs]
        activities = self.env["mail.activity"].sudo().create([{
            "res_model_id": model,
            "res_id": job["customer"].partner_id.id,
            "activity_type_id": job["level"].activity_type_id.id,
            "summary": job["level"].activity_summary or job["level"].name,
            "note": job["level"].activity_note,
            "user_id": user.id,
            "date_deadline": today + timedelta(days=job["level"].activity_deadline_days),
        } for job, user in zip(jobs, users, strict=True)])
        for job, user, activity in zip(jobs, users, activities, strict=True):
            job["activity"] = activity
            job["done"].append(self.env._("activity for %(user)s", user=user.name))

    @api.model
    def _log_job_notes(self, jobs, actions, author):
        """One chatter note per item that sent no email: what the level did, or why it failed."""
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        values = []
        for job, action in zip(jobs, actions, strict=True):
            if job["error"] and action.state == "failed":
                body = Markup("<p>%s</p>") % self.env._(
                    "The follow-up could not execute level %(level)s: %(error)s",
                    level=job["level"].name, error=job["error"])
            elif not job["send_email"]:
                body = Markup("<p>%s</p><ul>%s</ul>") % (
                    self.env._("Follow-up level %(level)s reached (%(done)s).", level=job["level"].name,
                               done=", ".join(job["done"]) or self.env._("no automatic action")),
                    Markup("").join(Markup("<li>%s</li>") % label for label in action._item_labels()),
                )
            else:
                continue
            values.append({
                "model": "res.partner",
                "res_id": job["customer"].partner_id.id,
                "body": body,
                "message_type": "comment",
                "subtype_id": note,
                "is_internal": True,
                "author_id": author.id,
            })
        if values:
            self.env["mail.message"].sudo().create(values)

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
        for customer in self:
            undelivered = failed.get((customer.partner_id.id, customer.company_id.id))
            warning = False
            if undelivered:
                warning = self.env._(
                    "%(count)s reminder(s) not delivered, the last one %(level)s of %(date)s: check the customer's "
                    "email address and the chatter.", count=len(undelivered), level=undelivered[0].level_id.name,
                    date=undelivered[0].date)
                if any(action.level_id.is_final_notice for action in undelivered):
                    warning += " " + self.env._("A final notice not delivered does not count as the formal notice.")
            customer.undelivered_warning = warning

    # ------------------------------------------------------------------
    # Partner merge
    # ------------------------------------------------------------------
    @api.model
    def _merge_partner_files(self, src_partners, dst_partner):
        """Move the follow-up history of ``src_partners`` to ``dst_partner`` before Odoo's partner merge updates
        the other foreign keys (see ``base.partner.merge.automatic.wizard._update_foreign_keys``).

        A debtor file moves to the surviving partner; where that partner already has one in the same company, the
        two are merged: the credit checks move, the stricter settings win (exclusion, manual reminders, hold),
        the empty ones are filled, and the merged file goes. The actions move, each keeping the name of the
        customer it reminded. Written in SQL like the merge itself (no history record is rewritten through the
        ORM, whose guards refuse it).
        """
        self.env.flush_all()
        Customer = self.sudo().with_context(active_test=False)
        targets = {customer.company_id.id: customer
                   for customer in Customer.search([("partner_id", "=", dst_partner.id)])}
        absorbed = self.browse()
        for customer in Customer.search([("partner_id", "in", src_partners.ids)], order="id"):
            target = targets.get(customer.company_id.id)
            if not target:
                self.env.cr.execute(SQL("UPDATE debtor_customer SET partner_id = %s WHERE id = %s",
                                        dst_partner.id, customer.id))
                targets[customer.company_id.id] = customer
                continue
            target._absorb_file(customer)
            absorbed |= customer
        for partner in src_partners:
            self.env.cr.execute(SQL(
                "UPDATE debtor_followup_action SET partner_id = %s, merged_from = COALESCE(merged_from, %s) "
                "WHERE partner_id = %s", dst_partner.id, partner.display_name, partner.id))
        if absorbed:
            self.env.cr.execute(SQL("DELETE FROM debtor_customer WHERE id IN %s", tuple(absorbed.ids)))
        self.env.invalidate_all()

    def _absorb_file(self, other):
        """Take over the credit checks and settings of ``other``, a debtor file of the same company."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            "UPDATE debtor_credit_check SET customer_id = %s, partner_id = %s WHERE customer_id = %s",
            self.id, self.partner_id.id, other.id))
        vals = {}
        for name in ("responsible_id", "policy_id", "late_payment_rule", "exclusion_note", "credit_hold_note"):
            if not self[name] and other[name]:
                vals[name] = other[name].id if isinstance(other[name], models.BaseModel) else other[name]
        if other.excluded and not self.excluded:
            vals["excluded"] = True
        if other.reminder_mode == "manual":
            vals["reminder_mode"] = "manual"
        if other.credit_hold and not self.credit_hold:
            vals["credit_hold"] = True
        if other.postponed_until and (not self.postponed_until or other.postponed_until > self.postponed_until):
            vals["postponed_until"] = other.postponed_until
        if vals:
            self.sudo().write(vals)
        self._post_note(self.env._(
            "Debtor file of %(customer)s merged into this one: its reminder history, credit checks and settings "
            "are kept here.", customer=other.partner_id.display_name))

    @api.model
    def _refresh_merged_files(self, partner):
        """After a partner merge: the figures, usual delays and last credit checks of ``partner``'s files."""
        self.env.invalidate_all()
        files = self.sudo().with_context(active_test=False).search([("partner_id", "=", partner.id)])
        for company in files.company_id:
            self._refresh(company, partner)
            self._refresh_usual_delays(company, partner)
        self.env.add_to_compute(self._fields["credit_check_id"], files)
        self.env.add_to_compute(self._fields["credit_external_check_id"], files)
        files.flush_recordset()

    def _post_note(self, body):
        """Post an internal note in the customer's chatter (as superuser, see ``_execute_level``)."""
        self.ensure_one()
        self.partner_id.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    credit_check_ids = fields.One2many(comodel_name="debtor.credit.check", inverse_name="customer_id",
                                       string="Credit Checks")
    credit_check_id = fields.Many2one(comodel_name="debtor.credit.check", string="Last Credit Check",
                                      compute="_compute_credit_check_id", store=True)
    credit_check_date = fields.Date(related="credit_check_id.date", string="Credit Check Date")
    credit_validity_days = fields.Integer(related="credit_check_id.validity_days", string="Valid For (days)")
    credit_expiry_date = fields.Date(related="credit_check_id.expiry_date", store=True, string="Credit Valid Until")
    credit_result = fields.Selection(related="credit_check_id.result", store=True, string="Credit Decision")
    credit_rating = fields.Selection(related="credit_check_id.rating", store=True, string="Credit Rating")
    credit_limit_proposal = fields.Monetary(related="credit_check_id.credit_limit_proposal")
    credit_note = fields.Text(related="credit_check_id.note", string="Credit Notes")
    credit_checked_by_id = fields.Many2one(related="credit_check_id.user_id", string="Checked By")
    credit_external_check_id = fields.Many2one(comodel_name="debtor.credit.check", string="Last External Report",
                                               compute="_compute_credit_check_id", store=True)
    credit_external_rating = fields.Char(related="credit_external_check_id.external_rating",
                                         string="External Rating")
    credit_external_source = fields.Char(related="credit_external_check_id.external_source",
                                         string="External Source")
    credit_external_score = fields.Integer(related="credit_external_check_id.external_score",
                                           string="External Score")
    credit_expired = fields.Boolean(string="Credit Check Expired", compute="_compute_credit_expired",
                                    search="_search_credit_expired")
    credit_score = fields.Integer(string="Internal Score", readonly=True,
                                  help="0-100, 100 = lowest risk; recomputed every night from the customer's history.")
    credit_score_date = fields.Date(string="Scored On", readonly=True)
    credit_score_explanation = fields.Html(string="Score Explanation", readonly=True)
    credit_score_rating = fields.Selection(selection=CREDIT_RATINGS, string="Rating of the Score",
                                           compute="_compute_credit_score_rating")
    credit_hold = fields.Boolean(string="Manual Credit Hold", readonly=True,
                                 help="Put on hold by a credit controller; only a Credit Manager releases it.")
    credit_hold_note = fields.Char(string="Hold Reason")
    credit_on_hold = fields.Boolean(string="On Credit Hold", compute="_compute_credit_on_hold",
                                    search="_search_credit_on_hold")
    credit_hold_reason = fields.Char(string="Why On Hold", compute="_compute_credit_on_hold")
    credit_limit = fields.Monetary(
        compute="_compute_credit_limit",
        inverse="_inverse_credit_limit",
        help="The customer's credit limit in this company (Odoo's partner credit limit, company currency). "
             "0: no limit. Only a Credit Manager changes it.",
    )
    credit_usage = fields.Monetary(
        string="Credit Used",
        compute="_compute_credit_usage",
        help="Open receivables plus draft invoices (less draft credit notes) in this company, company currency.",
    )
    credit_usage_percent = fields.Float(string="Credit Used (%)", compute="_compute_credit_usage")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("credit_check_ids.date", "credit_check_ids.source")
    def _compute_credit_check_id(self):
        for customer in self:
            checks = customer.credit_check_ids.sorted(
                lambda c: (c.date or fields.Date.to_date("1900-01-01"), c._origin.id or 0), reverse=True)
            customer.credit_check_id = checks[:1]
            customer.credit_external_check_id = checks.filtered(lambda c: c.source == "external")[:1]

    @api.depends("credit_expiry_date")
    @api.depends_context("date")
    def _compute_credit_expired(self):
        today = fields.Date.context_today(self)
        for customer in self:
            customer.credit_expired = bool(customer.credit_expiry_date) and customer.credit_expiry_date < today

    def _search_credit_expired(self, operator, value):
        if operator != "in":
            return NotImplemented
        return [("credit_expiry_date", "<", fields.Date.context_today(self))]

    @api.depends("credit_score", "credit_score_date")
    def _compute_credit_score_rating(self):
        for customer in self:
            customer.credit_score_rating = customer.credit_score_date and rating_for_score(customer.credit_score)

    @api.depends("credit_hold", "credit_hold_note", "credit_rating", "credit_score", "credit_score_date",
                 "oldest_overdue_days", "company_id.debtor_credit_hold_score",
                 "company_id.debtor_credit_hold_overdue_days")
    def _compute_credit_on_hold(self):
        for customer in self:
            reasons = customer._credit_hold_reasons()
            customer.credit_on_hold = bool(reasons)
            customer.credit_hold_reason = "; ".join(reasons) or False

    def _credit_hold_reasons(self):
        """Why this customer is on credit hold (empty: it is not)."""
        self.ensure_one()
        company = self.company_id
        reasons = []
        if self.credit_hold:
            reasons.append(self.env._("put on hold: %(note)s", note=self.credit_hold_note)
                           if self.credit_hold_note else self.env._("put on hold by hand"))
        if self.credit_rating == "E":
            reasons.append(self.env._("rated E"))
        threshold = company.debtor_credit_hold_score
        if threshold and self.credit_score_date and self.credit_score < threshold:
            reasons.append(self.env._("internal score %(score)s below %(threshold)s", score=self.credit_score,
                                      threshold=threshold))
        days = company.debtor_credit_hold_overdue_days
        if days and self.oldest_overdue_days > days:
            reasons.append(self.env._("%(days)s days overdue (more than %(limit)s)", days=self.oldest_overdue_days,
                                      limit=days))
        return reasons

    def _search_credit_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        domains = [Domain("credit_hold", "=", True), Domain("credit_rating", "=", "E")]
        companies = self.env["res.company"].sudo().search(
            ["|", ("debtor_credit_hold_score", ">", 0), ("debtor_credit_hold_overdue_days", ">", 0)])
        for company in companies:
            if company.debtor_credit_hold_score:
                domains.append(Domain([("company_id", "=", company.id), ("credit_score_date", "!=", False),
                                       ("credit_score", "<", company.debtor_credit_hold_score)]))
            if company.debtor_credit_hold_overdue_days:
                domains.append(Domain([("company_id", "=", company.id),
                                       ("oldest_overdue_days", ">", company.debtor_credit_hold_overdue_days)]))
        return Domain.OR(domains)

    @api.depends("partner_id", "company_id")
    def _compute_credit_limit(self):
        for customer in self:
            partner = customer.partner_id.sudo().with_company(customer.company_id)
            customer.credit_limit = partner.credit_limit if partner else 0.0

    def _inverse_credit_limit(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can set a customer's credit limit."))
        for customer in self:
            partner = customer.partner_id.sudo().with_company(customer.company_id)
            if customer.currency_id.compare_amounts(partner.credit_limit, customer.credit_limit) == 0:
                continue
            previous = partner.credit_limit
            partner.credit_limit = customer.credit_limit
            customer._post_note(self.env._(
                "Credit limit in %(company)s set to %(limit)s by %(user)s (was %(previous)s).",
                company=customer.company_id.name, limit=customer.currency_id.format(customer.credit_limit),
                user=self.env.user.name, previous=customer.currency_id.format(previous)))

    @api.depends("partner_id", "company_id", "total_due")
    def _compute_credit_usage(self):
        for company, customers in self.grouped("company_id").items():
            usage = self._credit_exposure(company, customers.partner_id)
            for customer in customers:
                customer.credit_usage = usage.get(customer.partner_id.id, 0.0)
                limit = customer.credit_limit
                customer.credit_usage_percent = 100.0 * customer.credit_usage / limit if limit else 0.0

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_credit_hold(self):
        """Put these customers on credit hold (any credit controller); the reason is required."""
        self.check_access("write")
        for customer in self:
            if not customer.credit_hold_note:
                raise UserError(self.env._("Write down why %(customer)s goes on credit hold first.",
                                           customer=customer.partner_id.display_name))
        # credit_hold is read-only in the views: it changes through these two buttons only
        self.sudo().credit_hold = True
        for customer in self:
            customer._post_note(self.env._("Credit hold in %(company)s by %(user)s: %(reason)s",
                                           company=customer.company_id.name, user=self.env.user.name,
                                           reason=customer.credit_hold_note))

    def action_credit_release(self):
        """Release the manual credit hold of these customers (Credit Managers only)."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can release a credit hold."))
        self.sudo().write({"credit_hold": False, "credit_hold_note": False})
        for customer in self:
            customer._post_note(self.env._("Credit hold in %(company)s released by %(user)s.",
                                           company=customer.company_id.name, user=self.env.user.name))

    def action_record_credit_check(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Credit Check"),
            "res_model": "debtor.credit.check",
            "view_mode": "form",
            "target": "new",
            "context": {"default_customer_id": self.id, "default_credit_limit_proposal": self.credit_limit},
        }

    def action_import_credit_report(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Credit Report"),
            "res_model": "debtor.credit.report.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_customer_id": self.id},
        }

    def action_open_credit_checks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_credit_check_action")
        action["domain"] = [("customer_id", "=", self.id)]
        action["context"] = {"default_customer_id": self.id}
        return action

    def action_compute_credit_score(self):
        """Recompute the internal score of these customers now."""
        self.check_access("write")
        today = fields.Date.context_today(self)
        Check = self.env["debtor.credit.check"]
        for company, customers in self.grouped("company_id").items():
            self._write_credit_scores(company, Check._internal_scores(company, customers.partner_id, today), today)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _credit_file(self, partners, company):
        """The debtor files of ``partners``' commercial entities in ``company``, created when missing."""
        partners = partners.commercial_partner_id
        files = self.search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])
        missing = partners - files.partner_id
        if missing:
            created = self.sudo().with_context(tracking_disable=True).create(
                [{"partner_id": partner.id, "company_id": company.id} for partner in missing])
            files |= created.with_env(self.env)
        return files

    @api.model
    def _credit_exposure(self, company, partners, exclude_moves=None):
        """What ``partners`` owe and are about to owe ``company``: open receivables plus draft customer invoices
        less draft credit notes, in the company's currency. Two grouped queries.

        :param partners: commercial partners
        :param exclude_moves: draft moves to leave out (the caller adds their current amounts itself)
        :return: ``{partner id: amount}``
        """
        partners = partners._origin
        if not partners:
            return {}
        open_amounts = dict(self.env["account.move.line"].sudo()._read_group(
            self._open_lines_domain(company, partners), ["partner_id"], ["amount_residual:sum"]))
        draft_domain = [("company_id", "=", company.id), ("state", "=", "draft"),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("commercial_partner_id", "in", partners.ids)]
        if exclude_moves:
            draft_domain.append(("id", "not in", exclude_moves._origin.ids))
        drafts = dict(self.env["account.move"].sudo()._read_group(
            draft_domain, ["commercial_partner_id"], ["amount_total_signed:sum"]))
        return {partner.id: open_amounts.get(partner, 0.0) + drafts.get(partner, 0.0) for partner in partners}

    def _credit_refusals(self):
        """Why posting a new invoice for this customer goes against its credit status (hold, refused or expired
        check), besides the limit; an empty list when nothing does."""
        self.ensure_one()
        reasons = []
        if self.credit_on_hold:
            reasons.append(self.env._("%(customer)s is on credit hold (%(reason)s).",
                                      customer=self.partner_id.display_name, reason=self.credit_hold_reason))
        if self.credit_result == "refused":
            reasons.append(self.env._("The last credit check of %(customer)s (%(date)s) refused credit.",
                                      customer=self.partner_id.display_name, date=self.credit_check_date))
        elif self.credit_expired:
            reasons.append(self.env._("The credit check of %(customer)s expired on %(date)s.",
                                      customer=self.partner_id.display_name, date=self.credit_expiry_date))
        return reasons

    @api.model
    def _write_credit_scores(self, company, scores, today):
        """Store internal scores on the debtor files of ``company``.

        :param scores: ``{partner id: {"score", "explanation", ...}}`` as ``debtor.credit.check._internal_scores``
        """
        if not scores:
            return
        files = self.with_context(active_test=False).search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", list(scores))], ["partner_id"])
        self._bulk_write(SCORE_COLUMNS, [
            [file.id, scores[file.partner_id.id]["score"], today, str(scores[file.partner_id.id]["explanation"])]
            for file in files])
