from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestPromise(DebtorFollowupCommon):
    """A promise to pay pauses the follow-up of its items until its date; kept or broken by the nightly run."""

    def setUp(self):
        super().setUp()
        self.invoice = self._invoice(self.customer, 800.0, "2025-12-01", due_date="2026-01-01")
        self.other = self._invoice(self.customer, 50.0, "2025-12-01", due_date="2026-01-01")
        self.debtor = self._debtor(self.customer)

    def _promise(self, amount, promise_date, invoices=None):
        wizard = self.env["debtor.promise.wizard"].with_user(self.controller).create({
            "customer_id": self.debtor.id, "date": promise_date})
        if invoices is not None:
            wizard.line_ids = self._receivable(invoices)
        wizard.amount = amount
        wizard.action_confirm()
        return self.env["debtor.promise"].search([("partner_id", "=", self.customer.id)], limit=1)

    def test_promise_pauses_its_items_and_is_kept(self):
        with freeze_time("2026-01-05"):
            promise = self._promise(800.0, "2026-01-20", self.invoice)
            self.assertEqual(promise.residual_at_promise, 800.0)
            self.assertIn("Promise to pay recorded", self.customer.message_ids[0].body)
        with freeze_time("2026-01-08"):
            action = self._run().action_ids
            self.assertEqual(action.line_ids.move_id, self.other, "the promised invoice is left alone")
        self._pay(self.invoice, 800.0, "2026-01-15")
        with freeze_time("2026-01-16"):
            run = self._run()
        self.assertEqual(promise.state, "kept")
        self.assertEqual(run.kept_promise_count, 1)

    def test_broken_promise_resumes_follow_up(self):
        with freeze_time("2026-01-05"):
            promise = self._promise(500.0, "2026-01-12", self.invoice | self.other)
        self._pay(self.invoice, 200.0, "2026-01-10")
        self.assertEqual(promise.amount_paid, 200.0)
        with freeze_time("2026-01-12"):
            run = self._run()
            self.assertEqual(promise.state, "open", "broken only once the date has passed")
            self.assertFalse(run.action_ids)
            self.assertEqual(self.debtor.status, "excluded", "every overdue item is promised")
        with freeze_time("2026-01-13"):
            run = self._run()
            self.assertEqual(promise.state, "broken")
            self.assertEqual(run.broken_promise_count, 1)
            self.assertIn("broken", self.customer.message_ids.mapped("body")[1])
            self.assertEqual(run.action_ids.line_ids.move_id, self.invoice | self.other,
                             "follow-up resumes the same night")

    def test_nonsense_promises_are_refused(self):
        with freeze_time("2026-01-05"):
            with self.assertRaisesRegex(UserError, "today or a later date"):
                self._promise(100.0, "2026-01-04", self.invoice)
            with self.assertRaisesRegex(UserError, "must be positive"):
                self._promise(-5.0, "2026-01-10", self.invoice)
            # (a constraint raises after the insert: the savepoint stands for the request's rollback)
            with self.assertRaisesRegex(ValidationError, "only owe"), self.cr.savepoint():
                self._promise(900.0, "2026-01-10", self.invoice)
            foreign = self._invoice(self.customer_b, 10.0, "2025-12-01", due_date="2026-01-01")
            with self.assertRaisesRegex(ValidationError, "its own open receivable items"), self.cr.savepoint():
                self.env["debtor.promise"].create({
                    "partner_id": self.customer.id, "company_id": self.company.id, "date": "2026-01-10",
                    "amount": 10.0,
                    "line_ids": [(6, 0, self._receivable(foreign).ids)],
                })
        self.assertFalse(self.env["debtor.promise"].search([("partner_id", "=", self.customer.id)]))

    def test_cancel_promise(self):
        with freeze_time("2026-01-05"):
            promise = self._promise(100.0, "2026-01-30", self.invoice)
            promise.action_cancel()
            self.assertEqual(promise.state, "cancelled")
        with freeze_time("2026-01-08"):
            self.assertEqual(self._run().action_ids.line_ids.move_id, self.invoice | self.other)
