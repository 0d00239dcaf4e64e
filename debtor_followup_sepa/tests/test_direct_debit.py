import base64

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import DebtorSepaCommon


@tagged("post_install", "-at_install")
class TestDirectDebit(DebtorSepaCommon):
    """A payment plan's installments collected by SEPA direct debit: orders, the pain.008 file, a return."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv1 = cls._invoice(cls.customer, 700.0, "2025-12-01", due_date="2026-01-01")
        cls.inv2 = cls._invoice(cls.customer, 300.0, "2025-12-01", due_date="2026-01-01")

    def _dd_plan(self):
        plan = self._plan(self.inv1 | self.inv2)
        plan.debtor_direct_debit = True
        return plan

    def _pain(self, order):
        """The order's pain.008 file, generated the OCA way, parsed without entities or network access."""
        order.draft2open()
        action = order.open2generated()
        attachment = self.env["ir.attachment"].browse(action["res_id"])
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.fromstring(base64.b64decode(attachment.datas), parser=parser)

    # ------------------------------------------------------------------ orders
    def test_mandate_required(self):
        plan = self._plan(self.inv1 | self.inv2)
        self.mandate.state = "expired"
        with self.assertRaisesRegex(ValidationError, "no valid SEPA direct debit mandate"), self.cr.savepoint():
            plan.debtor_direct_debit = True
        plan.invalidate_recordset()
        self.assertFalse(plan.debtor_direct_debit)

    @freeze_time("2026-01-25")
    def test_installments_in_orders_by_collection_date(self):
        plan = self._dd_plan()
        self.assertEqual(plan.debtor_mandate_id, self.mandate)
        first, second, third = self._installments(plan)
        # seven days ahead: only the installment due on 31 January
        lines = plan._debtor_sdd_collect(self.d("2026-01-25"))
        self.assertEqual(lines.debtor_installment_id, first)
        self.assertEqual(lines.order_id.date_scheduled, self.d("2026-01-31"))
        # seventy days ahead: the next two, each in the order of its own collection date; nothing twice
        self.company.debtor_sdd_days_ahead = 70
        lines |= self.env["debtor.payment.plan"].search([])._debtor_sdd_collect(self.d("2026-01-25"))
        self.assertFalse(plan._debtor_sdd_collect(self.d("2026-01-25")), "collected installments are not again")
        orders = lines.order_id.sorted("date_scheduled")
        self.assertEqual(orders.mapped("date_scheduled"),
                         [self.d("2026-01-31"), self.d("2026-02-28"), self.d("2026-03-31")])
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        self.assertEqual(orders.payment_mode_id, self.sdd_mode)
        self.assertTrue(all(orders.mapped("debtor_plan_collection")))
        self.assertEqual(plan.debtor_sdd_order_count, 3)
        rows = sorted((str(line.date), line.move_line_id.move_id.name, line.amount_currency, line.communication,
                       line.communication_type, line.mandate_id.unique_mandate_reference,
                       line.partner_bank_id.sanitized_acc_number) for line in lines)
        self.assertEqual(rows, sorted([
            ("2026-01-31", self.inv1.name, 333.33, first.reference, "ISO", "SLOW-0001", self.customer_iban),
            ("2026-02-28", self.inv1.name, 333.33, second.reference, "ISO", "SLOW-0001", self.customer_iban),
            # the last one takes what the first invoice still owes, then the second invoice
            ("2026-03-31", self.inv1.name, 33.34, third.reference, "ISO", "SLOW-0001", self.customer_iban),
            ("2026-03-31", self.inv2.name, 300.0, third.reference, "ISO", "SLOW-0001", self.customer_iban),
        ]))
        self.assertTrue(all(reference.startswith("RF") for reference in (first | second | third).mapped("reference")))

    @freeze_time("2026-01-25")
    def test_plan_button_and_cron(self):
        plan = self._dd_plan()
        action = plan.action_debtor_sdd_collect()
        order = self.env["account.payment.order"].browse(action["res_id"])
        self.assertEqual(order.payment_line_ids.debtor_installment_id, self._installments(plan)[0])
        with self.assertRaisesRegex(UserError, "No installment"):
            plan.action_debtor_sdd_collect()
        self.company.debtor_sdd_days_ahead = 40
        self.env["debtor.payment.plan"]._cron_debtor_sdd_collect()
        self.assertEqual(plan.debtor_sdd_order_count, 2)
        # a plan not collected by direct debit is left alone
        other = self._plan(self._invoice(self.customer, 90.0, "2025-12-01", due_date="2026-01-01"),
                           first_due_date="2026-01-28")
        self.env["debtor.payment.plan"]._cron_debtor_sdd_collect()
        self.assertFalse(other.debtor_sdd_order_count)

    @freeze_time("2026-01-25")
    def test_controller_collects_accountants_send(self):
        """A credit controller collects a plan without the right to payment orders; the order waits for them."""
        plan = self._dd_plan()
        plan = plan.with_user(self.controller)
        result = plan.action_debtor_sdd_collect()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(plan.debtor_sdd_order_count, 1)
        order = self.env["account.payment.order"].search([("debtor_plan_collection", "=", True)])
        self.assertEqual((order.state, order.payment_line_ids.debtor_installment_id),
                         ("draft", self._installments(plan)[0]))
        with self.assertRaises(AccessError):
            order.with_user(self.controller).draft2open()

    # ------------------------------------------------------------------ pain.008
    @freeze_time("2026-01-25")
    def test_pain008_validates_and_carries_the_references(self):
        plan = self._dd_plan()
        self.company.debtor_sdd_days_ahead = 70
        lines = plan._debtor_sdd_collect(self.d("2026-01-25"))
        third = self._installments(plan)[2]
        order = lines.filtered(lambda line: line.debtor_installment_id == third).order_id
        root = self._pain(order)
        version = order.payment_method_id.pain_version
        schema = etree.XMLSchema(etree.parse(
            file_path(f"account_banking_sepa_direct_debit/data/{version}.xsd"),
            parser=etree.XMLParser(resolve_entities=False, no_network=True)))
        self.assertTrue(schema.validate(root), schema.error_log)
        ns = {"p": root.nsmap[None]}
        self.assertEqual(root.nsmap[None], f"urn:iso:std:iso:20022:tech:xsd:{version}")
        self.assertEqual(root.xpath("//p:PmtInf/p:ReqdColltnDt/text()", namespaces=ns), ["2026-03-31"])
        self.assertEqual(root.xpath("//p:PmtInf/p:PmtTpInf/p:SeqTp/text()", namespaces=ns), ["FRST"])
        # the installment's two lines (two invoices) are one transaction of the installment's amount
        transactions = root.xpath("//p:DrctDbtTxInf", namespaces=ns)
        self.assertEqual(len(transactions), 1)
        transaction = transactions[0]
        self.assertEqual(transaction.xpath("p:InstdAmt/text()", namespaces=ns), ["333.34"])
        self.assertEqual(transaction.xpath("p:InstdAmt/@Ccy", namespaces=ns), ["EUR"])
        self.assertEqual(transaction.xpath("p:PmtId/p:EndToEndId/text()", namespaces=ns), [third.reference])
        self.assertEqual(transaction.xpath("p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref/text()", namespaces=ns),
                         [third.reference])
        self.assertEqual(transaction.xpath("p:RmtInf/p:Strd/p:CdtrRefInf/p:Tp/p:Issr/text()", namespaces=ns),
                         ["ISO"])
        self.assertEqual(transaction.xpath(".//p:MndtRltdInf/p:MndtId/text()", namespaces=ns), ["SLOW-0001"])
        self.assertEqual(transaction.xpath("p:DbtrAcct/p:Id/p:IBAN/text()", namespaces=ns), [self.customer_iban])
        self.assertEqual(root.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=ns), ["333.34"])

    # ------------------------------------------------------------------ upload and return
    def test_upload_pays_and_return_reopens_the_installment(self):
        with freeze_time("2026-01-25"):
            plan = self._dd_plan()
            first = self._installments(plan)[0]
            order = plan._debtor_sdd_collect(self.d("2026-01-25")).order_id
            self._pain(order)
            order.generated2uploaded()
            self.assertEqual(order.state, "uploaded")
            self.assertEqual(first.state, "paid")
            self.assertEqual(first.amount_paid, 333.33)
            self.assertAlmostEqual(self.inv1.amount_residual, 366.67)
            payment = order.payment_ids
            self.assertEqual(payment.payment_reference, first.reference)
        with freeze_time("2026-02-03"):
            # returned after its due date: owed again, late, and noted on the plan and the debtor file
            # an invoicing user, who sees neither payment orders nor payment plans, records it from the payment
            payment = payment.with_user(self.invoicing_user)
            self.assertTrue(payment.debtor_is_installment_debit)
            payment.action_debtor_sdd_return()
            payment = payment.with_user(self.env.user)
            self.assertEqual(payment.state, "rejected")
            self.assertTrue(order.payment_line_ids.debtor_returned)
            self.assertAlmostEqual(self.inv1.amount_residual, 700.0)
            self.assertEqual(first.amount_paid, 0.0)
            self.assertEqual(first.state, "late")
            self.assertIn("was returned by the bank: the installment is owed again", plan.message_ids[0].body)
            debtor = self._debtor(self.customer)
            self.assertTrue(debtor.message_ids.filtered(lambda message: first.reference in (message.body or "")))
            with self.assertRaisesRegex(UserError, "already returned"):
                payment._debtor_sdd_return()
            self.assertFalse(plan._debtor_sdd_collect(self.d("2026-02-03")), "a returned debit is not re-sent")
        # the plan's grace rules apply: still running within the grace period, broken after it
        self.company.debtor_plan_grace_days = 5
        Plan = self.env["debtor.payment.plan"]
        for day, state in (("2026-02-05", "active"), ("2026-02-06", "broken")):
            with freeze_time(day):
                Plan._update_plans(self.company, self.d(day))
            self.assertEqual(plan.state, state, day)

    def test_statement_books_the_collection_and_the_return(self):
        """The bank's booking of the debit is matched with the payment, not with the invoices again; its return,
        on the statement, is recorded as one."""
        with freeze_time("2026-01-25"):
            plan = self._dd_plan()
            first = self._installments(plan)[0]
            order = plan._debtor_sdd_collect(self.d("2026-01-25")).order_id
            self._pain(order)
            order.generated2uploaded()
            payment = order.payment_ids
        with freeze_time("2026-02-04"):
            data = self._sample(
                "camt053_direct_debit.xml", statement_id="DD-1", date="2026-02-04", company_iban=self.company_iban,
                customer_iban=self.customer_iban, currency=self.company.currency_id.name, amount="333.33",
                reference=first.reference, mandate=self.mandate.unique_mandate_reference)
            self.env["account.statement.import"].create(
                {"statement_file": data, "statement_filename": "dd.xml"}).import_file_button()
            statement = self.env["account.bank.statement"].search([("name", "=", "DD-1")])
            collected, returned = statement.line_ids.sorted("amount", reverse=True)
            self.assertTrue(collected.is_reconciled and returned.is_reconciled)
            in_transit = payment.outstanding_account_id
            self.assertEqual(collected.move_id.line_ids.filtered(lambda line: line.account_id == in_transit)
                             .full_reconcile_id, payment.move_id.line_ids.filtered(
                                 lambda line: line.account_id == in_transit).full_reconcile_id)
            self.assertEqual(payment.state, "rejected")
            self.assertEqual(order.payment_line_ids.debtor_return_reason, "AM04 insufficient funds")
            self.assertIn("(reason AM04 insufficient funds)", plan.message_ids[0].body)
            self.assertAlmostEqual(self.inv1.amount_residual, 700.0, msg="owed again, and never paid twice")
            self.assertAlmostEqual(self.inv2.amount_residual, 300.0)
            self.assertEqual(first.state, "late")
            self.assertFalse(self.env["account.move.line"].search([
                ("account_id", "=", in_transit.id), ("reconciled", "=", False)]), "nothing left in transit")
