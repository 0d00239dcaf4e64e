import base64

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.account_bank_statement_line import rf_references
from .common import DebtorSepaCommon


@tagged("post_install", "-at_install")
class TestBankStatement(DebtorSepaCommon):
    """A CAMT.053 statement imported through OCA's statement import and reconciled with what customers owe."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv_b1 = cls._invoice(cls.customer_b, 400.0, "2025-12-01", due_date="2026-01-01")
        cls.inv_b2 = cls._invoice(cls.customer_b, 250.0, "2025-12-01", due_date="2026-01-01")
        cls.inv_c = cls._invoice(cls.customer, 600.0, "2025-12-01", due_date="2026-01-01")

    def _import(self, plan, statement_id="STMT-1", payer_iban=None, payer_name="Slow Payer Ltd"):
        amounts = {"amount_1": "400.00", "amount_2": "250.00", "amount_3": "200.00", "amount_4": "150.00"}
        data = self._sample(
            "camt053_debtor_sample.xml", statement_id=statement_id, date="2026-01-27",
            company_iban=self.company_iban, customer_iban=payer_iban or self.customer_iban, payer_name=payer_name,
            currency=self.company.currency_id.name,
            closing="2000.00", invoice_1=self.inv_b1.name, invoice_2=self.inv_b2.payment_reference,
            installment=self._installments(plan)[0].reference, **amounts)
        wizard = self.env["account.statement.import"].create(
            {"statement_file": data, "statement_filename": "camt053_debtor_sample.xml"})
        wizard.import_file_button()
        return self.env["account.bank.statement"].search([("name", "=", statement_id)])

    def test_statement_pays_settles_and_stops_the_chase(self):
        with freeze_time("2026-01-20"):
            plan = self._plan(self.inv_c)
            first = self._installments(plan)[0]
            run = self._run(today=self.d("2026-01-20"))
            reminded = self.env["debtor.followup.action"].search(
                [("run_id", "=", run.id), ("partner_id", "=", self.customer_b.id)])
            self.assertTrue(reminded, "Late Corp's two invoices were reminded")
            self.assertEqual(reminded.line_ids.move_id, self.inv_b1 | self.inv_b2)
            promise = self.env["debtor.promise"].create({
                "partner_id": self.customer_b.id, "date": "2026-01-30", "amount": 250.0,
                "line_ids": [(6, 0, self._receivable(self.inv_b2).ids)]})
        with freeze_time("2026-01-27"):
            statement = self._import(plan)
            self.assertEqual(len(statement.line_ids), 4)
            self.assertTrue(all(statement.line_ids.mapped("is_reconciled")))
            # the two invoices are paid, the promise on the second one is kept
            self.assertEqual((self.inv_b1.payment_state, self.inv_b2.payment_state), ("paid", "paid"))
            self.assertEqual(promise.state, "kept")
            # the installment quoted by its RF reference is paid, the plan advanced
            self.assertEqual(first.state, "paid")
            self.assertEqual(plan.amount_paid, 200.0)
            self.assertAlmostEqual(self.inv_c.amount_residual, 400.0)
            # the payment on account is an unapplied credit of the customer, set off the way the figures define
            unapplied = statement.line_ids.filtered(lambda line: line.amount == 150.0)
            credit = unapplied.move_id.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            self.assertEqual((credit.partner_id, credit.amount_residual, credit.reconciled),
                             (self.customer, -150.0, False))
            figures = self.env["debtor.customer"]._debtor_figures(
                self.company, partners=self.customer, today=self.d("2026-01-27"))[self.customer.id]
            self.assertEqual((figures["open"], figures["credits"], figures["total"]), (400.0, -150.0, 250.0))
            self.assertEqual(figures["overdue"], 400.0, "credits offset the total, never the overdue")
            debtor = self._debtor(self.customer)
            self.assertEqual(debtor.total_due, 250.0)
            self.assertIn(credit, debtor.line_ids)
            self.assertFalse(self._debtor(self.customer_b).total_due)
        with freeze_time("2026-01-28"):
            run = self._run(today=self.d("2026-01-28"))
            self.assertFalse(self.env["debtor.followup.action"].search(
                [("run_id", "=", run.id), ("partner_id", "=", self.customer_b.id)]),
                "the next night's run reminds Late Corp of nothing")
            self.assertEqual(promise.state, "kept")

    def test_a_statement_with_entities_is_refused_and_nothing_imported(self):
        """An XML external entity in a statement file is never resolved: the file is refused before OCA's
        parser (which resolves entities) reads it."""
        evil = (b'<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
                b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr>'
                b'<MsgId>&secret;</MsgId></GrpHdr></BkToCstmrStmt></Document>')
        statements = self.env["account.bank.statement"].search_count([])
        wizard = self.env["account.statement.import"].create(
            {"statement_file": base64.b64encode(evil), "statement_filename": "camt053.xml"})
        with self.assertRaisesRegex(UserError, "DOCTYPE"), self.cr.savepoint():
            wizard.import_file_button()
        self.assertEqual(self.env["account.bank.statement"].search_count([]), statements)

    def test_unknown_payer_stays_in_suspense(self):
        with freeze_time("2026-01-27"):
            plan = self._plan(self.inv_c)
            statement = self._import(plan, statement_id="STMT-2", payer_iban="BE68539007547034",
                                     payer_name="A. Stranger")
            line = statement.line_ids.filtered(lambda line: line.amount == 150.0)
            self.assertFalse(line.is_reconciled, "nobody to book it on: it waits in the suspense account")
            self.assertFalse(line.partner_id)
            self.assertEqual(self.inv_b1.payment_state, "paid")

    def test_plan_number_and_overpayment(self):
        """A payment quoting a plan's number pays its invoices; what is paid beyond them is unapplied."""
        with freeze_time("2026-01-27"):
            plan = self._plan(self.inv_c)
            line = self.env["account.bank.statement.line"].create({
                "journal_id": self.bank_journal.id, "date": "2026-01-27", "amount": 650.0,
                "payment_ref": f"Slow Payer, plan {plan.name}, all at once"})
            self.assertEqual(line._debtor_reconcile(), line)
            self.assertEqual(self.inv_c.payment_state, "paid")
            self.assertEqual(plan.amount_paid, 600.0)
            credit = line.move_id.line_ids.filtered(
                lambda item: item.account_type == "asset_receivable" and not item.reconciled)
            self.assertEqual((credit.partner_id, credit.amount_residual), (self.customer, -50.0))

    def test_rf_references_in_free_text(self):
        self.assertEqual(rf_references("Paid RF4020260003001, thanks"), {"RF4020260003001"})
        self.assertEqual(rf_references("rf40 2026 0003 001 THX"), {"RF4020260003001"}, "printed, then a short word")
        self.assertEqual(rf_references("RF99 1234 and RF18 5390 0754 7034"), {"RF18539007547034"},
                         "wrong check digits are no reference")
