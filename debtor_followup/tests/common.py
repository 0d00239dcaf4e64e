from datetime import date

from odoo import Command
from odoo import fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user


def billion_laughs():
    """An XML credit report whose nested entities would expand to a billion "lol"s if they were resolved."""
    entities = [b'  <!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(b'  <!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10))
    return (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + b"\n".join(entities)
            + b'\n]>\n<creditReport xmlns="urn:debtor-followup:credit-report:1">'
            + b"<reportId>&lol9;</reportId></creditReport>\n")


class DebtorFollowupCommon(AccountTestInvoicingCommon):
    """Invoices with known due dates, the company's standard policy and a user per role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # PDFs rendered in a test are rendered as the nightly run does without a server: wkhtmltopdf must not ask
        # the test's own HTTP server for Odoo's report styles (it would wait on this test's transaction for good)
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.company = cls.company_data["company"]
        cls.company.email = "credit@company.example.com"
        cls.policy = cls.env["debtor.followup.policy"]._get_company_default(cls.company)
        levels = cls.policy._sorted_levels()
        cls.level_courtesy, cls.level_1, cls.level_2, cls.level_final, cls.level_handover = levels
        cls.customer = cls.env["res.partner"].create({
            "name": "Slow Payer Ltd", "is_company": True, "email": "ap@slowpayer.example.com"})
        cls.customer_b = cls.env["res.partner"].create({
            "name": "Late Corp", "is_company": True, "email": "billing@latecorp.example.com"})
        cls.controller = new_test_user(
            cls.env, login="debtor_controller", name="Connie Controller", email="connie@example.com",
            groups="debtor_followup.group_debtor_controller", company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)])
        cls.manager = new_test_user(
            cls.env, login="debtor_manager", name="Manny Manager", email="manny@example.com",
            groups="debtor_followup.group_debtor_manager", company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)])
        cls.invoicing_user = new_test_user(
            cls.env, login="debtor_invoicing", name="Ivy Invoicing", email="ivy@example.com",
            groups="account.group_account_invoice", company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)])

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, due_date=None, currency=None, payment_term=None,
                 move_type="out_invoice", company=None):
        """A posted customer invoice of ``amount`` (no tax) due on ``due_date``."""
        company = company or cls.company
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "currency_id": (currency or company.currency_id).id,
            "invoice_line_ids": [Command.create({"name": "Services", "quantity": 1, "price_unit": amount,
                                                 "tax_ids": []})],
        }
        if payment_term:
            vals["invoice_payment_term_id"] = payment_term.id
        elif due_date:
            vals["invoice_date_due"] = due_date
        move = cls.env["account.move"].with_company(company).create(vals)
        move.action_post()
        return move

    @classmethod
    def _overdue_customers(cls, count, label, amount=100.0):
        """``count`` customers, each with one invoice due on 2026-01-01, in ascending amounts from ``amount``.

        :return: (partners, invoices), in the same order
        """
        partners = cls.env["res.partner"].create([{
            "name": f"{label} Customer {index}", "is_company": True,
            "email": f"ap{index}@{label.lower()}.example.com",
        } for index in range(count)])
        invoices = cls.env["account.move"]
        for index, partner in enumerate(partners):
            invoices |= cls._invoice(partner, amount * (index + 1), "2025-12-01", due_date="2026-01-01")
        return partners, invoices

    @classmethod
    def _exemple_partner(cls, env=None):
        """The French customer the sample credit report (data/samples) is about, with its identifiers."""
        env = env or cls.env
        return env["res.partner"].create({
            "name": "Exemple Industries SAS", "is_company": True, "country_id": env.ref("base.fr").id,
            "vat": "FR19812345676", "company_registry": "812 345 676", "debtor_lei": "5299000DEBTORFLWUP91"})

    @classmethod
    def _pay(cls, invoice, amount, pay_date):
        """Register a customer payment of ``amount`` on ``invoice``."""
        return cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({"amount": amount, "payment_date": pay_date})._create_payments()

    @staticmethod
    def _receivable(moves):
        """The receivable items (installments) of ``moves``, earliest due first."""
        return moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable").sorted("date_maturity")

    def _debtor(self, partner, company=None):
        return self.env["debtor.customer"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)])

    def _run(self, company=None, today=None):
        """Execute the follow-up run of ``company`` for ``today`` (frozen by the caller)."""
        Run = self.env["debtor.followup.run"]
        run = Run._get_or_start_run(company or self.company, today or fields.Date.today(), trigger="cron")
        run._execute()
        return run

    def _mails(self, action):
        """The queued emails of a follow-up action to its recipients (followers of the customer may get copies)."""
        return self.env["mail.mail"].search([("mail_message_id", "=", action.mail_message_id.id),
                                             ("recipient_ids", "in", action.recipient_ids.ids)])

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
