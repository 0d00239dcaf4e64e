from datetime import timedelta

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from ..models.debtor_credit_check import MANAGER_GROUP
from ..models.debtor_handover import EXPORT_FORMATS


class DebtorHandoverWizard(models.TransientModel):
    """Hand a customer's overdue invoices over to a collection agency (Credit Managers).

    Opened from the debtor file (prominent once the customer is due for its policy's last level), the customer or
    selected invoices. It checks that the formal notice was sent about every invoice and that the company's waiting
    period after it has passed; otherwise it refuses with the reasons, unless the manager overrides them with a
    reason (logged). Some things cannot be overridden: invoices that are not the customer's open invoices, in
    dispute, in an active payment plan or already handed over, several currencies, an invalid identifier or an
    incomplete address.
    """

    _name = "debtor.handover.wizard"
    _description = "Hand Over to Collection"

    customer_id = fields.Many2one(comodel_name="debtor.customer", string="Debtor File", required=True)
    partner_id = fields.Many2one(related="customer_id.partner_id")
    company_id = fields.Many2one(related="customer_id.company_id")
    agency_id = fields.Many2one(
        comodel_name="res.partner", required=True,
        domain=[("debtor_is_collection_agency", "=", True)],
        compute="_compute_agency_id", store=True, readonly=False, precompute=True,
    )
    agency_contact_id = fields.Many2one(comodel_name="res.partner",
                                        compute="_compute_agency_contact", store=True, readonly=False,
                                        precompute=True)
    export_format = fields.Selection(selection=EXPORT_FORMATS, compute="_compute_agency_contact", store=True,
                                     readonly=False, precompute=True, required=True)
    move_ids = fields.Many2many(
        comodel_name="account.move",
        string="Invoices",
        domain="[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
               "('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
               "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_figures")
    principal_amount = fields.Monetary(string="Principal", compute="_compute_figures")
    interest_amount = fields.Monetary(string="Interest", compute="_compute_figures")
    costs_amount = fields.Monetary(string="Costs", compute="_compute_figures")
    total_amount = fields.Monetary(string="Total Claimed", compute="_compute_figures")
    notice_date = fields.Date(string="Formal Notice Sent On", compute="_compute_checks")
    wait_until = fields.Date(string="Waiting Period Ends", compute="_compute_checks",
                             help="The handover is possible from the day after.")
    blocking = fields.Text(string="Cannot Be Handed Over", compute="_compute_checks")
    issues = fields.Text(string="Preconditions Not Met", compute="_compute_checks")
    override = fields.Boolean(string="Override the Preconditions")
    override_reason = fields.Text()

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        Customer = self.env["debtor.customer"]
        model, ids = context.get("active_model"), context.get("active_ids") or (
            [context["active_id"]] if context.get("active_id") else [])
        if model == "account.move" and ids:
            moves = self.env["account.move"].browse(ids)
            if len(moves.commercial_partner_id) > 1 or len(moves.company_id) > 1:
                raise UserError(self.env._("A handover is for one customer in one company: select the invoices "
                                           "of one customer."))
            customer = Customer._credit_file(moves.commercial_partner_id, moves.company_id)
            values.update(customer_id=customer.id, move_ids=[(6, 0, moves.ids)])
        elif model == "res.partner" and ids:
            partner = self.env["res.partner"].browse(ids[:1])
            customer = Customer._credit_file(partner, self.env.company)
            values.update(customer_id=customer.id, move_ids=[(6, 0, self._default_moves(customer).ids)])
        elif model == "debtor.customer" and ids:
            customer = Customer.browse(ids[:1])
            values.update(customer_id=customer.id, move_ids=[(6, 0, self._default_moves(customer).ids)])
        return values

    @api.model
    def _default_moves(self, customer):
        """The customer's overdue invoices that can be handed over (not in dispute, a plan or another handover)."""
        lines = customer.line_ids.filtered(
            lambda line: line.amount_residual > 0 and line.debtor_overdue_days > 0
            and line.debtor_exclusion_reason not in ("dispute", "plan", "collection"))
        return lines.move_id.filtered(lambda move: move.move_type == "out_invoice")

    @api.depends("customer_id")
    def _compute_agency_id(self):
        for wizard in self:
            wizard.agency_id = wizard.agency_id or wizard.company_id.debtor_handover_agency_id

    @api.depends("agency_id")
    def _compute_agency_contact(self):
        for wizard in self:
            wizard.agency_contact_id = wizard.agency_id.debtor_agency_contact_id or wizard.agency_id
            wizard.export_format = wizard.agency_id.debtor_agency_export_format or "xml"

    @api.depends("move_ids")
    def _compute_figures(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            moves = wizard.move_ids._origin
            wizard.currency_id = moves[:1].currency_id or wizard.company_id.currency_id
            values = self.env["debtor.handover"]._line_values(moves, today) if moves else []
            wizard.principal_amount = sum(vals["principal"] for vals in values)
            wizard.interest_amount = sum(vals["interest"] for vals in values)
            wizard.costs_amount = sum(vals["costs"] for vals in values)
            wizard.total_amount = wizard.principal_amount + wizard.interest_amount + wizard.costs_amount

    @api.depends("move_ids", "customer_id", "agency_id")
    @api.depends_context("date")
    def _compute_checks(self):
        for wizard in self:
            blocking, issues, notice_date, wait_until = wizard._check_preconditions()
            wizard.blocking = "\n".join(blocking) or False
            wizard.issues = "\n".join(issues) or False
            wizard.notice_date = notice_date
            wizard.wait_until = wait_until

    # ------------------------------------------------------------------
    # Preconditions
    # ------------------------------------------------------------------
    def _check_preconditions(self):
        """What stands against handing these invoices over today.

        :return: ``(blocking, issues, notice date, end of the waiting period)``: ``blocking`` lists what nobody can
            override, ``issues`` what a Credit Manager may override with a reason (formal notice not sent, waiting
            period not over, open promise to pay); the dates are those of the latest formal notice covering every
            invoice, or False
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        moves = self.move_ids._origin
        partner = self.partner_id
        company = self.company_id
        blocking, issues = [], []
        if not moves:
            blocking.append(self.env._("Choose the invoices to hand over."))
        if self.agency_id and not self.agency_id.debtor_is_collection_agency:
            blocking.append(self.env._("%(agency)s is not flagged as a collection agency.",
                                       agency=self.agency_id.display_name))
        foreign = moves.filtered(lambda m: m.commercial_partner_id != partner or m.company_id != company
                                 or m.move_type != "out_invoice" or m.state != "posted")
        if foreign:
            blocking.append(self.env._(
                "Only posted invoices of %(customer)s in %(company)s can be handed over, not %(invoices)s.",
                customer=partner.display_name, company=company.name, invoices=", ".join(foreign.mapped("name"))))
        paid = (moves - foreign).filtered(lambda m: m.currency_id.is_zero(m.amount_residual))
        if paid:
            blocking.append(self.env._("%(invoices)s owe nothing any more.", invoices=", ".join(paid.mapped("name"))))
        if len(moves.currency_id) > 1:
            blocking.append(self.env._("A handover is in one currency: hand over the invoices in %(currencies)s "
                                       "separately.", currencies=", ".join(moves.currency_id.mapped("name"))))
        excluding = self.env["debtor.customer"]._excluding_records(moves)
        handed = excluding["collection"]
        if handed:
            blocking.append(self.env._("%(invoices)s are already handed over (%(handovers)s).",
                                       invoices=", ".join(handed.move_id.mapped("name")),
                                       handovers=", ".join(handed.handover_id.mapped("name"))))
        disputed = excluding["dispute"]
        if disputed:
            blocking.append(self.env._("%(invoices)s are in dispute: resolve the dispute first.",
                                       invoices=", ".join(disputed.move_id.mapped("name"))))
        plans = excluding["plan"]
        if plans:
            blocking.append(self.env._("%(invoices)s are in the active payment plan %(plans)s: cancel it first.",
                                       invoices=", ".join((plans.move_ids & moves).mapped("name")),
                                       plans=", ".join(plans.mapped("name"))))
        _values, identifier_problems = self.env["debtor.handover"]._identifier_check(partner)
        if identifier_problems:
            blocking.append(self.env._("%(customer)s has invalid identifiers: %(problems)s. Correct them first.",
                                       customer=partner.display_name, problems="; ".join(identifier_problems)))
        if partner and not (partner.street and partner.city and partner.country_id):
            blocking.append(self.env._("The address of %(customer)s is incomplete (street, city and country): the "
                                       "agency needs it.", customer=partner.display_name))

        # the formal notice, and the waiting period after it
        notice_date = wait_until = False
        open_moves = moves - foreign - paid
        if open_moves:
            Action = self.env["debtor.followup.action"].sudo()
            notices = Action.search([("line_ids.move_id", "in", open_moves.ids)] + Action._formal_notice_domain(),
                                    order="date desc, id desc")
            last_notice = {}
            for notice in notices:
                for move in notice.line_ids.move_id & open_moves:
                    last_notice.setdefault(move, notice.date)
            missing = open_moves.filtered(lambda m: m not in last_notice)
            if missing:
                issues.append(self.env._("No formal notice (final-notice level) was sent about %(invoices)s.",
                                         invoices=", ".join(missing.mapped("name"))))
            if last_notice:
                notice_date = max(last_notice.values())
                wait_until = notice_date + timedelta(days=company.debtor_handover_wait_days)
                if today <= wait_until:
                    issues.append(self.env._(
                        "The formal notice of %(date)s gives the customer until %(until)s: the waiting period of "
                        "%(days)s days has not passed.", date=notice_date, until=wait_until,
                        days=company.debtor_handover_wait_days))
            promises = excluding["promise"].filtered(lambda promise: promise.line_ids.move_id & open_moves)
            if promises:
                issues.append(self.env._("%(customer)s promised to pay %(promises)s.", customer=partner.display_name,
                                         promises=", ".join(promises.mapped("display_name"))))
        return blocking, issues, notice_date, wait_until

    # ------------------------------------------------------------------
    # Action
    # ------------------------------------------------------------------
    def action_create(self):
        """Create the handover (draft, file attached) and stop the company's reminders for its invoices.

        :raise UserError: with every reason when the invoices cannot be handed over; nothing is created then
        """
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can hand a debt over to a collection agency."))
        blocking, issues, notice_date, _wait_until = self._check_preconditions()
        if blocking:
            raise UserError(self.env._("These invoices cannot be handed over:\n- %(reasons)s",
                                       reasons="\n- ".join(blocking)))
        if issues and not self.override:
            raise UserError(self.env._(
                "These invoices cannot be handed over yet:\n- %(reasons)s\nA Credit Manager can override this "
                "with a reason.", reasons="\n- ".join(issues)))
        override_reason = (self.override_reason or "").strip()
        if issues and not override_reason:
            raise UserError(self.env._("Write down why the preconditions are overridden."))
        moves = self.move_ids._origin
        today = fields.Date.context_today(self)
        handover = self.env["debtor.handover"]._debtor_workflow_create({
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": moves[:1].currency_id.id,
            "agency_id": self.agency_id.id,
            "agency_contact_id": self.agency_contact_id.id,
            "export_format": self.export_format,
            "date": today,
            "notice_date": notice_date,
            "override_reason": override_reason if issues else False,
            "override_issues": "\n".join(issues) or False,
            "override_user_id": self.env.user.id if issues else False,
            "line_ids": [fields.Command.create(vals) for vals in self.env["debtor.handover"]._line_values(
                moves.sorted(lambda m: (m.invoice_date_due or today, m.id)), today)],
        })
        handover._attach_file()
        invoices = ", ".join(moves.mapped("name"))
        if issues:
            handover.message_post(body=Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Preconditions overridden by %(user)s: %(reason)s", user=self.env.user.name,
                           reason=override_reason),
                Markup("").join(Markup("<li>%s</li>") % issue for issue in issues)))
        self.customer_id._post_note(self.env._(
            "%(invoices)s handed over to %(agency)s (%(handover)s): the follow-up stops for them.",
            invoices=invoices, agency=self.agency_id.display_name, handover=handover.name))
        for move in moves:
            move.sudo().message_post(body=self.env._("Handed over to %(agency)s (%(handover)s).",
                                                     agency=self.agency_id.display_name, handover=handover.name))
        return {"type": "ir.actions.act_window", "res_model": handover._name, "res_id": handover.id,
                "view_mode": "form"}
