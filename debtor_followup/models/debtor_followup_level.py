from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

ACTIVITY_USER_SOURCES = [
    ("responsible", "Follow-up responsible"),
    ("salesperson", "Salesperson"),
    ("fixed", "A fixed user"),
]


class DebtorFollowupLevel(models.Model):
    """One step of a follow-up policy: what happens how many days after an installment's due date."""

    _name = "debtor.followup.level"
    _description = "Follow-up Level"
    _order = "policy_id, delay_days, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Identity and timing
    # ------------------------------------------------------------------
    policy_id = fields.Many2one(
        comodel_name="debtor.followup.policy",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="Days after the due date when this level is reached. Negative for a courtesy reminder before the "
        "due date, which is skipped once the installment is overdue.",
    )
    auto_execute = fields.Boolean(
        string="Run Automatically",
        default=True,
        help="When set the nightly run executes this level by itself. Otherwise the customer shows up in the work "
        "queue as needing action and a person executes it.",
    )
    is_final_notice = fields.Boolean(
        string="Final Notice",
        help="The formal notice of default: the last reminder before a handover.",
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    send_email = fields.Boolean(default=True)
    mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Email Template",
        domain=[("model", "=", "res.partner")],
        help="A template of the Contact model (res.partner): the reminder is rendered for the customer.",
    )
    letter_text = fields.Html(
        translate=True,
        help="Opening text of the printed letter; the items and totals follow it.",
    )
    attach_statement = fields.Boolean(default=True)
    attach_invoices = fields.Boolean(default=True)
    invoice_links = fields.Boolean(
        string="Link Invoices Instead",
        help="The reminder links each invoice to its page on the customer portal, where the customer sees it, "
             "downloads its PDF and pays it where a payment provider is enabled, instead of attaching the PDFs: "
             "nothing to render for the reminder and a lighter email.",
    )
    print_letter = fields.Boolean(
        help="Produce the reminder as a PDF letter, kept on the follow-up action for printing and posting.",
    )
    show_late_payment_amounts = fields.Boolean(
        string="Show Interest and Costs",
        help="The reminder and letter show the statutory interest to date and the collection costs.",
    )
    create_fee_invoice = fields.Boolean(
        help="Invoice the statutory interest and collection costs of the reminded invoices, once per invoice and "
             "level, with the company's fee product.",
    )
    create_activity = fields.Boolean(string="Schedule Activity")
    activity_type_id = fields.Many2one(comodel_name="mail.activity.type")
    activity_summary = fields.Char(translate=True)
    activity_note = fields.Html(translate=True)
    activity_user_source = fields.Selection(
        selection=ACTIVITY_USER_SOURCES,
        string="Assign Activity To",
        default="responsible",
    )
    activity_user_id = fields.Many2one(comodel_name="res.users")
    activity_deadline_days = fields.Integer(string="Activity Due In (days)", default=0)

    _delay_unique = models.Constraint(
        "UNIQUE(policy_id, delay_days)",
        "Two levels of a policy cannot fall on the same day.",
    )

    @api.constrains("send_email", "mail_template_id")
    def _check_mail_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(self.env._(
                    "Level %(level)s sends an email: choose its email template.", level=level.name))
            if level.mail_template_id and level.mail_template_id.sudo().model != "res.partner":
                raise ValidationError(self.env._(
                    "The email template of level %(level)s must be a template of Contacts (res.partner), the "
                    "customer reminded; %(template)s is a template of %(model)s.", level=level.name,
                    template=level.mail_template_id.sudo().name, model=level.mail_template_id.sudo().model))

    @api.constrains("create_activity", "activity_type_id", "activity_user_source", "activity_user_id")
    def _check_activity(self):
        for level in self:
            if not level.create_activity:
                continue
            if not level.activity_type_id:
                raise ValidationError(self.env._(
                    "Level %(level)s schedules an activity: choose its activity type.", level=level.name))
            if level.activity_user_source == "fixed" and not level.activity_user_id:
                raise ValidationError(self.env._(
                    "Level %(level)s assigns its activity to a fixed user: choose the user.", level=level.name))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_reached(self):
        used = self.env["account.move.line"].search_count([("debtor_level_id", "in", self.ids)], limit=1)
        if used:
            raise UserError(self.env._(
                "Invoices have already reached this level, so it cannot be deleted. "
                "Archive its policy and create a new one instead."))

    def _activity_user(self, customer):
        """The user who gets this level's activity for ``customer`` (a ``debtor.customer``)."""
        self.ensure_one()
        if self.activity_user_source == "fixed":
            return self.activity_user_id
        if self.activity_user_source == "salesperson" and customer.partner_id.user_id:
            return customer.partner_id.user_id
        return customer.responsible_id or customer.partner_id.user_id or self.env.user
