from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

from .debtor_credit_check import MANAGER_GROUP
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

    @api.depends("amount_residual", "invoice_date_due", "partner_id")
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
        handed_over = self._debtor_handed_over()
        if handed_over:
            raise UserError(self.env._(
                "%(invoices)s are handed over to a collection agency: withdraw the handover before changing them.",
                invoices=", ".join(handed_over.mapped("name"))))
        lines = self.line_ids
        res = super().button_draft()
        lines._debtor_refresh_customers()
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

    debtor_credit_override_reason = fields.Char(
        string="Credit Override Reason",
        copy=False,
        help="Set by a Credit Manager: lets this invoice be posted although credit control blocks it. The reason "
             "is logged in the chatter when the invoice is posted.",
    )
    debtor_credit_override_user_id = fields.Many2one(comodel_name="res.users", string="Credit Override By",
                                                     readonly=True, copy=False)
    debtor_credit_limit = fields.Monetary(string="Customer Credit Limit", compute="_compute_debtor_credit",
                                          currency_field="company_currency_id")
    debtor_credit_usage = fields.Monetary(
        string="Customer Credit Used", compute="_compute_debtor_credit", currency_field="company_currency_id",
        help="The customer's open receivables plus its draft invoices in this company, this invoice included.")
    debtor_credit_on_hold = fields.Boolean(string="Customer On Credit Hold", compute="_compute_debtor_credit")
    debtor_credit_warning = fields.Text(compute="_compute_debtor_credit")

    @api.depends("partner_id", "company_id", "move_type", "state", "amount_total_signed")
    @api.depends_context("date")
    def _compute_debtor_credit(self):
        for move in self:
            move.debtor_credit_limit = 0.0
            move.debtor_credit_usage = 0.0
            move.debtor_credit_on_hold = False
            move.debtor_credit_warning = False
        invoices = self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund") and m.commercial_partner_id)
        for move, (customer, limit, usage) in invoices._debtor_credit_state().items():
            move.debtor_credit_limit = limit
            move.debtor_credit_usage = usage
            move.debtor_credit_on_hold = bool(customer.credit_on_hold)
            if move.move_type == "out_invoice" and move.state == "draft":
                reasons = move._debtor_credit_reasons(customer, limit, usage, banner=True)
                if customer.credit_result == "cash_in_advance":
                    reasons.append(self.env._("The last credit check asks for payment in advance."))
                move.debtor_credit_warning = "\n".join(reasons) or False

    @api.depends("debtor_credit_warning")
    def _compute_alerts(self):
        return super()._compute_alerts()

    def _get_alerts(self):
        alerts = super()._get_alerts()
        if self.debtor_credit_warning and self.env.user.has_groups(
                "account.group_account_readonly,account.group_account_invoice"):
            alerts["debtor_credit_warning"] = {
                "level": "danger" if self.debtor_credit_on_hold else "warning",
                "message": self.env._("Credit control: %(reasons)s", reasons=self.debtor_credit_warning),
            }
        return alerts

    def _debtor_credit_state(self):
        """The credit figures of the customers of these customer invoices, grouped queries per company.

        Usage counts the unsaved amounts of draft invoices being edited in place of their stored ones.

        :return: ``{move: (debtor file or empty recordset, credit limit, credit usage)}``, company currency
        """
        state = {}
        Customer = self.env["debtor.customer"]
        for company, moves in self.grouped("company_id").items():
            partners = moves.commercial_partner_id._origin
            drafts = moves.filtered(lambda m: m.state == "draft")
            usage = Customer._credit_exposure(company, partners, exclude_moves=drafts)
            for draft in drafts:
                key = draft.commercial_partner_id._origin.id
                usage[key] = usage.get(key, 0.0) + draft.amount_total_signed
            files = Customer.sudo().search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])
            by_partner = {customer.partner_id: customer for customer in files}
            for move in moves:
                partner = move.commercial_partner_id._origin
                limit = partner.sudo().with_company(company).credit_limit
                state[move] = (by_partner.get(partner, Customer), limit, usage.get(partner.id, 0.0))
        return state

    def _debtor_credit_reasons(self, customer, limit, usage, banner=False):
        """Why posting this invoice goes against the customer's credit status (empty: nothing does).

        :param customer: the customer's debtor file in the invoice's company (may be empty)
        :param float limit: the customer's credit limit (0: none)
        :param float usage: the customer's credit use, this invoice included
        :param bool banner: for the invoice's banner, which leaves the limit to Odoo's own credit limit warning
            when the company shows it
        """
        self.ensure_one()
        reasons = customer._credit_refusals() if customer else []
        currency = self.company_currency_id
        if limit and currency.compare_amounts(usage, limit) > 0 and not (banner and self.partner_credit_warning):
            reasons.append(self.env._(
                "%(customer)s would owe %(usage)s, over its credit limit of %(limit)s.",
                customer=self.commercial_partner_id.display_name, usage=currency.format(usage),
                limit=currency.format(limit)))
        return reasons

    def _debtor_credit_problems(self):
        """The credit control reasons against posting each of these customer invoices now.

        :return: ``{move: [reason, ...]}`` for the invoices with at least one reason
        """
        problems = {}
        for move, (customer, limit, usage) in self._debtor_credit_state().items():
            reasons = move._debtor_credit_reasons(customer, limit, usage)
            if reasons:
                problems[move] = reasons
        return problems

    # ------------------------------------------------------------------
    # CRUD and posting
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

    def _debtor_check_override_access(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can override the credit control of an invoice."))

    def _post(self, soft=True):
        """Apply the company's credit control to the customer invoices posted by a person, then refresh the
        debtor files of the customers posted to.

        Entries posted by the system (superuser: automatic postings, fee invoices of the nightly run) are not
        checked, nor are future-dated invoices only scheduled for posting (``soft``), nor credit notes.
        """
        today = fields.Date.context_today(self)
        to_check = self.browse() if self.env.su else self.filtered(
            lambda m: m.move_type == "out_invoice" and m.company_id.debtor_credit_enforcement != "off"
            and not (soft and m.date and m.date > today))
        problems = to_check._debtor_credit_problems() if to_check else {}
        blocked = {move: reasons for move, reasons in problems.items()
                   if move.company_id.debtor_credit_enforcement == "block" and not move.debtor_credit_override_reason}
        if blocked:
            raise UserError("\n\n".join(self.env._(
                "%(invoice)s cannot be posted: credit control blocks it.\n- %(reasons)s\nA Credit Manager can "
                "override this by entering a Credit Override Reason on the invoice.",
                invoice=move.display_name, reasons="\n- ".join(reasons)) for move, reasons in blocked.items()))
        posted = super()._post(soft=soft)
        for move in posted:
            if move in problems:
                move._debtor_log_credit_control(problems[move])
        posted.line_ids._debtor_refresh_customers()
        return posted

    def _debtor_log_credit_control(self, reasons):
        """Leave the trace of an invoice posted against credit control in its chatter."""
        self.ensure_one()
        items = Markup("").join(Markup("<li>%s</li>") % reason for reason in reasons)
        if self.debtor_credit_override_reason:
            intro = self.env._(
                "Posted over credit control by %(user)s, overridden by %(manager)s: %(reason)s",
                user=self.env.user.name, manager=self.debtor_credit_override_user_id.name or self.env.user.name,
                reason=self.debtor_credit_override_reason)
        else:
            intro = self.env._("Posted by %(user)s despite credit control:", user=self.env.user.name)
        self.message_post(body=Markup("<p>%s</p><ul>%s</ul>") % (intro, items), message_type="comment",
                          subtype_xmlid="mail.mt_note")
