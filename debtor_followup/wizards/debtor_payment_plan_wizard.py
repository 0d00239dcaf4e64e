from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..models.debtor_payment_plan import FREQUENCIES


class DebtorPaymentPlanWizard(models.TransientModel):
    """Propose a payment plan to a customer, from its debtor file or from selected invoices."""

    _name = "debtor.payment.plan.wizard"
    _description = "Propose a Payment Plan"

    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", required=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_currency_id")
    move_ids = fields.Many2many(
        comodel_name="account.move",
        string="Invoices",
        domain="[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
               "('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
               "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    open_amount = fields.Monetary(compute="_compute_open_amount")
    fee_amount = fields.Monetary(string="Fees and Interest")
    down_payment = fields.Monetary()
    installment_count = fields.Integer(string="Installments", default=3)
    frequency = fields.Selection(selection=FREQUENCIES, default="monthly", required=True)
    first_due_date = fields.Date(required=True,
                                 default=lambda self: fields.Date.context_today(self) + relativedelta(months=1))
    send_proposal = fields.Boolean(string="Send to the Customer", default=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            moves = self.env["account.move"].browse(context["active_ids"])
            partners = moves.commercial_partner_id
            if len(partners) > 1:
                raise UserError(self.env._("A payment plan is for one customer: the selected invoices belong to "
                                           "%(customers)s.", customers=", ".join(partners.mapped("display_name"))))
            if len(moves.company_id) > 1:
                raise UserError(self.env._("A payment plan is for one company: select invoices of one company."))
            values.update(partner_id=partners.id, company_id=moves.company_id.id, move_ids=[(6, 0, moves.ids)])
        elif context.get("active_model") == "debtor.customer" and context.get("active_id"):
            customer = self.env["debtor.customer"].browse(context["active_id"])
            moves = customer.line_ids.filtered(
                lambda line: line.amount_residual > 0 and not line.debtor_exclusion_reason).move_id.filtered(
                lambda move: move.move_type == "out_invoice")
            values.update(partner_id=customer.partner_id.id, company_id=customer.company_id.id,
                          move_ids=[(6, 0, moves.ids)])
        return values

    @api.depends("move_ids", "company_id")
    def _compute_currency_id(self):
        for wizard in self:
            wizard.currency_id = wizard.move_ids[:1].currency_id or wizard.company_id.currency_id

    @api.depends("move_ids")
    def _compute_open_amount(self):
        for wizard in self:
            wizard.open_amount = sum(wizard.move_ids.mapped("amount_residual"))

    def action_create(self):
        """Create the draft plan (checked and scheduled by the plan itself), propose it if asked, and open it."""
        self.ensure_one()
        plan = self.env["debtor.payment.plan"].create({
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "move_ids": [(6, 0, self.move_ids.ids)],
            "fee_amount": self.fee_amount,
            "down_payment": self.down_payment,
            "split_mode": "count",
            "installment_count": self.installment_count,
            "frequency": self.frequency,
            "first_due_date": self.first_due_date,
        })
        if self.send_proposal:
            plan.action_propose()
        return {"type": "ir.actions.act_window", "res_model": plan._name, "res_id": plan.id, "view_mode": "form"}
