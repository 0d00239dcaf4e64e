from odoo import api
from odoo import fields
from odoo import models


class DebtorHandoverLine(models.Model):
    """One invoice of a handover: what it owed when it was handed over, and what was paid on it since.

    The figures are those of the handover date (principal, statutory interest and collection costs not invoiced
    before); ``amount_collected`` follows the payments and credit notes matched with the invoice afterwards and is
    what the agency was told about. The unique index keeps an invoice in one handover at a time.

    Lines are the handover's figures: created, changed and deleted by the handover's actions only
    (``debtor.workflow.mixin``).
    """

    _name = "debtor.handover.line"
    _description = "Handed-over Invoice"
    _inherit = ["debtor.workflow.mixin"]
    _order = "handover_id, due_date, id"
    _check_company_auto = True
    _debtor_create_by_actions = True
    _debtor_unlink_by_actions = True

    handover_id = fields.Many2one(comodel_name="debtor.handover", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="handover_id.company_id", store=True, index=True)
    state = fields.Selection(related="handover_id.state", store=True, index=True)
    currency_id = fields.Many2one(related="handover_id.currency_id")
    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", required=True, index=True,
                              ondelete="restrict", check_company=True)
    invoice_date = fields.Date(related="move_id.invoice_date")
    due_date = fields.Date(help="The earliest open installment's due date on the handover date.")
    original_amount = fields.Monetary(string="Invoice Total")
    principal = fields.Monetary(help="What the invoice still owed on the handover date.")
    interest = fields.Monetary(help="Statutory interest up to the handover date, less what fee invoices charged.")
    costs = fields.Monetary(help="Collection costs, unless a fee invoice already charged them.")
    total = fields.Monetary(compute="_compute_total", store=True)
    level_id = fields.Many2one(comodel_name="debtor.followup.level", string="Follow-up Level", ondelete="set null",
                               help="The level the invoice had reached when it was handed over.")
    amount_collected = fields.Monetary(
        string="Paid Since", readonly=True,
        help="Paid or credited on the invoice since the handover, as last reported to the agency.")
    amount_open = fields.Monetary(string="Principal Open", compute="_compute_total", store=True)

    _one_handover_per_invoice = models.UniqueIndex(
        "(move_id) WHERE (state IS NULL OR state != 'withdrawn')",
        "An invoice can be in one handover at a time: withdraw the other one first.",
    )

    def _debtor_locked_fields(self, vals):
        """Every field of a handed-over invoice is the handover's to write."""
        return list(vals)

    def _debtor_hint(self, operation):
        return self.env._("The figures are brought up to date when the handover is sent; invoices are chosen in the "
                          "Hand Over dialog.")

    @api.depends("principal", "interest", "costs", "amount_collected")
    def _compute_total(self):
        for line in self:
            line.total = line.principal + line.interest + line.costs
            line.amount_open = line.currency_id.round(max(line.principal - line.amount_collected, 0.0))

    @api.depends("move_id", "handover_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.handover_id.name} - {line.move_id.name}"
