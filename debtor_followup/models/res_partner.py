from odoo import api
from odoo import fields
from odoo import models

from .debtor_customer import DEBTOR_STATUSES
from .debtor_customer import REMINDER_MODES


class ResPartner(models.Model):
    """The customer's follow-up position in the current company, shown on the contact form."""

    _inherit = "res.partner"

    debtor_customer_ids = fields.One2many(
        comodel_name="debtor.customer",
        inverse_name="partner_id",
        string="Debtor Files",
    )
    debtor_customer_id = fields.Many2one(
        comodel_name="debtor.customer",
        string="Debtor File",
        compute="_compute_debtor_customer_id",
        help="The debtor file of this customer in the current company.",
    )
    debtor_status = fields.Selection(selection=DEBTOR_STATUSES, string="Follow-up Status",
                                     compute="_compute_debtor_customer_id")
    debtor_currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_debtor_customer_id")
    debtor_total_due = fields.Monetary(string="Total Due", compute="_compute_debtor_customer_id",
                                       currency_field="debtor_currency_id")
    debtor_total_overdue = fields.Monetary(string="Total Overdue", compute="_compute_debtor_customer_id",
                                           currency_field="debtor_currency_id")
    debtor_oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", compute="_compute_debtor_customer_id")
    debtor_next_action_date = fields.Date(string="Next Follow-up Action", compute="_compute_debtor_customer_id")
    debtor_level_id = fields.Many2one(comodel_name="debtor.followup.level", string="Follow-up Level",
                                      compute="_compute_debtor_customer_id")
    debtor_responsible_id = fields.Many2one(comodel_name="res.users", string="Follow-up Responsible",
                                            compute="_compute_debtor_customer_id")
    debtor_reminder_mode = fields.Selection(selection=REMINDER_MODES, string="Reminders",
                                            compute="_compute_debtor_customer_id")
    debtor_dispute_count = fields.Integer(string="Open Disputes", compute="_compute_debtor_customer_id")
    debtor_disputed_amount = fields.Monetary(string="Amount in Dispute", compute="_compute_debtor_customer_id",
                                             currency_field="debtor_currency_id")

    @api.depends(
        "commercial_partner_id.debtor_customer_ids.status",
        "commercial_partner_id.debtor_customer_ids.total_due",
        "commercial_partner_id.debtor_customer_ids.total_overdue",
        "commercial_partner_id.debtor_customer_ids.oldest_overdue_days",
        "commercial_partner_id.debtor_customer_ids.next_action_date",
        "commercial_partner_id.debtor_customer_ids.level_id",
        "commercial_partner_id.debtor_customer_ids.responsible_id",
        "commercial_partner_id.debtor_customer_ids.reminder_mode",
    )
    @api.depends_context("company")
    def _compute_debtor_customer_id(self):
        company = self.env.company
        customers = self.env["debtor.customer"].search_fetch(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)],
            ["partner_id", "status", "total_due", "total_overdue", "oldest_overdue_days", "next_action_date",
             "level_id", "responsible_id", "reminder_mode"],
        )
        by_partner = {customer.partner_id: customer for customer in customers}
        for partner in self:
            customer = by_partner.get(partner.commercial_partner_id, self.env["debtor.customer"])
            partner.debtor_customer_id = customer
            partner.debtor_status = customer.status or "none"
            partner.debtor_currency_id = company.currency_id
            partner.debtor_total_due = customer.total_due
            partner.debtor_total_overdue = customer.total_overdue
            partner.debtor_oldest_overdue_days = customer.oldest_overdue_days
            partner.debtor_next_action_date = customer.next_action_date
            partner.debtor_level_id = customer.level_id
            partner.debtor_responsible_id = customer.responsible_id
            partner.debtor_reminder_mode = customer.reminder_mode or "auto"
            partner.debtor_dispute_count = customer.dispute_count
            partner.debtor_disputed_amount = customer.disputed_amount

    def _debtor_followup_values(self):
        """What a reminder template shows besides the customer itself.

        The follow-up passes the level and items in the context key ``debtor_followup``; without it (a template
        tried out from the composer) the customer's overdue items in the current company are shown.

        :return: dict with ``customer`` (debtor file), ``level``, ``lines``, ``amount_due``, ``total_due``,
            ``total_overdue``, ``currency``, ``company`` and ``items_html`` (the rendered table of items)
        """
        self.ensure_one()
        company = self.env.company
        today = fields.Date.context_today(self)
        given = self.env.context.get("debtor_followup") or {}
        customer = self.env["debtor.customer"].search(
            [("partner_id", "=", self.commercial_partner_id.id), ("company_id", "=", company.id)], limit=1)
        if "line_ids" in given:
            lines = self.env["account.move.line"].browse(given["line_ids"])
        else:
            lines = self.env["account.move.line"].search(
                self.env["debtor.customer"]._open_lines_domain(company, self.commercial_partner_id)
                + [("date_maturity", "<", today), ("amount_residual", ">", 0)])
        level = self.env["debtor.followup.level"].browse(given.get("level_id"))
        owed = False
        if level.show_late_payment_amounts:
            owed = self.env["debtor.customer"]._late_payment_figures(lines, today)
        return {
            "customer": customer,
            "level": level,
            "owed": owed,
            "owed_total": sum(f["interest"] + f["costs"] for f in owed.values()) if owed else 0.0,
            "lines": lines,
            "amount_due": sum(lines.mapped("amount_residual")),
            "total_due": customer.total_due,
            "total_overdue": customer.total_overdue,
            "currency": company.currency_id,
            "company": company,
            "items_html": self.env["ir.qweb"]._render("debtor_followup.debtor_items_table", {
                "lines": lines, "company": company, "today": today, "owed": owed}),
        }

    def action_debtor_open(self):
        """Open (creating it when needed) the debtor file of this customer in the current company."""
        self.ensure_one()
        partner = self.commercial_partner_id
        customer = self.env["debtor.customer"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)], limit=1)
        if not customer:
            customer = self.env["debtor.customer"].create({"partner_id": partner.id,
                                                           "company_id": self.env.company.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "debtor.customer",
            "res_id": customer.id,
            "view_mode": "form",
        }
