import base64
import binascii

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..models.debtor_credit_check import CREDIT_RESULTS
from ..tools import credit_report

# Negative events after which no credit is given, whatever the score.
BLOCKING_EVENTS = ("bankruptcy", "insolvency")
EVENT_LABELS = {
    "bankruptcy": "Bankruptcy",
    "insolvency": "Insolvency",
    "judgement": "Judgement",
    "payment_default": "Payment default",
    "other": "Other",
}


class DebtorCreditReportImport(models.TransientModel):
    """Import an external credit report (XML, format 1) as a credit check of the customer.

    The file is parsed and validated as a whole with ``tools/credit_report.py`` (no DOCTYPE, no entities, schema
    valid) and its identifiers must match the customer's; only then is anything written: one credit check with
    source *external* and the file attached to it.
    """

    _name = "debtor.credit.report.import"
    _description = "Import a Credit Report"

    customer_id = fields.Many2one(comodel_name="debtor.customer", string="Debtor File", required=True,
                                  ondelete="cascade")
    partner_id = fields.Many2one(related="customer_id.partner_id", string="Customer")
    report_file = fields.Binary(string="Credit Report (XML)", attachment=False)
    report_filename = fields.Char(string="File Name")
    result = fields.Selection(
        selection=CREDIT_RESULTS,
        string="Decision",
        help="Leave empty to follow the report: refused after a bankruptcy or insolvency or below a score of 20, "
             "cash in advance below 40 or when the agency recommends no credit, else approved with its limit.",
    )
    validity_days = fields.Integer(string="Valid For (days)",
                                   default=lambda self: self.env.company.debtor_credit_validity_days)
    note = fields.Text(string="Notes")

    @api.model
    def _result_from_report(self, report, limit):
        """The decision a report suggests (see the help of ``result``).

        :param dict report: a parsed report
        :param float limit: its recommended limit in the company's currency
        """
        if any(event["type"] in BLOCKING_EVENTS for event in report["negative_events"]) or report["score"] < 20:
            return "refused"
        if report["score"] < 40 or limit <= 0:
            return "cash_in_advance"
        return "approved_limit"

    @api.model
    def _events_summary(self, report):
        lines = []
        for event in report["negative_events"]:
            amount = f" {event['amount']} {event['currency'] or ''}".rstrip() if event["amount"] is not None else ""
            lines.append(f"{event['date']} {EVENT_LABELS.get(event['type'], event['type'])}{amount}: "
                         f"{event['description']}")
        return "\n".join(lines)

    def action_import(self):
        """Validate the whole report, then record it as a credit check of the customer.

        :raise UserError: when the file is refused, is about another company, was imported before, or the
            customer's identifiers are invalid; nothing is written then
        """
        self.ensure_one()
        customer = self.customer_id
        partner = customer.partner_id
        company = customer.company_id
        try:
            data = base64.b64decode(self.report_file or b"", validate=True)
        except (binascii.Error, ValueError):
            raise UserError(self.env._("The credit report could not be read: the upload is damaged."))
        try:
            report = credit_report.parse_credit_report(data)
        except credit_report.CreditReportError as error:
            raise UserError(self.env._("The credit report %(file)s was refused.\n%(error)s",
                                       file=self.report_filename or "", error=str(error)))
        matched, reason = credit_report.matches_partner(
            report, vat=partner.vat, company_registry=partner.company_registry, lei=partner.debtor_lei)
        if not matched:
            raise UserError(self.env._(
                "The credit report is about %(subject)s, which cannot be %(customer)s: %(reason)s",
                subject=report["subject"]["name"], customer=partner.display_name, reason=reason))
        agency = report["agency"]["name"]
        Check = self.env["debtor.credit.check"]
        if Check.search_count([("company_id", "=", company.id), ("external_source", "=", agency),
                               ("external_report_ref", "=", report["report_id"])], limit=1):
            raise UserError(self.env._("Report %(report)s of %(agency)s was already imported for %(company)s.",
                                       report=report["report_id"], agency=agency, company=company.name))
        limit = self._company_amount(report["credit_limit"], company, report["issue_date"])
        result = self.result or self._result_from_report(report, limit)
        problems = partner._debtor_identifier_problems()
        if result != "refused" and problems:
            raise UserError(self.env._(
                "Credit check of %(customer)s refused: %(problems)s. Correct the identifiers first.",
                customer=partner.display_name, problems="; ".join(problems)))
        notes = [self.note] if self.note else []
        behaviour = report["payment_behaviour"]
        if behaviour:
            notes.append(self.env._(
                "Agency: paid %(days)s days beyond terms on average, %(share)s%% of invoices paid late.",
                days=behaviour["average_days_beyond_terms"], share=behaviour["late_payment_share"]))
        rating = report["rating"] + (f" ({report['rating_scale']})" if report["rating_scale"] else "")
        check = Check.create({
            "customer_id": customer.id,
            "date": report["issue_date"],
            "validity_days": self.validity_days or company.debtor_credit_validity_days,
            "source": "external",
            "result": result,
            "external_rating": rating,
            "external_source": agency,
            "external_score": report["score"],
            "external_report_ref": report["report_id"],
            "external_issue_date": report["issue_date"],
            "negative_events": self._events_summary(report) or False,
            "credit_limit_proposal": limit if result in ("approved", "approved_limit") else 0.0,
            "note": "\n".join(notes) or False,
        })
        check._debtor_workflow_write({"attachment_id": self.env["ir.attachment"].create({
            "name": self.report_filename or f"{report['report_id']}.xml",
            "raw": data,
            "mimetype": "application/xml",
            "res_model": check._name,
            "res_id": check.id,
        }).id})
        return {
            "type": "ir.actions.act_window",
            "res_model": check._name,
            "res_id": check.id,
            "view_mode": "form",
        }

    @api.model
    def _company_amount(self, amount, company, date):
        """Convert a report amount ``{"amount": Decimal, "currency": "EUR"}`` to ``company``'s currency.

        :raise UserError: when the currency is unknown
        """
        code = amount["currency"]
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        if not currency:
            raise UserError(self.env._("The credit report gives its limit in %(currency)s, a currency unknown here.",
                                       currency=code))
        return currency._convert(float(amount["amount"]), company.currency_id, company, date)
