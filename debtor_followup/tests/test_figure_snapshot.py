from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import float_round

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestFigureSnapshot(DebtorFollowupCommon):
    """The nightly run keeps the day's figures of the company (for the manager's trend charts), from the one
    definition of the figures: the ledger of test_figures.TestSameFigureEverywhere on 18 March 2026.

    Owed 1,900.00, credits -400.00, total due 1,500.00, overdue 1,100.00, disputed 200.00; by bucket: not due
    800.00, 1-30 days 100.00 (500.00 owed less the credit note and the unused payment), 61-90 days 600.00.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-18"):
            inv = cls._invoice
            cls.inv_a = inv(cls.customer, 1000.0, "2025-12-15", due_date="2026-01-15")
            cls._pay(cls.inv_a, 400.0, "2026-02-01")
            cls.inv_b = inv(cls.customer, 500.0, "2026-02-01", due_date="2026-03-01")
            cls.inv_c = inv(cls.customer, 800.0, "2026-03-10", due_date="2026-04-10")
            inv(cls.customer, 150.0, "2026-03-10", due_date="2026-03-10", move_type="out_refund")
            cls.init_payment(250.0, post=True, date="2026-03-12", partner=cls.customer)
            cls.env["debtor.dispute"].create({
                "move_id": cls.inv_b.id, "reason_id": cls.env.ref("debtor_followup.dispute_reason_damaged").id,
                "disputed_amount": 200.0, "date": "2026-03-05"})

    def _snapshots(self):
        return self.env["debtor.figure.snapshot"].search([("company_id", "=", self.company.id)], order="date")

    def test_the_run_keeps_the_figures_of_the_day(self):
        with freeze_time("2026-03-18"):
            # read before the run: the run's reminders may then charge fees (new sales)
            dso = self.env["debtor.report.dso"].search(
                [("company_id", "=", self.company.id), ("date", "=", "2026-03-01")]).dso
            self._run(today=self.d("2026-03-18"))
        snapshot = self._snapshots()
        self.assertRecordValues(snapshot, [{
            "date": self.d("2026-03-18"), "month_last": True, "currency_id": self.company.currency_id.id,
            "customer_count": 1, "overdue_customer_count": 1,
            "amount_open": 1900.0, "amount_credit": -400.0, "amount_total": 1500.0, "amount_overdue": 1100.0,
            "amount_disputed": 200.0, "amount_plan": 0.0, "amount_collection": 0.0,
            "amount_not_due": 800.0, "amount_1_30": 100.0, "amount_31_60": 0.0, "amount_61_90": 600.0,
            "amount_91_120": 0.0, "amount_over_120": 0.0,
        }])
        self.assertTrue(dso > 0)
        self.assertEqual(snapshot.dso, float_round(dso, 1), "the DSO report's figure of the month")
        # the same figures as the work queue and the aging
        debtor = self._debtor(self.customer)
        self.assertEqual((snapshot.amount_total, snapshot.amount_overdue), (debtor.total_due, debtor.total_overdue))
        buckets = (snapshot.amount_not_due + snapshot.amount_1_30 + snapshot.amount_31_60 + snapshot.amount_61_90
                   + snapshot.amount_91_120 + snapshot.amount_over_120)
        self.assertEqual(round(buckets, 2), snapshot.amount_total, "the buckets add up to the total due")

    def test_one_snapshot_a_day_the_latest_marks_the_month(self):
        with freeze_time("2026-03-18"):
            self._run(today=self.d("2026-03-18"))
        with freeze_time("2026-03-19"):
            self._pay(self.inv_b, 300.0, "2026-03-19")
            self._run(today=self.d("2026-03-19"))
            # taken again the same day (a run resumed or run by hand): the day's snapshot is updated, not doubled
            self.env["debtor.figure.snapshot"]._take(self.company, self.d("2026-03-19"))
        with freeze_time("2026-04-01"):
            self._run(today=self.d("2026-04-01"))
        snapshots = self._snapshots()
        self.assertEqual(snapshots.mapped("date"),
                         [self.d("2026-03-18"), self.d("2026-03-19"), self.d("2026-04-01")])
        self.assertEqual(snapshots.mapped("month_last"), [False, True, True])
        self.assertEqual(snapshots.mapped("amount_overdue"), [1100.0, 800.0, 800.0])
        self.assertEqual(snapshots[1].amount_total, 1200.0)
        self.assertEqual((snapshots[2].amount_not_due, snapshots[2].amount_1_30), (800.0, -400.0),
                         "on 1 April invoice B's rest is 31-60 days late and the credits 1-30 days old")

    def test_managers_read_it_controllers_do_not(self):
        with freeze_time("2026-03-18"):
            self._run(today=self.d("2026-03-18"))
        self.assertEqual(self.env["debtor.figure.snapshot"].with_user(self.manager).search_count([]), 1)
        with self.assertRaises(AccessError):
            self.env["debtor.figure.snapshot"].with_user(self.controller).search([])
        with self.assertRaises(AccessError):
            self._snapshots().with_user(self.manager).write({"amount_overdue": 0.0})
