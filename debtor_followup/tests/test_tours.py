from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestControllerTour(DebtorFollowupCommon, HttpCase):
    """A credit controller's day in a real browser (tour ``debtor_followup_controller_day``).

    The customer has three invoices ten days overdue, so the first reminder is due today. In the browser the
    controller opens the work queue and the customer, previews and sends the reminder, logs a call in which the
    customer promised to pay and records that promise for the first invoice, raises a dispute on the second and
    proposes a plan of three installments for the third; the tour checks what the controller sees at each step, this
    test what ends up in the database.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.today = today
        cls.tour_customer = cls.env["res.partner"].create({
            "name": "Tour Debtor SA", "is_company": True, "email": "ap@tourdebtor.example.com"})
        invoice_date, due_date = today - timedelta(days=40), today - timedelta(days=10)
        cls.invoice_promised = cls._invoice(cls.tour_customer, 1200.0, invoice_date, due_date=due_date)
        cls.invoice_disputed = cls._invoice(cls.tour_customer, 450.0, invoice_date, due_date=due_date)
        cls.invoice_planned = cls._invoice(cls.tour_customer, 1000.0, invoice_date, due_date=due_date)
        cls.invoices = cls.invoice_promised | cls.invoice_disputed | cls.invoice_planned

    def test_controller_day(self):
        debtor = self._debtor(self.tour_customer)
        self.assertEqual(debtor.status, "action")
        self.assertEqual(debtor.due_level_id, self.level_1)
        self.assertEqual(debtor.total_overdue, 2650.0)

        self.start_tour("/odoo", "debtor_followup_controller_day", login=self.controller.login, timeout=240)

        # the reminder: one manual action of the first level for the three invoices, its email queued
        action = self.env["debtor.followup.action"].search([("partner_id", "=", self.tour_customer.id)])
        self.assertEqual(len(action), 1)
        self.assertRecordValues(action, [{
            "level_id": self.level_1.id, "manual": True, "email_sent": True, "user_id": self.controller.id,
            "amount_due": 2650.0, "state": "done"}])
        self.assertEqual(action.line_ids, self._receivable(self.invoices))
        mails = self._mails(action)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing", "the reminder is queued, not sent inline")
        for invoice in self.invoices:
            self.assertIn(invoice.name, str(mails.body_html))
        # the promise covers the first invoice only, for what it owes, a week from today
        promise = self.env["debtor.promise"].search([("partner_id", "=", self.tour_customer.id)])
        self.assertRecordValues(promise, [{
            "state": "open", "amount": 1200.0, "date": self.today + timedelta(days=7), "company_id": self.company.id}])
        self.assertEqual(promise.line_ids, self._receivable(self.invoice_promised))
        # the call, logged with the outcome "promised to pay" that led to the promise, is on the debtor file
        self.assertIn("Promised to pay", debtor.message_ids[:1].body)
        self.assertEqual(debtor.message_ids[:1].author_id, self.controller.partner_id)
        # the dispute is on the second invoice, for what it owes
        dispute = self.env["debtor.dispute"].search([("partner_id", "=", self.tour_customer.id)])
        self.assertRecordValues(dispute, [{
            "move_id": self.invoice_disputed.id, "state": "open", "disputed_amount": 450.0,
            "reason_id": self.env.ref("debtor_followup.dispute_reason_damaged").id, "user_id": self.controller.id}])
        # the plan: proposed for the third invoice, three installments summing to its debt, the cent on the last
        plan = self.env["debtor.payment.plan"].search([("partner_id", "=", self.tour_customer.id)])
        self.assertRecordValues(plan, [{"state": "proposed", "amount_total": 1000.0, "installment_count": 3}])
        self.assertEqual(plan.move_ids, self.invoice_planned)
        schedule = plan.line_ids.sorted("due_date")
        self.assertEqual(schedule.mapped("amount"), [333.33, 333.33, 333.34])
        self.assertFalse(any(schedule.mapped("is_down_payment")))
        self.assertEqual(sum(schedule.mapped("amount")), plan.amount_total)
        self.assertTrue(plan.message_ids.filtered(lambda m: self.tour_customer in m.partner_ids),
                        "the proposal is sent to the customer")
        # after all that, the customer is followed up but needs nothing more today
        debtor.invalidate_recordset()
        self.assertEqual(debtor.status, "overdue")
        self.assertEqual(debtor.level_id, self.level_1)


@tagged("post_install", "-at_install")
class TestManagerAgingTour(DebtorFollowupCommon, HttpCase):
    """A credit manager opens the receivables aging pivot and drills into a bucket (tour
    ``debtor_followup_manager_aging``), seeing each invoice in its bucket and the bucket's items only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.aging_customer = cls.env["res.partner"].create({
            "name": "Aging Tour Ltd", "is_company": True, "email": "ap@agingtour.example.com"})
        for amount, days_overdue in ((300.0, -5), (500.0, 10), (700.0, 45), (900.0, 100)):
            due = today - timedelta(days=days_overdue)
            cls._invoice(cls.aging_customer, amount, due - timedelta(days=30), due_date=due)

    def test_manager_aging(self):
        lines = self.env["debtor.report.aging"].search([("partner_id", "=", self.aging_customer.id)])
        self.assertEqual(sorted(lines.mapped("amount_residual")), [300.0, 500.0, 700.0, 900.0])
        self.start_tour("/odoo", "debtor_followup_manager_aging", login=self.manager.login, timeout=180)
