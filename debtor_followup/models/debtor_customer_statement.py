

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.account.tools.structured_reference import format_structured_reference_iso


class DebtorCustomerStatement(models.Model):
    """What the documents of a debtor file (statement, letters) print: letterhead, addressee, payment
    reference, bank account and QR code.
    """

    _inherit = "debtor.customer"

    def _report_date(self):
        """The date a statement is printed for (the user's today)."""
        return fields.Date.context_today(self)

    def _statement_owed(self, lines, on_date):
        """Interest and costs for the statement, when the customer's rules charge any (else False)."""
        self.ensure_one()
        if self._late_payment_rule() == "none":
            return False
        overdue = lines.filtered(lambda line: line.amount_residual > 0 and line.date_maturity
                                 and line.date_maturity < on_date)
        return self._late_payment_figures(overdue, on_date)

    @api.model
    def _statement_document_values(self, partner, company, lines, today, shared=None):
        """What the letterhead, the address block and the payment footer of a statement or a letter show.

        :param partner: the customer (``res.partner``); the document goes to its invoicing contact
        :param company: the company that sends the document
        :param lines: the items the document lists (``account.move.line``)
        :param today: the document's date
        :param shared: a dict kept for all the documents of one rendering, so that what they have in common is
            looked up once: the company's sales journal and bank account (per company) and, when given under
            ``pay_urls``, the pay-online addresses of all their invoices
        :return: dict with ``company``, ``customer`` (commercial partner), ``addressee`` (the invoicing contact),
            ``doc_date``, ``payment_reference``, ``bank`` (``res.partner.bank``, possibly empty), ``qr_code``
            (an image data URI, or False), ``pay_urls`` (``{move id: pay-online address or False}``) and
            ``to_pay`` (whether any of the lines is owed)
        """
        shared = {} if shared is None else shared
        if company.id not in shared:
            shared[company.id] = (self._statement_reference_prefix(company), self._statement_bank_account(company))
        prefix, bank = shared[company.id]
        if "pay_urls" not in shared or not set(lines.move_id.ids) <= set(shared["pay_urls"]):
            shared.setdefault("pay_urls", {}).update(lines.move_id._debtor_portal_pay_urls())
        customer = partner.commercial_partner_id
        addressee = self.env["res.partner"].browse(customer.address_get(["invoice"])["invoice"]) or customer
        reference = self._statement_payment_reference(customer, company, prefix=prefix)
        return {
            "pay_urls": shared["pay_urls"],
            "to_pay": any(line.amount_residual > 0 for line in lines),
            "company": company,
            "customer": customer,
            "addressee": addressee,
            "doc_date": today,
            "payment_reference": reference,
            "bank": bank,
            "qr_code": self._statement_qr_code(bank, customer, company, lines, today, reference),
        }

    @api.model
    def _statement_reference_prefix(self, company):
        """What a customer's payment reference starts with: the code of the company's first sales journal, as
        Odoo's (its id when the code is not plain letters and digits)."""
        # the company's own journal and bank data, printed on its documents whoever prints them
        journal = self.env["account.journal"].sudo().search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1)
        return (journal.code if journal.code and journal.code.isascii() and journal.code.isalnum()
                else str(journal.id or ""))

    @api.model
    def _statement_payment_reference(self, partner, company, prefix=None):
        """The reference a customer quotes to pay a statement or a letter: its ISO 11649 (RF) creditor reference,
        made as Odoo makes an invoice's reference of the "European, based on customer" model
        (``account.move._get_invoice_reference_euro_partner``): the code of the company's first sales journal and
        the digits of the customer's reference, else its id. Invoices of a journal with that model carry the same
        reference, so the bank matching of Odoo finds the customer either way.

        :param prefix: ``_statement_reference_prefix(company)`` when already known
        """
        prefix = self._statement_reference_prefix(company) if prefix is None else prefix
        digits = "".join(char for char in partner.ref or "" if char.isdigit())[-21:] or str(partner.id)
        return format_structured_reference_iso(f"{prefix}{digits}"[-21:])

    @api.model
    def _statement_bank_account(self, company):
        """The company's bank account a customer pays into: the account of the company's first bank journal that
        has one, else the company's own bank account (``res.partner.bank``) in its currency, then any.

        :return: ``res.partner.bank``, empty when the company has none
        """
        journal = self.env["account.journal"].sudo().search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "bank"),
             ("bank_account_id", "!=", False)], limit=1)
        if journal:
            return journal.bank_account_id
        banks = company.sudo().partner_id.bank_ids.filtered(
            lambda bank: not bank.company_id or bank.company_id == company)
        return banks.sorted(lambda bank: (bool(bank.currency_id) and bank.currency_id != company.currency_id,
                                          not bank.allow_out_payment))[:1]

    @api.model
    def _statement_qr_code(self, bank, partner, company, lines, today, reference):
        """A payment QR code for the total due (Odoo's, e.g. the EPC/SEPA code of ``account_qr_code_sepa``) when a
        QR method is installed and the items are all in one currency with something to pay; else False."""
        if not bank or not bank.get_available_qr_methods_in_sequence():
            return False
        totals = self._debtor_items_table(lines, today)["totals"] if lines else []
        if len(totals) != 1 or totals[0][0].compare_amounts(totals[0][1]["total"], 0) <= 0:
            return False
        currency, figures = totals[0]
        return bank.build_qr_code_base64(figures["total"], reference, reference, currency, partner) or False
