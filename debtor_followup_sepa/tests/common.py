import base64

from odoo import Command
from odoo.addons.debtor_followup.tests.common import DebtorFollowupCommon
from odoo.tools.misc import file_open


class DebtorSepaCommon(DebtorFollowupCommon):
    """The company in EUR with a bank account, a SEPA creditor identifier and a direct-debit payment mode set for
    payment plans; the customer with an IBAN and a valid recurrent SEPA mandate."""

    company_iban = "NL91ABNA0417164300"
    customer_iban = "DE89370400440532013000"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the accountant who confirms, generates and uploads the payment orders
        cls.env.user.group_ids += cls.env.ref("account_payment_order.group_account_payment")
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.company.currency_id = eur
        cls.company.sepa_creditor_identifier = "DE98ZZZ09999999999"
        su = cls.env(su=True)  # banking setup is an administrator's job
        bank = su["res.bank"].create({"name": "Test Bank", "bic": "ABNANL2AXXX"})
        cls.company_bank = su["res.partner.bank"].create({
            "acc_number": cls.company_iban, "bank_id": bank.id, "partner_id": cls.company.partner_id.id,
            "company_id": cls.company.id})
        in_transit = su["account.account"].create({
            "code": "DDTRANS", "name": "Direct debits in transit", "account_type": "asset_current",
            "reconcile": True, "company_ids": [Command.set(cls.company.ids)]})
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.bank_journal.sudo().write({
            "bank_account_id": cls.company_bank.id,
            "currency_id": False,
            "inbound_payment_method_line_ids": [Command.create({
                "payment_method_id": cls.env.ref("account_banking_sepa_direct_debit.sepa_direct_debit").id,
                "payment_account_id": in_transit.id})],
        })
        cls.sdd_mode = su["account.payment.mode"].create({
            "name": "SEPA direct debit of installments",
            "company_id": cls.company.id,
            "payment_method_id": cls.env.ref("account_banking_sepa_direct_debit.sepa_direct_debit").id,
            "bank_account_link": "fixed",
            "fixed_journal_id": cls.bank_journal.id,
        })
        cls.company.write({"debtor_sdd_payment_mode_id": cls.sdd_mode.id, "debtor_sdd_days_ahead": 7})
        cls.customer_bank = su["res.partner.bank"].create({
            "acc_number": cls.customer_iban, "bank_id": bank.id, "partner_id": cls.customer.id,
            "company_id": cls.company.id})
        cls.mandate = su["account.banking.mandate"].create({
            "format": "sepa", "type": "recurrent", "recurrent_sequence_type": "first",
            "signature_date": "2025-11-15", "partner_bank_id": cls.customer_bank.id,
            "company_id": cls.company.id, "state": "valid", "unique_mandate_reference": "SLOW-0001"})

    def _plan(self, moves, **vals):
        """An active payment plan of the customer over ``moves``: three monthly installments from 31 January."""
        values = {"partner_id": self.customer.id, "move_ids": [Command.set(moves.ids)], "date": "2026-01-10",
                  "first_due_date": "2026-01-31", "installment_count": 3, "frequency": "monthly"}
        values.update(vals)
        plan = self.env["debtor.payment.plan"].create(values)
        plan.action_activate()
        return plan

    @staticmethod
    def _installments(plan):
        return plan.line_ids.sorted(lambda line: (line.due_date, line.sequence))

    @staticmethod
    def _sample(name, **values):
        """A statement file of tests/data with its ``{placeholders}`` filled in, base64-encoded."""
        with file_open(f"debtor_followup_sepa/tests/data/{name}", "rb") as sample:
            text = sample.read().decode()
        return base64.b64encode(text.format(**values).encode())
