from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

ANSWER_KINDS = [
    ("pay", "Pay now"),
    ("paid", "Already paid"),
    ("dispute", "Dispute"),
    ("promise", "Promise to pay"),
    ("plan", "Installments"),
    ("plan_request", "Installments (to approve)"),
]


class DebtorPortalAnswer(models.Model):
    """What a customer answered on its self-service page, invoice by invoice.

    Each answer is created by the page (as superuser, after the page checked the link and the input) together with
    what it does in the back office: a dispute, a promise to pay, a payment plan, a payment transaction or a pause
    of the reminders of invoices the customer says it has paid. It remembers the reminder it answers (the last one
    sent to the customer before it), for the report of self-service use. Answers are evidence: never edited, never
    deleted.
    """

    _name = "debtor.portal.answer"
    _description = "Customer Answer"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    customer_id = fields.Many2one(comodel_name="debtor.customer", string="Debtor File", required=True, index=True,
                                  ondelete="cascade")
    partner_id = fields.Many2one(related="customer_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="customer_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(selection=ANSWER_KINDS, required=True, index=True)
    move_ids = fields.Many2many(comodel_name="account.move", relation="debtor_portal_answer_move_rel",
                                column1="answer_id", column2="move_id", string="Invoices")
    amount = fields.Monetary(help="What the customer paid, disputes, promises or asks to spread.")
    date = fields.Date(help="When the customer paid, or promises to pay.")
    pause_until = fields.Date(string="Reminders Paused Until", index="btree_not_null",
                              help="The reminders of the invoices wait until this date (already paid).")
    note = fields.Text(string="Customer's Comment")
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="Proof", ondelete="set null")
    dispute_id = fields.Many2one(comodel_name="debtor.dispute", ondelete="set null")
    promise_id = fields.Many2one(comodel_name="debtor.promise", ondelete="set null")
    plan_id = fields.Many2one(comodel_name="debtor.payment.plan", ondelete="set null")
    transaction_id = fields.Many2one(comodel_name="payment.transaction", ondelete="set null")
    user_id = fields.Many2one(comodel_name="res.users", string="Answered As",
                              help="The portal user, or the public user for a visitor through the link.")
    action_id = fields.Many2one(comodel_name="debtor.followup.action", string="Reminder Answered",
                                ondelete="set null", index="btree_not_null")
    hours_to_answer = fields.Float(help="Hours between the reminder answered and the answer.")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("A customer's answer is given on the customer's page only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("A customer's answer is kept as the customer gave it."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        raise UserError(self.env._("A customer's answer is part of its follow-up history and cannot be deleted."))

    @api.depends("kind", "create_date")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for answer in self:
            answer.display_name = f"{kinds.get(answer.kind, '')} ({fields.Date.to_date(answer.create_date)})"
