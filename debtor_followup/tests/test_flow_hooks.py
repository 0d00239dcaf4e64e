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

    @freeze_time("2026-02-15")
    def test_refresh_runs_at_commit_time_when_nobody_reads(self):
        calls, patcher = self._count_refreshes()
        with patcher:
            self._invoice(self.customer, 100.0, "2026-01-01", due_date="2026-01-31")
            self.assertEqual(calls, [])
            self.env.flush_all()
            self.env.cr.precommit.run()  # what the commit of the transaction runs
            self.assertEqual(calls, [{self.customer.id}])
        self.assertEqual(self._debtor(self.customer).total_overdue, 100.0)
