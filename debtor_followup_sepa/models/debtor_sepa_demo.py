import base64
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools.misc import file_open

COMPANY_IBAN = "NL91ABNA0417164300"
CUSTOMER_IBAN = "DE89370400440532013000"


class DebtorSepaDemo(models.AbstractModel):
    """Demo data of the SEPA glue addon (called from its demo XML), in the second demo company of debtor_followup:
    the direct-debit setup, one customer on a direct-debit payment plan with a mandate, and one imported CAMT.053
    statement that pays two reminded invoices."""

    _name = "debtor.sepa.demo"
    _description = "Debtor Follow-up SEPA Demo Data"

    @api.model
    def _generate_demo(self):
        company = self.env.ref("debtor_followup.demo_company_b", raise_if_not_found=False)
        if not company:
            return
        self = self.with_company(company).with_context(allowed_company_ids=company.ids)
        journal = self._demo_setup(company)
        self._demo_direct_debit_plan(company)
        self._demo_statement(company, journal)

    @api.model
    def _demo_setup(self, company):
        """The company's SEPA creditor identifier, bank account and direct-debit payment mode."""
        bank = self.env["res.bank"].create({"name": "ABN AMRO (demo)", "bic": "ABNANL2AXXX"})
        company_bank = self.env["res.partner.bank"].create({
            "acc_number": COMPANY_IBAN, "bank_id": bank.id, "partner_id": company.partner_id.id,
            "company_id": company.id})
        in_transit = self.env["account.account"].create({
            "code": "DDTRANSIT", "name": "Direct debits in transit", "account_type": "asset_current",
            "reconcile": True, "company_ids": [fields.Command.set(company.ids)]})
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], order="id", limit=1)
        method = self.env.ref("account_banking_sepa_direct_debit.sepa_direct_debit")
        journal.write({
            "bank_account_id": company_bank.id,
            "inbound_payment_method_line_ids": [fields.Command.create({
                "payment_method_id": method.id, "payment_account_id": in_transit.id})],
        })
        mode = self.env["account.payment.mode"].create({
            "name": "SEPA direct debit of installments", "company_id": company.id,
            "payment_method_id": method.id, "bank_account_link": "fixed", "fixed_journal_id": journal.id})
        company.write({"sepa_creditor_identifier": "DE98ZZZ09999999999", "debtor_sdd_payment_mode_id": mode.id})
        return journal

    @api.model
    def _demo_direct_debit_plan(self, company):
        """A customer with a valid mandate whose two overdue invoices are on a plan collected by direct debit;
        its first installment, due within the week, is already in a draft payment order."""
        today = fields.Date.context_today(self)
        partner = self.env["res.partner"].create({
            "name": "Lastschrift Demo GmbH", "is_company": True, "email": "ap@lastschrift-demo.example.com",
            "country_id": self.env.ref("base.de").id, "city": "Berlin"})
        partner_bank = self.env["res.partner.bank"].create({
            "acc_number": CUSTOMER_IBAN, "partner_id": partner.id, "company_id": company.id})
        self.env["account.banking.mandate"].create({
            "format": "sepa", "type": "recurrent", "recurrent_sequence_type": "first",
            "signature_date": today - timedelta(days=30), "partner_bank_id": partner_bank.id,
            "company_id": company.id, "state": "valid", "unique_mandate_reference": "DEMO-LASTSCHRIFT-1"})
        invoices = self.env["account.move"].create([{
            "move_type": "out_invoice", "partner_id": partner.id, "company_id": company.id,
            "invoice_date": today - timedelta(days=days + 30), "invoice_date_due": today - timedelta(days=days),
            "invoice_line_ids": [fields.Command.create({
                "name": "Consulting", "quantity": 1, "price_unit": amount, "tax_ids": []})],
        } for days, amount in ((40, 1200.0), (25, 600.0))])
        invoices.action_post()
        plan = self.env["debtor.payment.plan"].create({
            "partner_id": partner.id, "company_id": company.id, "move_ids": [fields.Command.set(invoices.ids)],
            "installment_count": 3, "frequency": "monthly", "first_due_date": today + timedelta(days=5),
            "debtor_direct_debit": True})
        plan.action_activate()
        plan._debtor_sdd_collect(today)
        return plan

    @api.model
    def _demo_statement(self, company, journal):
        """Import a CAMT.053 statement through OCA's statement import that pays two reminded invoices in full."""
        today = fields.Date.context_today(self)
        items = self.env["account.move.line"].search([
            ("company_id", "=", company.id), ("account_type", "=", "asset_receivable"), ("reconciled", "=", False),
            ("debtor_level_id", "!=", False), ("move_id.move_type", "=", "out_invoice"),
            ("move_id.payment_state", "=", "not_paid"), ("currency_id", "=", company.currency_id.id)],
            order="date_maturity, id")
        invoices = items.move_id.filtered(lambda move: len(move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable")) == 1)[:2]
        if len(invoices) < 2:
            return self.env["account.bank.statement"]
        with file_open("debtor_followup_sepa/demo/camt053_demo.xml", "rb") as template:
            text = template.read().decode()
        entries = []
        with file_open("debtor_followup_sepa/demo/camt053_demo_entry.xml", "rb") as template:
            entry = template.read().decode()
        for index, invoice in enumerate(invoices, start=1):
            entries.append(entry.format(
                amount=f"{invoice.amount_residual:.2f}", currency=company.currency_id.name, date=today,
                ref=f"DEMO-{today:%Y%m%d}-{index}", name=invoice.commercial_partner_id.name,
                invoice=invoice.name))
        statement_id = f"DEMO-{today:%Y%m%d}"
        data = text.format(
            statement_id=statement_id, date=today, iban=COMPANY_IBAN, currency=company.currency_id.name,
            closing=f"{10000.0 + sum(invoices.mapped('amount_residual')):.2f}", entries="".join(entries),
            created=(fields.Datetime.now() - relativedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S"))
        wizard = self.env["account.statement.import"].create({
            "statement_file": base64.b64encode(data.encode()), "statement_filename": f"{statement_id}.xml"})
        wizard.import_file_button()
        return self.env["account.bank.statement"].search([("journal_id", "=", journal.id)], limit=1)
