from datetime import timedelta

from stdnum import iso11649
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.iso7064 import mod_97_10

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

LINE_STATES = [
    ("pending", "Pending"),
    ("partial", "Partly Paid"),
    ("late", "Late"),
    ("paid", "Paid"),
]


class DebtorPaymentPlanLine(models.Model):
    """One installment of a payment plan, with its ISO 11649 structured creditor reference for matching.

    Installments are the plan's schedule, generated from its terms, and its payments, allocated by the plan: they
    are created, changed and deleted by the plan's actions only (``debtor.workflow.mixin``), so that a plan always
    sums to its total and what was paid is what the invoices were paid.
    """

    _name = "debtor.payment.plan.line"
    _description = "Payment Plan Installment"
    _inherit = ["debtor.workflow.mixin"]
    _order = "plan_id, due_date, sequence, id"
    _debtor_create_by_actions = True
    _debtor_unlink_by_actions = True

    plan_id = fields.Many2one(comodel_name="debtor.payment.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True)
    plan_state = fields.Selection(related="plan_id.state", string="Plan Status")
    sequence = fields.Integer(default=10)
    is_down_payment = fields.Boolean(readonly=True)
    due_date = fields.Date(required=True, index=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(readonly=True)
    amount_due = fields.Monetary(compute="_compute_amount_due", store=True)
    date_paid = fields.Date(string="Paid On", readonly=True, copy=False,
                            help="Date of the payment that completed this installment.")
    state = fields.Selection(selection=LINE_STATES, compute="_compute_state", store=True, readonly=False)
    reference = fields.Char(string="Payment Reference", copy=False,
                            help="ISO 11649 structured creditor reference (RF...) the customer quotes when paying.")
    reminder_before_sent = fields.Boolean(readonly=True, copy=False)
    reminder_after_sent = fields.Boolean(readonly=True, copy=False)

    @api.depends("amount", "amount_paid")
    def _compute_amount_due(self):
        for line in self:
            line.amount_due = line.currency_id.round(line.amount - line.amount_paid)

    @api.depends("amount", "amount_paid")
    def _compute_state(self):
        for line in self:
            line.state = line._state_on(fields.Date.context_today(line))

    @api.constrains("amount")
    def _check_amount(self):
        for line in self:
            if line.currency_id.compare_amounts(line.amount, 0.0) <= 0:
                raise ValidationError(self.env._(
                    "Every installment of a plan must be a positive amount (installment due %(date)s is not).",
                    date=line.due_date))

    @api.constrains("amount")
    def _check_plan_sum(self):
        self.plan_id._check_schedule_sum()

    @api.constrains("reference")
    def _check_reference(self):
        for line in self.filtered("reference"):
            try:
                iso11649.validate(line.reference)
            except StdnumValidationError as error:
                raise ValidationError(self.env._(
                    "%(reference)s is not a valid ISO 11649 creditor reference: %(error)s",
                    reference=line.reference, error=str(error))) from error

    @api.depends("plan_id.name", "due_date")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.plan_id.name} - {line.due_date}"

    def _debtor_locked_fields(self, vals):
        """Every field of an installment is the plan's to write."""
        return list(vals)

    def _debtor_hint(self, operation):
        return self.env._("The schedule follows the plan's terms: change them while the plan is a draft, or cancel "
                          "the plan and make a new one.")

    def _state_on(self, today):
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount_paid, self.amount) >= 0:
            return "paid"
        if self.due_date and self.due_date < today:
            return "late"
        return "partial" if not self.currency_id.is_zero(self.amount_paid) else "pending"

    def _update_states(self, today):
        for line in self:
            state = line._state_on(today)
            if line.state != state:
                line._debtor_workflow_write({"state": state})

    @staticmethod
    def _make_reference(body):
        """An ISO 11649 reference ``RFcc<body>`` with its check digits.

        :param str body: up to 21 letters and digits
        """
        body = "".join(ch for ch in body.upper() if ch.isalnum())[:21]
        return iso11649.compact("RF" + mod_97_10.calc_check_digits(body + "RF") + body)

    def _assign_references(self):
        """Give each installment a structured creditor reference made of the plan and installment numbers."""
        for line in self:
            digits = "".join(ch for ch in line.plan_id.name if ch.isdigit())[-10:]
            line._debtor_workflow_write({"reference": self._make_reference(f"{digits}{line.sequence + 1:03d}")})

    def _send_reminders(self, today):
        """Remind the customer of the installments due soon and of those just missed, each once.

        :return: the number of reminders queued
        """
        sent = 0
        template_before = self.env.ref("debtor_followup.mail_template_installment_due")
        template_after = self.env.ref("debtor_followup.mail_template_installment_late")
        for line in self.filtered(lambda line: line.state != "paid"):
            company = line.company_id
            before = company.debtor_plan_reminder_days_before
            after = company.debtor_plan_reminder_days_after
            if (not line.reminder_before_sent and before and line.due_date - timedelta(days=before) <= today
                    and line.due_date >= today):
                line._post_reminder(template_before)
                line._debtor_workflow_write({"reminder_before_sent": True})
                sent += 1
            elif (not line.reminder_after_sent and after and line.due_date + timedelta(days=after) <= today):
                line._post_reminder(template_after)
                line._debtor_workflow_write({"reminder_after_sent": True})
                sent += 1
        return sent

    def _post_reminder(self, template):
        self.ensure_one()
        self.plan_id.message_post_with_source(
            template, message_type="comment", subtype_xmlid="mail.mt_comment", partner_ids=self.partner_id.ids,
            force_send=False)
