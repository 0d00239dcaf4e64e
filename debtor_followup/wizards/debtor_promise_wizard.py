from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class DebtorPromiseWizard(models.TransientModel):
    """Record a customer's promise to pay: follow-up of the covered items pauses until the promised date."""

    _name = "debtor.promise.wizard"
    _description = "Record a Promise to Pay"

    customer_id = fields.Many2one(comodel_name="debtor.customer", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="customer_id.currency_id")
    date = fields.Date(string="Promised Date", required=True)
    amount = fields.Monetary(string="Promised Amount", compute="_compute_amount", store=True, readonly=False)
    line_ids = fields.Many2many(
        comodel_name="account.move.line",
        string="Covered Items",
        compute="_compute_line_ids", store=True, readonly=False, precompute=True,
        domain="[('id', 'in', available_line_ids)]",
    )
    available_line_ids = fields.Many2many(comodel_name="account.move.line", related="customer_id.line_ids")
    note = fields.Text()

    @api.depends("customer_id")
    def _compute_line_ids(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            wizard.line_ids = wizard.customer_id.line_ids.filtered(
                lambda line: line.amount_residual > 0 and line.date_maturity and line.date_maturity < today
                and not line.debtor_exclusion_reason)

    @api.depends("line_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = sum(wizard.line_ids.mapped("amount_residual"))

    def action_confirm(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.date < today:
            raise UserError(self.env._("A promise to pay is for today or a later date, not %(date)s.",
                                       date=self.date))
        if self.currency_id.compare_amounts(self.amount, 0.0) <= 0:
            raise UserError(self.env._("A promised amount must be positive."))
        if not self.line_ids:
            raise UserError(self.env._("Choose the items the promise covers."))
        customer = self.customer_id
        promise = self.env["debtor.promise"].create({
            "partner_id": customer.partner_id.id,
            "company_id": customer.company_id.id,
            "date": self.date,
            "amount": self.amount,
            "line_ids": [fields.Command.set(self.line_ids._origin.ids)],
            "note": self.note,
        })
        customer._post_note(self.env._(
            "Promise to pay recorded: %(amount)s by %(date)s. Follow-up of %(items)s pauses until then.%(note)s",
            amount=customer.currency_id.format(self.amount), date=self.date,
            items=", ".join(promise.line_ids.move_id.mapped("name")),
            note=f" {self.note}" if self.note else ""))
        return {"type": "ir.actions.act_window_close"}
