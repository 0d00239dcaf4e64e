from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

PROMISE_STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]


class DebtorPromise(models.Model):
    """A customer's promise to pay an amount by a date.

    The items it covers are left alone by the follow-up until the date. The nightly run marks it kept once the
    covered items have been paid down by the promised amount, or broken when the date has passed without that, after
    which the items are followed up again.

    Its state, what the items owed when it was made and who recorded it change only through the workflow
    (``debtor.workflow.mixin``); a settled promise is history, fixed.
    """

    _name = "debtor.promise"
    _description = "Promise to Pay"
    _inherit = ["debtor.workflow.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _debtor_control_fields = ("state", "residual_at_promise", "user_id")

    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", required=True, index=True,
                                 ondelete="cascade")
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Promised Date", required=True)
    amount = fields.Monetary(string="Promised Amount", required=True)
    line_ids = fields.Many2many(
        comodel_name="account.move.line",
        relation="debtor_promise_line_rel",
        column1="promise_id",
        column2="line_id",
        string="Covered Items",
    )
    residual_at_promise = fields.Monetary(
        string="Open When Promised",
        readonly=True,
        help="What the covered items still owed when the promise was made.",
    )
    amount_paid = fields.Monetary(string="Paid Since", compute="_compute_amount_paid")
    state = fields.Selection(selection=PROMISE_STATES, default="open", required=True, index=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Recorded By", default=lambda self: self.env.user)
    note = fields.Text()

    # the items themselves are declared; their amounts change with payments and are forgotten by the flows that
    # match them rather than declared (see debtor.customer._forget_item_figures)
    @api.depends("line_ids", "residual_at_promise")
    def _compute_amount_paid(self):
        for promise in self:
            promise.amount_paid = promise.residual_at_promise - sum(promise.line_ids.mapped("amount_residual"))

    @api.constrains("amount", "residual_at_promise")
    def _check_amount(self):
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0.0) <= 0:
                raise ValidationError(self.env._("A promised amount must be positive."))
            if promise.currency_id.compare_amounts(promise.amount, promise.residual_at_promise) > 0:
                raise ValidationError(self.env._(
                    "%(customer)s cannot promise %(amount)s: the covered items only owe %(open)s.",
                    customer=promise.partner_id.display_name,
                    amount=promise.currency_id.format(promise.amount),
                    open=promise.currency_id.format(promise.residual_at_promise)))

    @api.constrains("line_ids", "partner_id", "company_id")
    def _check_lines(self):
        for promise in self:
            if not promise.line_ids:
                raise ValidationError(self.env._("A promise to pay covers at least one open item."))
            wrong = promise.line_ids.filtered(
                lambda line: line.partner_id != promise.partner_id.commercial_partner_id
                or line.company_id != promise.company_id
                or line.account_type != "asset_receivable"
                or line.reconciled
            )
            disputed = self.env["debtor.dispute"].search_count([
                ("move_id", "in", promise.line_ids.move_id.ids), ("state", "in", ("open", "investigation"))])
            handed_over = promise.line_ids.move_id._debtor_handed_over()
            if handed_over and promise.state == "open":
                raise ValidationError(self.env._(
                    "%(moves)s are handed over to a collection agency: the customer deals with the agency now.",
                    moves=", ".join(handed_over.mapped("name"))))
            if disputed and promise.state == "open":
                raise ValidationError(self.env._(
                    "An invoice in dispute cannot be covered by a promise to pay: resolve the dispute first."))
            if wrong:
                raise ValidationError(self.env._(
                    "A promise of %(customer)s can only cover its own open receivable items in %(company)s; "
                    "these are not: %(items)s",
                    customer=promise.partner_id.display_name, company=promise.company_id.name,
                    items=", ".join(wrong.move_id.mapped("name"))))

    @api.model_create_multi
    def create(self, vals_list):
        self._debtor_check_create(vals_list)
        for vals in vals_list:
            if "residual_at_promise" not in vals:
                lines = self.new({"line_ids": vals.get("line_ids", [])}).line_ids
                vals["residual_at_promise"] = sum(lines.mapped("amount_residual"))
        # checked above, as the caller sent them: what the items owe is the promise's own figure
        promises = super(DebtorPromise, self._debtor_workflow_env()).create(vals_list).with_env(self.env)
        self.env["debtor.customer"]._refresh_for(promises)
        return promises

    def _debtor_locked_fields(self, vals):
        """A promise is of an amount, on given items of its customer in its company (what it is kept against); only
        its date moves while it is open."""
        locked = [name for name in ("partner_id", "company_id", "line_ids", "amount") if name in vals]
        if "date" in vals and any(promise.state != "open" for promise in self):
            locked.append("date")
        return locked

    @api.depends("partner_id", "amount", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(amount)s by %(date)s", amount=promise.currency_id.format(promise.amount), date=promise.date)

    def action_cancel(self):
        self.filtered(lambda p: p.state == "open")._debtor_workflow_write({"state": "cancelled"})
        self.env["debtor.customer"]._refresh_for(self)

    @api.model
    def _check_open_promises(self, company, today):
        """Settle the open promises of ``company``: kept once paid, broken once the date has passed unpaid.

        Called by the nightly run before it selects what to remind, so that a broken promise's items are followed
        up that same night. Two queries for the lot, plus the chatter messages of the promises settled.

        :return: (kept promises, broken promises)
        """
        promises = self.search([("company_id", "=", company.id), ("state", "=", "open")])
        kept = promises.filtered(lambda p: float_compare(
            p.amount_paid, p.amount, precision_rounding=p.currency_id.rounding) >= 0
            or all(line.reconciled for line in p.line_ids))
        broken = (promises - kept).filtered(lambda p: p.date < today)
        kept._debtor_workflow_write({"state": "kept"})
        broken._debtor_workflow_write({"state": "broken"})
        for promise in kept:
            promise.partner_id.sudo().message_post(
                body=self.env._("Promise to pay %(promise)s kept.", promise=promise.display_name),
                message_type="comment", subtype_xmlid="mail.mt_note")
        for promise in broken:
            promise.partner_id.sudo().message_post(
                body=self.env._("Promise to pay %(promise)s broken: only %(paid)s was paid. Follow-up resumes.",
                                promise=promise.display_name, paid=promise.currency_id.format(promise.amount_paid)),
                message_type="comment", subtype_xmlid="mail.mt_note")
        return kept, broken
