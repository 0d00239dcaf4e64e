import re
import unittest
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestPortalTour(DebtorFollowupCommon, HttpCase):
    """The debtor's visit in a real browser (tours ``debtor_followup_portal_visit`` and ``_queue``).

    The customer has three invoices ten days overdue; the nightly run queues the first reminder. The tour opens the
    link of that queued email as an anonymous visitor, disputes the first invoice, promises to pay the second in a
    week and pays the third with Odoo's demo payment provider; then the controller's work queue shows the three
    answers. The demo provider is Odoo's ``payment_demo``, installed beside the addon for the tests only (``./dev
    test`` does): without it the test is skipped, saying so.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.env["ir.module.module"]._get("payment_demo").state != "installed":
            raise unittest.SkipTest("payment_demo is not installed: ./dev test installs it beside the addon")
        today = fields.Date.today()
        cls.today = today
        cls.tour_customer = cls.env["res.partner"].create({
            "name": "Tour Payer BV", "is_company": True, "email": "ap@tourpayer.example.com", "lang": "en_US"})
        invoice_date, due_date = today - timedelta(days=40), today - timedelta(days=10)
        cls.invoice_disputed = cls._invoice(cls.tour_customer, 450.0, invoice_date, due_date=due_date)
        cls.invoice_promised = cls._invoice(cls.tour_customer, 1200.0, invoice_date, due_date=due_date)
        cls.invoice_paid = cls._invoice(cls.tour_customer, 1000.0, invoice_date, due_date=due_date)
        # the demo provider of the test company (Odoo copies the providers for every new company)
        Provider = cls.env["payment.provider"].sudo()
        demo = Provider.search([("code", "=", "demo"), ("company_id", "=", cls.company.id)], limit=1) \
            or cls.env.ref("payment.payment_provider_demo").sudo().copy({"company_id": cls.company.id})
        demo.write({"state": "test", "is_published": True})
        cls.reason = cls.env["debtor.dispute.reason"].search([], limit=1)

    def test_debtor_visit(self):
        self._run()
        action = self.env["debtor.followup.action"].search([("partner_id", "=", self.tour_customer.id)])
        mail = self._mails(action)
        self.assertEqual(mail.state, "outgoing", "the reminder is queued")
        link = re.search(r'href="([^"]*/my/debtor/\d+\?access_token=[^"]+)"', str(mail.body_html)).group(1)
        path = link[link.index("/my/debtor/"):]

        self.start_tour(path, "debtor_followup_portal_visit", timeout=240)

        debtor = self._debtor(self.tour_customer)
        dispute = self.env["debtor.dispute"].search([("partner_id", "=", self.tour_customer.id)])
        self.assertRecordValues(dispute, [{"move_id": self.invoice_disputed.id, "state": "open",
                                           "disputed_amount": 450.0, "reason_id": self.reason.id}])
        self.assertIn("Two chairs arrived broken", dispute.description)
        promise = self.env["debtor.promise"].search([("partner_id", "=", self.tour_customer.id)])
        self.assertRecordValues(promise, [{"state": "open", "amount": 1200.0}])
        self.assertLessEqual(abs((promise.date - self.today).days - 7), 1)
        self.assertEqual(promise.line_ids, self._receivable(self.invoice_promised))
        tx = self.env["payment.transaction"].search([("invoice_ids", "=", self.invoice_paid.id)])
        self.assertRecordValues(tx, [{"amount": 1000.0, "state": "done", "provider_code": "demo"}])
        answers = self.env["debtor.portal.answer"].search([("customer_id", "=", debtor.id)])
        self.assertEqual(sorted(answers.mapped("kind")), ["dispute", "pay", "promise"])
        self.assertEqual(answers.action_id, action)
        # the disputed and promised invoices leave the follow-up at once
        reasons = self._receivable(self.invoice_disputed | self.invoice_promised).mapped("debtor_exclusion_reason")
        self.assertEqual(sorted(reasons), ["dispute", "promise"])

        self.start_tour("/odoo/action-debtor_followup.debtor_customer_action", "debtor_followup_portal_queue",
                        login=self.controller.login, timeout=180)
