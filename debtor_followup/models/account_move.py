
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .debtor_customer import LATE_PAYMENT_RULES
from .debtor_handover import IN_COLLECTION_STATES


class AccountMove(models.Model):
    """Follow-up level, exclusion and history of a customer invoice, summed up from its receivable items."""

    _inherit = "account.move"

    debtor_level_id = fields.Many2one(
        comodel_name="debtor.followup.level",
        string="Follow-up Level",
        compute="_compute_debtor_level_id",
        store=True,
        index="btree_not_null",
        help="The highest follow-up level any installment of this invoice has reached.",
    )
    debtor_last_action_date = fields.Date(string="Last Follow-up", compute="_compute_debtor_level_id", store=True)
    debtor_excluded = fields.Boolean(
        string="Excluded from Follow-up",
        compute="_compute_debtor_excluded",
        inverse="_inverse_debtor_excluded",
        help="Excluded by hand: no reminder for this invoice until the flag is removed.",
    )
    debtor_action_count = fields.Integer(compute="_compute_debtor_action_count")
    debtor_dispute_ids = fields.One2many(comodel_name="debtor.dispute", inverse_name="move_id", string="Disputes")
    debtor_dispute_count = fields.Integer(compute="_compute_debtor_dispute_state")
    debtor_plan_ids = fields.Many2many(comodel_name="debtor.payment.plan", relation="debtor_payment_plan_move_rel",
                                       column1="move_id", column2="plan_id", string="Payment Plans", readonly=True,
                                       copy=False)
    debtor_plan_count = fields.Integer(compute="_compute_debtor_plan_count")
    debtor_owed_rule = fields.Selection(selection=LATE_PAYMENT_RULES, string="Late-Payment Rules Applied",
                                        compute="_compute_debtor_owed")
    debtor_owed_interest = fields.Monetary(string="Interest to Date", compute="_compute_debtor_owed")
    debtor_owed_costs = fields.Monetary(string="Collection Costs", compute="_compute_debtor_owed")
    debtor_owed_total = fields.Monetary(string="Total Owed", compute="_compute_debtor_owed",
                                        help="What the customer owes today: open amount, interest and costs.")
    debtor_owed_note = fields.Char(compute="_compute_debtor_owed")
    debtor_handover_line_ids = fields.One2many(
        comodel_name="debtor.handover.line", inverse_name="move_id", string="Handovers", readonly=True,
        groups="debtor_followup.group_debtor_controller")
    debtor_in_collection = fields.Boolean(
        string="In Collection", compute="_compute_debtor_in_collection", store=True,
        help="Handed over to a collection agency: the company sends no reminder for it.")
    debtor_handover_id = fields.Many2one(comodel_name="debtor.handover", string="Handover",
                                         compute="_compute_debtor_handover_id",
                                         groups="debtor_followup.group_debtor_controller")
    debtor_dispute_state = fields.Selection(
        selection=[("open", "In dispute"), ("investigation", "Dispute under investigation")],
        string="Dispute",
        compute="_compute_debtor_dispute_state",
    )

    @api.depends("line_ids.debtor_level_id", "line_ids.debtor_last_action_date")
    def _compute_debtor_level_id(self):
        for move in self:
            lines = move.line_ids.filtered("debtor_level_id")
            move.debtor_level_id = max(lines.debtor_level_id, key=lambda level: level.delay_days, default=False)
            move.debtor_last_action_date = max(filter(None, lines.mapped("debtor_last_action_date")), default=False)

    @api.depends("line_ids.debtor_manual_exclusion")
    def _compute_debtor_excluded(self):
        for move in self:
            receivable = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            move.debtor_excluded = bool(receivable) and all(receivable.mapped("debtor_manual_exclusion"))

    def _inverse_debtor_excluded(self):
        for move in self:
            move.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).debtor_manual_exclusion = move.debtor_excluded

    def _compute_debtor_action_count(self):
        actions = self.env["debtor.followup.action"].search_fetch(
            [("line_ids.move_id", "in", self.ids), ("state", "=", "done")], ["line_ids"])
        per_move = dict.fromkeys(self.ids, 0)
        for action in actions:
            for move_id in set(action.line_ids.move_id.ids) & per_move.keys():
                per_move[move_id] += 1
        for move in self:
            move.debtor_action_count = per_move.get(move.id, 0)

    @api.depends("debtor_dispute_ids.state")
    def _compute_debtor_dispute_state(self):
        for move in self:
            disputes = move.debtor_dispute_ids
            move.debtor_dispute_count = len(disputes)
            current = disputes.filtered(lambda d: d.state in ("open", "investigation"))[:1]
            move.debtor_dispute_state = current.state if current else False

    # Computed when read, from the reconciliations (dated payments). Not declared as @api.depends on the items'
    # amounts: Odoo would then walk these fields on every change of any amount of any entry (the closure of
    # amount_residual's own dependencies), a cost on all of Odoo's flows. The flows that change what they read
    # (posting, matching, unmatching, editing items) forget them instead: debtor.customer._forget_item_figures.
    @api.depends("partner_id", "line_ids")
    @api.depends_context("date")
    def _compute_debtor_owed(self):
        today = fields.Date.context_today(self)
        lines = self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
            and line.amount_residual > 0 and line.date_maturity and line.date_maturity < today
            and line.move_id.state == "posted")
        figures = self.env["debtor.customer"]._late_payment_figures(lines, today) if lines else {}
        for move in self:
            mine = [figures[line.id] for line in lines if line.move_id == move]
            move.debtor_owed_rule = mine[0]["rule"] if mine else False
            move.debtor_owed_interest = sum(f["interest"] for f in mine)
            move.debtor_owed_costs = sum(f["costs"] for f in mine)
            move.debtor_owed_total = move.amount_residual + move.debtor_owed_interest + move.debtor_owed_costs
            move.debtor_owed_note = "; ".join({f["note"] for f in mine if f["note"]}) or False

    @api.depends("debtor_handover_line_ids.state")
    def _compute_debtor_in_collection(self):
        # whoever's action changes a handover, the flag follows (invoicing users do not read handovers)
        for move in self:
            current = move.sudo()._debtor_current_handover()
            move.debtor_in_collection = current.state in IN_COLLECTION_STATES if current else False

    @api.depends("debtor_handover_line_ids.state")
    def _compute_debtor_handover_id(self):
        for move in self:
            move.debtor_handover_id = move._debtor_current_handover()

    def _debtor_handed_over(self):
        """Those of these invoices that are in a handover (any but a withdrawn one), whoever asks."""
        if not self:
            return self
        lines = self.env["debtor.handover.line"].sudo().search_fetch(
            [("move_id", "in", self.ids), ("state", "!=", "withdrawn")], ["move_id"])
        return self.browse(lines.move_id.ids)

    def _debtor_current_handover(self):
        """The handover this invoice is in (any but a withdrawn one), or an empty recordset."""
        self.ensure_one()
        lines = self.debtor_handover_line_ids.filtered(lambda line: line.state != "withdrawn")
        return lines.sorted("id")[-1:].handover_id

    @api.depends("debtor_plan_ids")
    def _compute_debtor_plan_count(self):
        for move in self:
            move.debtor_plan_count = len(move.debtor_plan_ids)

    def action_debtor_open_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_payment_plan_action")
        action["domain"] = [("move_ids", "in", self.ids)]
        action["context"] = {}
        return action

    def action_debtor_open_handover(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "debtor.handover",
                "res_id": self.debtor_handover_id.id, "view_mode": "form"}

    def button_draft(self):
        if not self:  # Odoo resets empty sets of entries to draft when it unlinks nothing (payments, matches)
            return super().button_draft()
        handed_over = self._debtor_handed_over()
        if handed_over:
            raise UserError(self.env._(
                "%(invoices)s are handed over to a collection agency: withdraw the handover before changing them.",
                invoices=", ".join(handed_over.mapped("name"))))
        lines = self.line_ids
        res = super().button_draft()
        self.env["debtor.customer"]._refresh_later_for(lines)
        return res

    def action_debtor_open_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_followup_action_action")
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        return action

    def action_debtor_raise_dispute(self):
        """Open a new dispute on this invoice (in a dialog)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Raise Dispute"),
            "res_model": "debtor.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_debtor_open_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("debtor_followup.debtor_dispute_action")
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"default_move_id": self.id}
        return action

    def _debtor_portal_pay_urls(self):
        """``{move id: pay-online address or False}``: the invoices' portal pages where they can be paid online (a
        payment provider of their company is enabled or in test mode)."""
        return self._debtor_portal_urls(payable_only=True)

    def _debtor_portal_urls(self, payable_only=False):
        """``{move id: address or False}``: the page of each posted customer invoice on the customer portal, where
        the customer sees it, downloads its PDF and pays it where a payment provider is enabled. A fixed number of
        queries: invoices without a portal access token get one, all in one update.

        :param bool payable_only: only the invoices that can be paid online
        """
        urls = dict.fromkeys(self.ids, False)
        invoices = self.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted")
        if payable_only and invoices:
            if "payment.provider" not in self.env:
                return urls
            online = {company.id for [company] in self.env["payment.provider"].sudo()._read_group(
                [("state", "in", ("enabled", "test")), ("company_id", "in", invoices.company_id.ids)],
                ["company_id"])}
            invoices = invoices.filtered(lambda move: move.company_id.id in online)
        if not invoices:
            return urls
        missing = invoices.filtered(lambda move: not move.access_token)
        if missing:
            # what portal.mixin._portal_ensure_token does record by record, in one statement
            self.env.cr.execute(SQL(
                """UPDATE account_move SET access_token = gen_random_uuid()::text
                    WHERE id IN %s AND access_token IS NULL""",
                tuple(missing.ids)))
            missing.invalidate_recordset(["access_token"])
        for move in invoices:
            urls[move.id] = move.get_base_url() + move.get_portal_url()
        return urls

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("debtor_credit_override_user_id") and not self.env.su:
                raise UserError(self.env._("Who overrode the credit control is recorded with the override reason."))
            if vals.get("debtor_plan_ids") and not self.env.su:
                raise UserError(self.env._(
                    "The invoices of a payment plan are chosen on the plan, while it is a draft."))
            if vals.get("debtor_credit_override_reason"):
                self._debtor_check_override_access()
                vals["debtor_credit_override_user_id"] = self.env.user.id
        return super().create(vals_list)

    def write(self, vals):
        if "debtor_credit_override_user_id" in vals and not self.env.su:
            # an audit field: set with the reason below, never named by hand
            raise UserError(self.env._("Who overrode the credit control is recorded with the override reason."))
        if "debtor_plan_ids" in vals and not self.env.su:
            # the relation is the plan's: written here, it would bypass the plan's controls
            raise UserError(self.env._("The invoices of a payment plan are chosen on the plan, while it is a draft."))
        if "debtor_credit_override_reason" in vals:
            reason = vals["debtor_credit_override_reason"] or False
            if any((move.debtor_credit_override_reason or False) != reason for move in self):
                self._debtor_check_override_access()
                vals = {**vals, "debtor_credit_override_user_id": self.env.user.id if reason else False}
        return super().write(vals)
