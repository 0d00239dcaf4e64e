"""The customer's page behind every reminder (controllers/portal.py), as its visitors use it over HTTP.

The visitors: an anonymous visitor holding the link of a reminder, a portal user of the customer, and strangers (an
anonymous visitor with a wrong, revoked or expired link or another customer's id, the portal user of another
customer). Every answer is posted as the browser posts it (form, CSRF token, files) and checked in the database:
what it creates, the follow-up it pauses, and that a refused answer writes nothing.
"""
import base64
import io
import re
from datetime import timedelta

import zxingcpp
from freezegun import freeze_time
from PIL import Image

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import HttpCase
from odoo.tests import JsonRpcException
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DebtorFollowupCommon

# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestPortal(DebtorFollowupCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        invoice_date, due_date = cls.today - timedelta(days=40), cls.today - timedelta(days=10)
        cls.inv_1 = cls._invoice(cls.customer, 1000.0, invoice_date, due_date=due_date)
        cls.inv_2 = cls._invoice(cls.customer, 400.0, invoice_date, due_date=due_date)
        cls.inv_3 = cls._invoice(cls.customer, 250.0, invoice_date, due_date=due_date)
        cls.other_invoice = cls._invoice(cls.customer_b, 700.0, invoice_date, due_date=due_date)
        cls.reason = cls.env["debtor.dispute.reason"].search([], limit=1)
        cls.portal_user = new_test_user(cls.env, login="slow_portal", groups="base.group_portal",
                                        name="Paula Portal", email="paula@slowpayer.example.com")
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.other_portal_user = new_test_user(cls.env, login="late_portal", groups="base.group_portal",
                                              name="Lars Late", email="lars@latecorp.example.com")
        cls.other_portal_user.partner_id.parent_id = cls.customer_b

    def setUp(self):
        super().setUp()
        self.debtor = self._debtor(self.customer)
        self.other_debtor = self._debtor(self.customer_b)
        # the reminder the link comes with
        self._run()
        self.reminder = self.env["debtor.followup.action"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(self.reminder), 1)
        self.url = self.debtor._debtor_portal_url()
        self.token = self.debtor.access_token

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _page(self, url=None):
        response = self.url_open(url or self.url)
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.text

    def _csrf(self, url=None):
        return re.search(r'name="csrf_token" value="([^"]+)"', self._page(url)).group(1)

    def _answer(self, kind, move_ids, token=True, files=None, **fields_):
        data = {"csrf_token": self._csrf(None if token else f"/my/debtor/{self.debtor.id}"), "kind": kind,
                "move_ids": [str(move_id) for move_id in move_ids], **fields_}
        if token:
            data["access_token"] = self.token
        return self.url_open(f"/my/debtor/{self.debtor.id}/answer", data=data, files=files, allow_redirects=False)

    def _accepted(self, response):
        error = re.search(r'o_debtor_error[^>]*>([^<]*)<', response.text)
        self.assertEqual(response.status_code, 303, error and error.group(1))

    def _refused(self, response, message):
        self.assertEqual(response.status_code, 400)
        self.assertIn(message, response.text)

    def _receivable_reason(self, invoice):
        line = self._receivable(invoice)
        line.invalidate_recordset(["debtor_exclusion_reason"])
        return line.debtor_exclusion_reason

    def _answers(self):
        return self.env["debtor.portal.answer"].search([("customer_id", "=", self.debtor.id)])

    # ------------------------------------------------------------------
    # who sees the page
    # ------------------------------------------------------------------
    def test_link_opens_the_customers_page(self):
        self.assertEqual(len(self.token), 72, "two random UUIDs")
        html = self._page()
        for invoice in self.inv_1 | self.inv_2 | self.inv_3:
            self.assertIn(invoice.name, html)
        self.assertIn(self.company.name, html)
        self.assertIn("Slow Payer Ltd", html)
        self.assertNotIn(self.other_invoice.name, html)
        self.assertIn(f"/my/invoices/{self.inv_1.id}?access_token={self.inv_1.access_token}", html)
        # the statement PDF of the file
        response = self.url_open(f"/my/debtor/{self.debtor.id}/statement?access_token={self.token}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        # the short link of letters and statements leads to the page
        response = self.url_open(f"/debtor/{self.token}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/debtor/{self.debtor.id}?access_token={self.token}", response.headers["Location"])

    def test_an_invoice_in_installments_is_overdue_from_its_first_open_one(self):
        """The page dates and labels an invoice by its earliest open installment, as the follow-up chases it: 30 %
        due 20 days ago is overdue although the last 70 % falls due in 40 days."""
        term = self.env["account.payment.term"].create({
            "name": "30% now, 70% in 60 days",
            "line_ids": [Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                         Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60})]})
        invoice = self._invoice(self.customer, 1000.0, self.today - timedelta(days=20), payment_term=term)
        first, last = self._receivable(invoice)
        self.assertEqual(self.debtor._debtor_portal_move_due(invoice), {invoice.id: first.date_maturity})
        self.assertGreater(last.date_maturity, self.today)
        self.assertTrue(self.debtor._debtor_portal_move_states(invoice)[invoice.id].startswith("Overdue"))

    def test_strangers_get_404(self):
        cases = {
            "another customer's id with this link": f"/my/debtor/{self.other_debtor.id}?access_token={self.token}",
            "a wrong token": f"/my/debtor/{self.debtor.id}?access_token={self.token[:-1]}x",
            "no token": f"/my/debtor/{self.debtor.id}",
            "a file that does not exist": f"/my/debtor/{self.other_debtor.id + 1000}?access_token={self.token}",
            "a wrong short link": f"/debtor/{self.token[:-1]}x",
            "the statement of another customer": f"/my/debtor/{self.other_debtor.id}/statement"
                                                 f"?access_token={self.token}",
        }
        for case, url in cases.items():
            with self.subTest(case=case):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Slow Payer", response.text)
                self.assertNotIn("Late Corp", response.text)
        # the portal user of another customer, without or with this customer's link
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        self.assertEqual(self.url_open(f"/my/debtor/{self.debtor.id}").status_code, 404)
        # an answer posted to another customer's file with this link writes nothing
        self.authenticate(None, None)
        csrf = self._csrf()
        response = self.url_open(f"/my/debtor/{self.other_debtor.id}/answer", data={
            "csrf_token": csrf, "access_token": self.token, "kind": "paid",
            "move_ids": [str(self.other_invoice.id)], "date": str(self.today), "amount": "700"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.env["debtor.portal.answer"].search([]))

    def test_revoked_and_expired_links_get_404(self):
        self.debtor.with_user(self.controller).action_portal_revoke()
        self.assertEqual(self.url_open(self.url).status_code, 404)
        self.assertIn("revoked", self.debtor.message_ids[:1].body)
        # the next reminder brings a new link, which works
        new_url = self.debtor._debtor_portal_url()
        self.assertNotEqual(new_url, self.url)
        self._page(new_url)
        # it expires after the company's number of days
        self.company.debtor_portal_token_days = 30
        with freeze_time(fields.Datetime.now() + timedelta(days=31)):
            self.assertEqual(self.url_open(new_url).status_code, 404)
            # and a new one is issued with the next document
            self.assertNotEqual(self.debtor._debtor_portal_url(), new_url)

    def test_portal_user_from_my(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        home = self.url_open("/my/home")
        self.assertIn("/my/debtor", home.text)
        response = self.url_open("/my/debtor")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(f"/my/debtor/{self.debtor.id}"))
        self.assertIn(self.inv_1.name, response.text)
        self.assertEqual(self.url_open(f"/my/debtor/{self.other_debtor.id}").status_code, 404)
        # the portal user answers as itself
        response = self._answer("promise", self.inv_2.ids, token=False, date=str(self.today + timedelta(days=7)))
        self.assertEqual(response.status_code, 303)
        answer = self._answers()
        self.assertRecordValues(answer, [{"kind": "promise", "user_id": self.portal_user.id}])
        self.assertEqual(answer.promise_id.user_id, self.portal_user)

    # ------------------------------------------------------------------
    # the answers
    # ------------------------------------------------------------------
    def test_already_paid_pauses_the_invoices(self):
        self.assertFalse(self._receivable_reason(self.inv_1))
        response = self._answer("paid", (self.inv_1 | self.inv_2).ids, date=str(self.today - timedelta(days=2)),
                                amount="1400", comment="Paid by wire",
                                files={"attachment": ("proof.pdf", PDF, "application/pdf")})
        self.assertEqual(response.status_code, 303)
        self.assertIn("answered=paid", response.headers["Location"])
        answer = self._answers()
        self.assertRecordValues(answer, [{
            "kind": "paid", "amount": 1400.0, "date": self.today - timedelta(days=2),
            "pause_until": self.today + timedelta(days=self.company.debtor_portal_paid_pause_days),
            "action_id": self.reminder.id, "note": "Paid by wire"}])
        self.assertEqual(answer.move_ids, self.inv_1 | self.inv_2)
        self.assertEqual(answer.attachment_id.mimetype, "application/pdf")
        self.assertEqual(answer.attachment_id.res_model, "debtor.customer")
        # the reminders of those invoices wait; the third is still followed up
        self.assertEqual(self._receivable_reason(self.inv_1), "reported_paid")
        self.assertEqual(self._receivable_reason(self.inv_2), "reported_paid")
        self.assertFalse(self._receivable_reason(self.inv_3))
        # the responsible looks for the payment; the file's chatter tells it
        activity = self.debtor.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn(self.inv_1.name, activity.summary)
        self.assertIn("Already paid", self.debtor.message_ids[:1].body)
        self.assertIn("Thank you: we will look for your payment", self._page(response.headers["Location"]))
        # once the pause is over, the items are followed up again
        with freeze_time(self.today + timedelta(days=self.company.debtor_portal_paid_pause_days + 1)):
            self.assertFalse(self._receivable_reason(self.inv_1))

    def test_dispute_opens_a_dispute_with_its_sla(self):
        response = self._answer("dispute", self.inv_2.ids, reason_id=str(self.reason.id), amount="150",
                                comment="One item was damaged",
                                files={"attachment": ("photo.png", PNG, "image/png")})
        self._accepted(response)
        dispute = self.env["debtor.dispute"].search([("move_id", "=", self.inv_2.id)])
        self.assertRecordValues(dispute, [{
            "state": "open", "reason_id": self.reason.id, "disputed_amount": 150.0,
            "deadline": self.today + timedelta(days=self.reason.sla_days)}])
        self.assertIn("One item was damaged", dispute.description)
        self.assertTrue(self.env["ir.attachment"].search([("res_model", "=", "debtor.dispute"),
                                                          ("res_id", "=", dispute.id)]))
        self.assertRecordValues(self._answers(), [{"kind": "dispute", "dispute_id": dispute.id}])
        self.assertEqual(self._receivable_reason(self.inv_2), "dispute")
        # or given lines of an invoice: the dispute is of their amount
        line = self.inv_3.invoice_line_ids
        self.assertIn(f'value="{line.id}"', self._page())
        self._accepted(self._answer("dispute", self.inv_3.ids, reason_id=str(self.reason.id),
                                    line_ids=[str(line.id)]))
        dispute_3 = self.env["debtor.dispute"].search([("move_id", "=", self.inv_3.id)])
        self.assertRecordValues(dispute_3, [{"state": "open", "disputed_amount": 250.0}])
        self.assertEqual(dispute_3.invoice_line_ids, line)
        # a second dispute of the same invoice is refused, nothing written
        response = self._answer("dispute", self.inv_2.ids, reason_id=str(self.reason.id))
        self._refused(response, "already in dispute")
        self.assertEqual(len(self._answers()), 2)

    def test_promise_pauses_until_the_date(self):
        on = self.today + timedelta(days=14)
        response = self._answer("promise", self.inv_3.ids, date=str(on))
        self.assertEqual(response.status_code, 303)
        promise = self.env["debtor.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{"state": "open", "date": on, "amount": 250.0}])
        self.assertEqual(promise.line_ids, self._receivable(self.inv_3))
        self.assertEqual(promise.user_id, self.env.ref("base.public_user"))
        self.assertEqual(self._receivable_reason(self.inv_3), "promise")
        self.assertRecordValues(self._answers(), [{"kind": "promise", "promise_id": promise.id, "date": on}])

    def test_installments_within_limits_make_an_active_plan(self):
        # the page proposes the schedule first, then the customer accepts it
        response = self._answer("plan_preview", (self.inv_2 | self.inv_3).ids, installments="3")
        self.assertEqual(response.status_code, 303)
        preview = self._page(response.headers["Location"])
        self.assertIn("Accept this plan", preview)
        self.assertFalse(self.env["debtor.payment.plan"].search([("partner_id", "=", self.customer.id)]))
        response = self._answer("plan", (self.inv_2 | self.inv_3).ids, installments="3")
        self.assertEqual(response.status_code, 303)
        plan = self.env["debtor.payment.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(plan, [{"state": "active", "amount_total": 650.0, "installment_count": 3}])
        self.assertEqual(plan.move_ids, self.inv_2 | self.inv_3)
        self.assertEqual(self._receivable_reason(self.inv_2), "plan")
        self.assertRecordValues(self._answers(), [{"kind": "plan", "plan_id": plan.id}])
        page = self._page(response.headers["Location"])
        for installment in plan.line_ids:
            self.assertTrue(installment.reference.startswith("RF"))
            self.assertIn(installment.reference, page)

    def test_installments_beyond_limits_wait_for_a_manager(self):
        self.company.debtor_plan_approval_installments = 4
        self.debtor.responsible_id = self.manager
        response = self._answer("plan", self.inv_1.ids, installments="6")
        self.assertEqual(response.status_code, 303)
        self.assertIn("answered=plan_request", response.headers["Location"])
        plan = self.env["debtor.payment.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(plan, [{"state": "draft", "debtor_portal_requested": True}])
        self.assertTrue(plan.approval_required)
        self.assertEqual(plan.activity_ids.user_id, self.manager)
        self.assertEqual(self._answers().kind, "plan_request")
        self.assertFalse(self._receivable_reason(self.inv_1), "not a plan until approved")
        # only the page marks a plan as asked for by the customer
        with self.assertRaises(UserError):
            plan.with_user(self.controller).write({"debtor_portal_requested": False})
        # the Credit Manager approves: the plan is active and the customer told by email
        plan.with_user(self.manager).action_approve()
        self.assertEqual(plan.state, "active")
        mail = self.env["mail.mail"].search([("model", "=", "debtor.payment.plan"), ("res_id", "=", plan.id)])
        mail = mail.filtered(lambda mail: "approve the installments" in str(mail.body_html))
        self.assertEqual(len(mail), 1)
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertIn(plan.line_ids[0].reference, str(mail.body_html))

    def test_pay_now_several_invoices(self):
        provider = self.env["payment.provider"].create({
            "name": "Test Provider", "code": "none", "state": "test", "is_published": True,
            "company_id": self.company.id,
            "payment_method_ids": [Command.set(self.env.ref("payment.payment_method_unknown").ids)]})
        self.env.ref("payment.payment_method_unknown").active = True
        data = {"csrf_token": self._csrf(), "access_token": self.token,
                "move_ids": [str(self.inv_2.id), str(self.inv_3.id)]}
        response = self.url_open(f"/my/debtor/{self.debtor.id}/pay", data=data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_payment_form", response.text)
        self.assertIn(f"/my/debtor/{self.debtor.id}/transaction/{self.inv_2.id}-{self.inv_3.id}", response.text)
        # the browser asks for a transaction of a forged amount: it is for what the invoices owe
        result = self.make_jsonrpc_request(
            f"/my/debtor/{self.debtor.id}/transaction/{self.inv_2.id}-{self.inv_3.id}", {
                "access_token": self.token, "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id, "token_id": None,
                "amount": 1.0, "flow": "direct", "tokenization_requested": False,
                "landing_route": f"/my/debtor/{self.debtor.id}", "is_validation": False})
        tx = self.env["payment.transaction"].search([("reference", "=", result["reference"])])
        self.assertEqual(tx.amount, 650.0)
        self.assertEqual(tx.invoice_ids, self.inv_2 | self.inv_3)
        self.assertEqual(tx.partner_id, self.customer)
        self.assertRecordValues(self._answers(), [{"kind": "pay", "transaction_id": tx.id, "amount": 650.0}])
        # another customer's invoice cannot be slipped in
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request(
                f"/my/debtor/{self.debtor.id}/transaction/{self.other_invoice.id}", {
                    "access_token": self.token, "provider_id": provider.id,
                    "payment_method_id": self.env.ref("payment.payment_method_unknown").id, "token_id": None,
                    "amount": 1.0, "flow": "direct", "tokenization_requested": False,
                    "landing_route": "/", "is_validation": False})
        self.assertEqual(len(self._answers()), 1)

    # ------------------------------------------------------------------
    # bad input and abuse
    # ------------------------------------------------------------------
    def test_forged_input_is_refused_and_nothing_written(self):
        past, far = str(self.today - timedelta(days=1)), str(self.today + timedelta(days=365))
        cases = [
            ("promise", self.inv_1.ids, {"date": past}, "today or a later date"),
            ("promise", self.inv_1.ids, {"date": far}, "at the latest"),
            ("promise", self.inv_1.ids, {"date": "not-a-date"}, "valid date"),
            ("promise", self.inv_1.ids, {"date": str(self.today), "amount": "1000.01"}, "more than what is open"),
            ("paid", self.inv_1.ids, {"date": str(self.today), "amount": "-5"}, "more than zero"),
            ("paid", self.inv_1.ids, {"date": str(self.today + timedelta(days=1)), "amount": "5"}, "future"),
            ("paid", self.other_invoice.ids, {"date": str(self.today), "amount": "5"}, "Only your open invoices"),
            ("dispute", self.inv_1.ids, {"reason_id": "0"}, "reason"),
            ("dispute", self.inv_1.ids, {"reason_id": str(self.reason.id), "amount": "5000"}, "more than"),
            ("dispute", self.inv_1.ids, {"reason_id": str(self.reason.id),
                                         "line_ids": [str(self.inv_2.invoice_line_ids.id)]}, "Only lines"),
            ("plan", self.inv_1.ids, {"installments": "1"}, "between 2 and"),
            ("plan", [], {"installments": "3"}, "at least one invoice"),
            ("nonsense", self.inv_1.ids, {}, "not known"),
        ]
        for kind, move_ids, values, message in cases:
            with self.subTest(kind=kind, values=values):
                self._refused(self._answer(kind, move_ids, **values), message)
        self.assertFalse(self._answers())
        self.assertFalse(self.env["debtor.promise"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.env["debtor.dispute"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.env["debtor.payment.plan"].search([("partner_id", "=", self.customer.id)]))

    def test_uploads_limited_in_type_and_size(self):
        base = {"date": str(self.today), "amount": "10"}
        response = self._answer("paid", self.inv_1.ids, files={"attachment": ("run.sh", b"#!/bin/sh\nrm -rf /\n",
                                                                              "application/pdf")}, **base)
        self._refused(response, "Only PDF, PNG or JPEG")
        response = self._answer("paid", self.inv_1.ids, files={
            "attachment": ("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")}, **base)
        self._refused(response, "too large")
        self.assertFalse(self._answers())
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "debtor.customer"),
                                                           ("res_id", "=", self.debtor.id),
                                                           ("name", "like", "Proof of payment")]))

    @mute_logger("odoo.http")
    def test_csrf_required(self):
        response = self.url_open(f"/my/debtor/{self.debtor.id}/answer", data={
            "access_token": self.token, "kind": "promise", "move_ids": [str(self.inv_1.id)],
            "date": str(self.today)})
        self.assertIn(response.status_code, (400, 403))
        self.assertFalse(self._answers())

    def test_rate_limit_per_link_and_address(self):
        self.company.debtor_portal_rate_limit = 3
        self.env["debtor.portal.hit"].sudo().search([]).unlink()
        statuses = [self.url_open(self.url).status_code for _attempt in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertIn("Too many requests", self.url_open(self.url).text)
        # guessing links from the same address is counted too
        self.env["debtor.portal.hit"].sudo().search([]).unlink()
        guesses = [self.url_open(f"/my/debtor/{self.debtor.id}?access_token=guess{n}").status_code
                   for n in range(4)]
        self.assertEqual(guesses, [404, 404, 404, 429])

    # ------------------------------------------------------------------
    # the link in the documents, the answers in the back office
    # ------------------------------------------------------------------
    def test_documents_carry_the_link(self):
        mails = self._mails(self.reminder)
        self.assertIn(f"/my/debtor/{self.debtor.id}?access_token={self.token}", str(mails.body_html))
        html = str(self.env["ir.actions.report"]._render_qweb_html(
            "debtor_followup.action_report_debtor_statement", self.debtor.ids)[0])
        self.assertIn(f"/debtor/{self.token}", html)
        [qr_code] = re.findall(r'<img class="o_debtor_portal_qr_code"[^>]* src="data:image/png;base64,([^"]+)"', html)
        # the QR code reads back as the short link printed beside it, at Odoo's error correction level (L)
        [read] = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(qr_code))))
        self.assertEqual(read.format, zxingcpp.BarcodeFormat.QRCode)
        self.assertEqual(read.text, f"{self.debtor.get_base_url()}/debtor/{self.token}")
        self.assertEqual(read.ec_level, "L")
        # the letter of a reminder too (its debtor file found for the whole rendering)
        letter = str(self.env["ir.actions.report"]._render_qweb_html(
            "debtor_followup.action_report_debtor_letter", self.reminder.ids)[0])
        self.assertIn(f"/debtor/{self.token}", letter)
        self.assertIn("o_debtor_portal_qr_code", letter)

    def test_back_office_sees_the_answers(self):
        self._answer("promise", self.inv_3.ids, date=str(self.today + timedelta(days=5)))
        self._answer("dispute", self.inv_2.ids, reason_id=str(self.reason.id))
        Customer = self.env["debtor.customer"].with_user(self.controller)
        answered = Customer.search([("portal_answered", "=", True)])
        self.assertEqual(answered, self.debtor)
        self.assertIn("Answered", answered.queue_flags)
        self.assertEqual(answered.portal_answer_count, 2)
        report = self.env["debtor.report.portal"].with_user(self.controller)
        figures = report._read_group([("partner_id", "=", self.customer.id)], ["row_type"],
                                     ["reminder_count:sum", "answer_count:sum", "answered_share:avg"])
        by_type = {row_type: (reminders, answers, share) for row_type, reminders, answers, share in figures}
        self.assertEqual(by_type["reminder"][:1] + by_type["reminder"][2:], (1, 100.0))
        self.assertEqual(by_type["answer"][1], 2)
        kinds = dict(report._read_group([("partner_id", "=", self.customer.id), ("row_type", "=", "answer")],
                                        ["kind"], ["__count"]))
        self.assertEqual(kinds, {"promise": 1, "dispute": 1})
        # answers are evidence: the controller cannot write nor delete them
        answers = self._answers().with_user(self.controller)
        with self.assertRaises(UserError):
            answers.write({"amount": 1.0})
        with self.assertRaises(AccessError):
            answers.unlink()
