from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


class DebtorPaymentPlan(models.Model):
    """A payment plan whose installments are collected by SEPA direct debit under the customer's mandate.

    Each night (or from the plan's button) the installments due within the company's horizon go into draft
    direct-debit payment orders of OCA's ``account_payment_order``, one order per collection date, each installment
    with its ISO 11649 reference as the remittance and end-to-end reference. The orders are confirmed, generated
    (pain.008) and uploaded the OCA way; uploading posts the payments and matches them with the plan's invoices,
    which pays the installments. A returned debit (``account.payment._debtor_sdd_return``) undoes that.
    """

    _inherit = "debtor.payment.plan"

    debtor_direct_debit = fields.Boolean(
        string="Collect by Direct Debit", tracking=True, copy=False,
        help="Collect the installments by SEPA direct debit under the customer's valid mandate.")
    debtor_mandate_id = fields.Many2one(
        comodel_name="account.banking.mandate", string="Direct Debit Mandate",
        compute="_compute_debtor_mandate_id",
        help="The customer's valid SEPA mandate in the plan's company (the most recently signed).")
    debtor_sdd_order_count = fields.Integer(
        string="Direct Debit Orders", compute="_compute_debtor_sdd_order_count",
        help="The payment orders collecting this plan's installments.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_debtor_mandate_id(self):
        mandates = self.env["account.banking.mandate"].search_fetch(
            [("partner_id", "in", self.partner_id.ids), ("state", "=", "valid"), ("format", "=", "sepa")],
            ["partner_id", "company_id"], order="signature_date desc, id desc")
        for plan in self:
            plan.debtor_mandate_id = mandates.filtered(
                lambda mandate, plan=plan: mandate.partner_id == plan.partner_id
                and mandate.company_id == plan.company_id)[:1]

    def _compute_debtor_sdd_order_count(self):
        # counted as the superuser: a credit controller sees how many, the payment orders are the accountants'
        lines = self._debtor_sdd_lines()
        for plan in self:
            plan.debtor_sdd_order_count = len(lines.filtered(
                lambda line, plan=plan: line.debtor_installment_id.plan_id == plan).order_id)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("debtor_direct_debit", "partner_id", "company_id")
    def _check_debtor_direct_debit(self):
        for plan in self.filtered("debtor_direct_debit"):
            if not plan.debtor_mandate_id:
                raise ValidationError(self.env._(
                    "%(customer)s has no valid SEPA direct debit mandate in %(company)s: record and validate one "
                    "before collecting payment plan %(plan)s by direct debit.",
                    customer=plan.partner_id.display_name, company=plan.company_id.name, plan=plan.name))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _debtor_sdd_lines(self):
        """The direct-debit payment lines of these plans' installments (as the superuser)."""
        return self.env["account.payment.line"].sudo().search_fetch(
            [("debtor_installment_id.plan_id", "in", self.ids)], ["debtor_installment_id", "order_id"])

    def action_debtor_sdd_collect(self):
        """Put this plan's installments due within the company's horizon into direct-debit payment orders now."""
        self.ensure_one()
        if self.state != "active" or not self.debtor_direct_debit:
            raise UserError(self.env._("Only an active payment plan collected by direct debit can be collected."))
        if not self.company_id.debtor_sdd_payment_mode_id:
            raise UserError(self.env._(
                "Set the direct debit payment mode of %(company)s in the Debtor Follow-up settings first.",
                company=self.company_id.name))
        lines = self._debtor_sdd_collect(fields.Date.context_today(self))
        if not lines:
            raise UserError(self.env._(
                "No installment of %(plan)s is due within %(days)s days and not yet collected.",
                plan=self.name, days=self.company_id.debtor_sdd_days_ahead))
        if not self.env.user.has_group("account_payment_order.group_account_payment"):
            return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                "type": "success", "message": self.env._(
                    "Direct debit of %(amount)s prepared in %(orders)s, for the accountants to send to the bank.",
                    amount=self.currency_id.format(sum(lines.mapped("amount_currency"))),
                    orders=", ".join(lines.order_id.mapped("name"))),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}
        return self._debtor_sdd_orders_action(lines.order_id)

    def action_debtor_sdd_orders(self):
        self.ensure_one()
        return self._debtor_sdd_orders_action(self._debtor_sdd_lines().order_id)

    def _debtor_sdd_orders_action(self, orders):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_payment_order.account_payment_order_inbound_action")
        action["domain"] = [("id", "in", orders.ids)]
        if len(orders) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=orders.id)
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _cron_debtor_sdd_collect(self):
        """Called from a cron: put the installments of the active direct-debit plans due within each company's
        horizon into draft direct-debit payment orders (one per collection date). The orders wait for a person to
        confirm, generate and upload them."""
        plans = self.search([("state", "=", "active"), ("debtor_direct_debit", "=", True)])
        plans._debtor_sdd_collect(fields.Date.context_today(self))

    def _debtor_sdd_collect(self, today):
        """Add the installments of these plans due from ``today`` to ``today`` + the company's horizon, not paid
        and not yet in a (non-cancelled) payment order, to the company's draft direct-debit orders, one order per
        collection date (the installment's due date).

        An installment is debited for what it still owes, capped at what the plan's invoices still owe once the
        debits already under way are counted (a plan's fees are not on its invoices), spread over the invoices'
        open items earliest due first: one payment line per item, all carrying the installment's reference.

        The orders and their lines are made as the superuser: collecting an agreed plan is the plan's rule, which
        a credit controller may trigger without the right to handle payment orders; confirming, generating and
        uploading the orders stays with the users who have it.

        :return: the payment lines created (``account.payment.line``)
        """
        PaymentLine = self.env["account.payment.line"].sudo()
        created = PaymentLine
        plans = self.filtered(lambda plan: plan.state == "active" and plan.debtor_direct_debit)
        for company, company_plans in plans.grouped("company_id").items():
            mode = company.debtor_sdd_payment_mode_id
            if not mode:
                continue
            horizon = today + timedelta(days=company.debtor_sdd_days_ahead)
            installments = self.env["debtor.payment.plan.line"].search([
                ("plan_id", "in", company_plans.ids), ("state", "!=", "paid"),
                ("due_date", ">=", today), ("due_date", "<=", horizon)])
            pending = PaymentLine.search([
                ("move_line_id", "in", company_plans.move_ids.line_ids.ids), ("state", "!=", "cancel")])
            collected = pending.debtor_installment_id
            # debits confirmed but not yet uploaded have not paid the items yet
            in_flight = {}
            for line in pending.filtered(lambda line: line.state in ("draft", "open", "generated")):
                in_flight[line.move_line_id] = in_flight.get(line.move_line_id, 0.0) + line.amount_currency
            vals_list = []
            orders = {}
            for installment in (installments - collected).sorted(lambda i: (i.due_date, i.sequence, i.id)):
                plan = installment.plan_id
                mandate = plan.debtor_mandate_id
                if not mandate:
                    plan.message_post(body=self.env._(
                        "Installment %(reference)s due %(date)s was not collected: the customer has no valid direct "
                        "debit mandate.", reference=installment.reference, date=installment.due_date))
                    continue
                to_debit = installment.amount_due
                items = plan.move_ids.line_ids.filtered(
                    lambda item: item.account_type == "asset_receivable" and not item.reconciled
                    and item.amount_residual_currency > 0).sorted(lambda item: (item.date_maturity, item.id))
                for item in items:
                    if plan.currency_id.compare_amounts(to_debit, 0.0) <= 0:
                        break
                    available = plan.currency_id.round(item.amount_residual_currency - in_flight.get(item, 0.0))
                    amount = min(available, to_debit)
                    if plan.currency_id.compare_amounts(amount, 0.0) <= 0:
                        continue
                    order = orders.get(installment.due_date) or self._debtor_sdd_order(mode, installment.due_date)
                    orders[installment.due_date] = order
                    vals_list.append({
                        "order_id": order.id,
                        "debtor_installment_id": installment.id,
                        "move_line_id": item.id,
                        "partner_id": plan.partner_id.id,
                        "partner_bank_id": mandate.partner_bank_id.id,
                        "mandate_id": mandate.id,
                        "currency_id": plan.currency_id.id,
                        "amount_currency": amount,
                        "communication": installment.reference,
                        "communication_type": "ISO",
                        "date": installment.due_date,
                    })
                    in_flight[item] = in_flight.get(item, 0.0) + amount
                    to_debit = plan.currency_id.round(to_debit - amount)
            created |= PaymentLine.create(vals_list)
        for plan, lines in created.grouped(lambda line: line.debtor_installment_id.plan_id).items():
            plan.message_post(body=self.env._(
                "Direct debit of %(amount)s prepared in %(orders)s.",
                amount=plan.currency_id.format(sum(lines.mapped("amount_currency"))),
                orders=", ".join(lines.order_id.mapped("name"))))
        return created

    @api.model
    def _debtor_sdd_order(self, mode, collection_date):
        """The draft direct-debit order of ``mode`` for ``collection_date`` that collects installments, created if
        there is none yet."""
        Order = self.env["account.payment.order"].sudo()
        order = Order.search([
            ("payment_mode_id", "=", mode.id), ("state", "=", "draft"), ("debtor_plan_collection", "=", True),
            ("date_prefered", "=", "fixed"), ("date_scheduled", "=", collection_date)], limit=1)
        return order or Order.create({
            "payment_mode_id": mode.id,
            "debtor_plan_collection": True,
            "date_prefered": "fixed",
            "date_scheduled": collection_date,
            "description": self.env._("Payment plan installments due %(date)s", date=collection_date),
        })
