from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestContactFormTour(DebtorFollowupCommon, HttpCase):
    """A reminded customer's contact form opens without any error dialog or console error, as every role that opens
    it (tour ``debtor_followup_contact_form``): the reminder and its statement PDF are in the contact's chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.tour_customer = cls.env["res.partner"].create({
            "name": "Thumbnail Tour BV", "is_company": True, "email": "ap@thumbnailtour.example.com"})
        cls._invoice(cls.tour_customer, 800.0, today - timedelta(days=40), due_date=today - timedelta(days=10))
        debtor = cls.env["debtor.customer"].search([("partner_id", "=", cls.tour_customer.id)])
        cls.env["debtor.followup.send"].with_user(cls.controller).create({"customer_id": debtor.id}).action_send()
        cls.url = f"/odoo/action-base.action_partner_form/{cls.tour_customer.id}"

    def _open_as(self, login):
        action = self.env["debtor.followup.action"].search([("partner_id", "=", self.tour_customer.id)])
        statement = action.mail_message_id.attachment_ids.filtered(lambda a: a.name.startswith("Statement"))
        self.assertEqual(len(statement), 1, "the reminder in the contact's chatter carries the statement")
        self.assertEqual(action.mail_message_id.model, "res.partner")
        self.start_tour(self.url, "debtor_followup_contact_form", login=login, timeout=120)

    def test_as_controller(self):
        self._open_as(self.controller.login)

    def test_as_manager(self):
        self._open_as(self.manager.login)

    def test_as_invoicing_user(self):
        self._open_as(self.invoicing_user.login)

    def test_as_admin(self):
        self._open_as("admin")


@tagged("post_install", "-at_install")
class TestSameFiguresTour(DebtorFollowupCommon, HttpCase):
    """One customer's figures read in the browser on the work queue, the debtor file, the statement preview and the
    receivables aging with its drill-down, and compared (tour ``debtor_followup_same_figures``).

    ===========================  ==============  ========  ========
    item                         due             open      overdue
    ===========================  ==============  ========  ========
    invoice A (1,000), 400 paid  60 days ago     600.00    600.00
    invoice B (500), 200 of it   15 days ago     500.00    500.00
    disputed
    invoice C (800)              in 25 days      800.00
    credit note (150)            5 days ago      -150.00
    payment (250), unused        3 days ago      -250.00
    ===========================  ==============  ========  ========

    Total due 1,500.00, overdue 1,100.00 (credits do not reduce it).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        days = lambda n: today + timedelta(days=n)  # noqa: E731
        cls.tour_customer = cls.env["res.partner"].create({
            "name": "Figures Tour SA", "is_company": True, "email": "ap@figurestour.example.com"})
        inv_a = cls._invoice(cls.tour_customer, 1000.0, days(-90), due_date=days(-60))
        cls._pay(inv_a, 400.0, days(-50))
        inv_b = cls._invoice(cls.tour_customer, 500.0, days(-45), due_date=days(-15))
        cls._invoice(cls.tour_customer, 800.0, days(-5), due_date=days(25))
        cls._invoice(cls.tour_customer, 150.0, days(-5), due_date=days(-5), move_type="out_refund")
        cls.init_payment(250.0, post=True, date=days(-3), partner=cls.tour_customer)
        cls.env["debtor.dispute"].create({
            "move_id": inv_b.id, "reason_id": cls.env.ref("debtor_followup.dispute_reason_damaged").id,
            "disputed_amount": 200.0})
        cls.env["debtor.customer"]._refresh(cls.company, cls.tour_customer)

    def test_same_figures_on_every_screen(self):
        debtor = self._debtor(self.tour_customer)
        self.assertEqual((debtor.total_due, debtor.total_overdue), (1500.0, 1100.0))
        others = self.env["debtor.report.aging"].search_count([
            ("company_id", "=", self.company.id), ("partner_id", "!=", self.tour_customer.id)])
        self.assertFalse(others, "the customer is the company's only one: the aging's total is its total")
        self.start_tour("/odoo", "debtor_followup_same_figures", login=self.controller.login, timeout=180)
