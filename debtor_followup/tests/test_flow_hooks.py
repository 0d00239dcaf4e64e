from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.debtor_customer_engine import DebtorCustomerEngine as DebtorCustomer
from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestFlowHooks(DebtorFollowupCommon):
    """Odoo's own flows only note the customers they touch; the debtor files are refreshed once, set-based."""

    def _count_refreshes(self):
        calls = []
        original = DebtorCustomer._refresh

        def counting(model, company, partners=None, today=None):
            calls.append(set(partners.ids) if partners is not None else None)
            return original(model, company, partners, today)

        return calls, patch.object(DebtorCustomer, "_refresh", counting)

    @freeze_time("2026-02-15")
    def test_postings_and_payments_refresh_once_when_read(self):
        calls, patcher = self._count_refreshes()
        with patcher:
            first = self._invoice(self.customer, 100.0, "2026-01-01", due_date="2026-01-31")
            second = self._invoice(self.customer, 250.0, "2026-01-05", due_date="2026-02-04")
            self._invoice(self.customer_b, 40.0, "2026-01-05", due_date="2026-03-01")
            self._pay(first, 30.0, "2026-02-10")
            self.assertEqual(calls, [], "posting and paying leave the refresh to the end of the transaction")
            debtor = self._debtor(self.customer)  # a search of debtor files refreshes what is pending first
            self.assertEqual(len(calls), 1, "one refresh for all the postings and payments of the transaction")
            self.assertEqual(calls[0], {self.customer.id, self.customer_b.id})
            self.assertEqual((debtor.total_due, debtor.total_overdue), (320.0, 320.0))
            self.assertEqual(self._debtor(self.customer_b).total_due, 40.0)
            self.assertEqual(len(calls), 1, "nothing left to refresh")
            self._pay(second, 250.0, "2026-02-12")
            self.assertEqual(debtor.total_due, 70.0, "a cached figure is forgotten: the next read is current")
            self.assertEqual(len(calls), 2)

    def _queued(self):
        self.env.cr.execute("SELECT company_id, partner_id FROM debtor_customer_refresh ORDER BY id")
        return self.env.cr.fetchall()

    def _commit_hooks(self):
        """What the commit of the transaction runs (the test's transaction itself is never committed)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    @freeze_time("2026-02-15")
    def test_commit_queues_the_refresh_and_wakes_the_cron(self):
        cron = self.env.ref("debtor_followup.ir_cron_debtor_refresh_queue")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        calls, patcher = self._count_refreshes()
        with patcher:
            self._invoice(self.customer, 100.0, "2026-01-01", due_date="2026-01-31")
            self._invoice(self.customer, 60.0, "2026-01-02", due_date="2026-01-31")
            self._commit_hooks()
            self.assertEqual(calls, [], "the posting's transaction refreshes nothing")
            self.assertEqual(self._queued(), [(self.company.id, self.customer.id)], "the customer is queued once")
            self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
            self._invoice(self.customer_b, 40.0, "2026-01-05", due_date="2026-01-31")
            self._commit_hooks()
            self.assertEqual(self._queued(), [(self.company.id, self.customer.id),
                                              (self.company.id, self.customer_b.id)])
            self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1,
                             "the cron was woken by the first: a burst of postings wakes it once")
            # the cron refreshes the queued files and empties the queue
            self.env["debtor.customer"]._cron_process_refresh_queue()
            self.assertEqual(calls, [{self.customer.id, self.customer_b.id}])
            self.assertEqual(self._queued(), [])
        self.assertEqual(self._debtor(self.customer).total_overdue, 160.0)
        self.assertEqual(self._debtor(self.customer_b).total_overdue, 40.0)

    @freeze_time("2026-02-15")
    def test_the_next_reader_refreshes_what_is_queued(self):
        self._invoice(self.customer, 100.0, "2026-01-01", due_date="2026-01-31")
        self._commit_hooks()
        self.assertEqual(len(self._queued()), 1)
        calls, patcher = self._count_refreshes()
        with patcher:
            Customer = self.env["debtor.customer"]
            files = Customer.search([("partner_id", "=", self.customer.id)])
            self.assertEqual(calls, [{self.customer.id}], "a search of files refreshes the queued ones first")
            self.assertEqual(files.total_overdue, 100.0, "the new customer's file is made by that refresh")
            self.assertEqual(self._queued(), [])
            self.env["debtor.customer"].search([("total_overdue", ">", 0)])
            self.assertEqual(len(calls), 1, "once per transaction: the queue is empty now")

    @freeze_time("2026-02-15")
    def test_a_file_read_in_the_same_transaction_is_refreshed_not_queued(self):
        self._invoice(self.customer, 100.0, "2026-01-01", due_date="2026-01-31")
        self.assertEqual(self._debtor(self.customer).total_overdue, 100.0)
        self._commit_hooks()
        self.assertEqual(self._queued(), [], "nothing left to queue")

    @freeze_time("2026-02-15")
    def test_a_failing_queued_refresh_leaves_the_reader_its_files(self):
        self._invoice(self.customer, 100.0, "2026-01-01", due_date="2026-01-31")
        self.assertEqual(self._debtor(self.customer).total_overdue, 100.0)
        self._invoice(self.customer, 50.0, "2026-01-02", due_date="2026-01-31")
        self._commit_hooks()
        broken = patch.object(type(self.env["debtor.customer"]), "_refresh_usual_delays",
                              side_effect=RuntimeError("delays broken"))
        with broken, self.assertLogs("odoo.addons.debtor_followup.models.debtor_customer_engine", "WARNING"):
            debtor = self._debtor(self.customer)
            self.assertEqual(debtor.total_overdue, 100.0, "the file as last refreshed, no error for the reader")
        self.assertEqual(self._queued(), [(self.company.id, self.customer.id)], "still queued for the cron")
        self.env["debtor.customer"]._cron_process_refresh_queue()
        self.assertEqual(debtor.total_overdue, 150.0)
        self.assertEqual(self._queued(), [])

    @freeze_time("2026-03-02")
    def test_figures_computed_when_read_follow_the_flows_in_the_same_transaction(self):
        """The invoice's total owed, an item's next level and a promise's amount paid are not declared dependent on
        the items' amounts: the flows that change those forget them, so a second read in the same transaction is
        current."""
        self.company.debtor_late_payment_rule = "eu"
        invoice = self._invoice(self.customer, 1000.0, "2026-01-01", due_date="2026-01-31")
        item = self._receivable(invoice)
        owed_before, next_before = invoice.debtor_owed_total, item.debtor_next_level_id
        self.assertGreater(owed_before, 1000.0, "interest accrued since 31 January")
        self.assertTrue(next_before)
        promise = self.env["debtor.promise"].create({
            "partner_id": self.customer.id, "company_id": self.company.id, "date": "2026-03-20",
            "amount": 400.0, "line_ids": [(6, 0, item.ids)]})
        self.assertEqual(promise.amount_paid, 0.0)
        self._pay(invoice, 400.0, "2026-03-02")
        self.assertAlmostEqual(invoice.debtor_owed_total, owed_before - 400.0, delta=0.5,
                               msg="the payment of today is in the second read")
        self.assertEqual(promise.amount_paid, 400.0)
        item._debtor_set_level(next_before, self.d("2026-03-02"))
        self.assertNotEqual(item.debtor_next_level_id, next_before, "the level recorded moves the next one on")
