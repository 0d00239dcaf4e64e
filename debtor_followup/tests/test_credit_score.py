from datetime import timedelta

from freezegun import freeze_time
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo import Command
from odoo.tests import BaseCase
from odoo.tests import Form
from odoo.tests import tagged

from ..models.debtor_credit_check import SCORE_PENALTIES
from ..models.debtor_credit_check import rating_for_score
from ..models.debtor_credit_check import score_from_figures
from .common import DebtorFollowupCommon

TODAY = "2025-06-30"


@tagged("post_install", "-at_install")
class TestCreditScore(DebtorFollowupCommon):
    """The internal score, computed from the customer's own history and recomputed by the nightly run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Check = cls.env["debtor.credit.check"]
        with freeze_time(TODAY):
            # paid in the last 12 months: on time, 30 days late, 10 days late
            for amount, invoice_date, due, paid in (
                (1000.0, "2025-01-01", "2025-01-31", "2025-01-31"),
                (3000.0, "2025-02-01", "2025-02-28", "2025-03-30"),
                (2000.0, "2025-03-01", "2025-03-31", "2025-04-10"),
                (500.0, "2024-03-01", "2024-03-31", "2024-06-01"),  # paid before the window: left out
            ):
                invoice = cls._invoice(cls.customer, amount, invoice_date, due_date=due)
                cls._pay(invoice, amount, paid)
            # still open: one overdue (and disputed), one not due yet (a broken promise and a broken plan)
            cls.overdue = cls._invoice(cls.customer, 1000.0, "2025-05-01", due_date="2025-05-31")
            cls.not_due = cls._invoice(cls.customer, 1000.0, "2025-06-15", due_date="2025-07-15")
            cls.env["debtor.dispute"].create({
                "move_id": cls.overdue.id, "reason_id": cls.env.ref("debtor_followup.dispute_reason_damaged").id,
                "date": "2025-06-10"})
            promise = cls.env["debtor.promise"].create({
                "partner_id": cls.customer.id, "company_id": cls.company.id, "date": "2025-06-20", "amount": 500.0,
                "line_ids": [Command.set(cls._receivable(cls.not_due).ids)]})
            promise.sudo().state = "broken"  # as the nightly run
            plan = cls.env["debtor.payment.plan"].create({
                "partner_id": cls.customer.id, "move_ids": [Command.set(cls.not_due.ids)], "date": "2025-06-16",
                "first_due_date": "2025-06-25", "installment_count": 1, "frequency": "monthly"})
            plan.sudo().state = "broken"

    def test_formula(self):
        self.assertEqual(score_from_figures({})[0], 100)
        score, penalties = score_from_figures({"avg_days_late": 100, "weighted_days_late": 100, "late_share": 1.0,
                                               "open_disputes": 9, "broken_promises": 9, "broken_plans": 9,
                                               "overdue_ratio": 1.0})
        self.assertEqual(score, 0, "capped penalties, never below 0")
        self.assertEqual(sum(penalties.values()), 120.0)
        # half up: 100 - 12.5 = 87.5 -> 88
        self.assertEqual(score_from_figures({"overdue_ratio": 0.5})[0], 88)
        self.assertEqual([rating_for_score(s) for s in (100, 80, 79, 60, 59, 40, 39, 20, 19, 0)],
                         ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E"])

    @freeze_time(TODAY)
    def test_score_of_a_crafted_history(self):
        figures = self.Check._score_figures(self.company, self.customer)[self.customer.id]
        self.assertEqual((figures["paid_count"], figures["late_count"]), (3, 2))
        self.assertAlmostEqual(figures["avg_days_late"], 40 / 3)  # (0 + 30 + 10) / 3
        self.assertAlmostEqual(figures["weighted_days_late"], 110000 / 6000)  # (0*1000 + 30*3000 + 10*2000) / 6000
        self.assertAlmostEqual(figures["late_share"], 2 / 3)
        self.assertEqual((figures["open_disputes"], figures["broken_promises"], figures["broken_plans"]), (1, 1, 1))
        self.assertAlmostEqual(figures["overdue_ratio"], 0.5)  # 1,000 overdue of 2,000 due
        self.assertEqual(figures["oldest_overdue_days"], 30)  # due 31 May
        # penalties: 6.667 + 9.167 + 13.333 + 7.5 + 12.5 + 5 + 5 + 10 = 69.167 -> 100 - 69.167 = 30.83 -> 31 (D)
        self.assertEqual(self.Check._score_figures(self.company, self.customer_b), {})
        scored = self.Check._recompute_scores(self.company)
        self.assertGreaterEqual(scored, 1)
        debtor = self._debtor(self.customer)
        self.assertEqual((debtor.credit_score, str(debtor.credit_score_date), debtor.credit_score_rating),
                         (31, TODAY, "D"))
        explanation = debtor.credit_score_explanation
        self.assertIn("Score 31/100 (rating D)", explanation)
        self.assertIn("Main driver: Share of invoices paid late (-13.3 points)", explanation)
        for fragment in ("13.3 days", "18.3 days", "2 of 3 invoices", "-9.2", "-12.5", "-10.0", "30 days", "-7.5"):
            self.assertIn(fragment, explanation)
        self.assertEqual(self.customer.debtor_credit_score, 31)
        # a check records the score of the day
        check = self.Check.create({"partner_id": self.customer.id, "result": "cash_in_advance"})
        self.assertEqual((check.score, check.rating), (31, "D"))

    @freeze_time(TODAY)
    def test_check_form_shows_the_score(self):
        debtor = self._debtor(self.customer)
        form = Form(self.Check.with_user(self.controller).with_context(default_customer_id=debtor.id))
        self.assertEqual((form.score, form.rating), (31, "D"), "the rating is proposed from the score")
        self.assertIn("Score 31/100", form.score_explanation)
        form.result = "cash_in_advance"
        check = form.save()
        self.assertEqual((check.score, check.rating, check.validity_days), (31, "D", 365))

    def test_window_and_scope(self):
        with freeze_time("2026-06-30"):
            # a year later, the paid invoices have left the window; the overdue ratio and the dispute remain
            self.env["debtor.customer"]._refresh(self.company, today=self.d("2026-06-30"))
            figures = self.Check._score_figures(self.company, self.customer)[self.customer.id]
            self.assertEqual((figures["paid_count"], figures["broken_promises"], figures["broken_plans"]), (0, 0, 0))
            self.assertEqual(figures["open_disputes"], 1)
            self.assertAlmostEqual(figures["overdue_ratio"], 1.0)
            score = self.Check._internal_scores(self.company, self.customer)[self.customer.id]["score"]
            self.assertEqual(figures["oldest_overdue_days"], 395)
            self.assertEqual(score, 100 - 5 - 25 - 30, "the open dispute, all overdue, for more than 120 days")
        other = self.setup_other_company(name="Score Co")["company"]
        self.assertEqual(self.Check._score_figures(other, self.customer), {}, "a company's own history only")

    def test_customer_without_history_and_new_files(self):
        with freeze_time(TODAY):
            paid = self._invoice(self.customer_b, 100.0, "2025-06-01", due_date="2025-06-10")
            self._pay(paid, 100.0, "2025-06-05")
        self._debtor(self.customer_b).unlink()  # paid in full, its debtor file gone
        self.Check._recompute_scores(self.company, self.d(TODAY))
        debtor = self._debtor(self.customer_b)
        self.assertEqual((debtor.credit_score, debtor.credit_score_rating), (100, "A"), "paid early")
        self.assertIn("Nothing lowered the score", debtor.credit_score_explanation)

    def test_nightly_run_recomputes_and_stays_set_based(self):
        with freeze_time(TODAY):
            self._run(today=self.d(TODAY))
        self.assertEqual(self._debtor(self.customer).credit_score, 31)
        # the number of queries does not grow with the number of invoices
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.Check._recompute_scores(self.company, self.d(TODAY))
        few = self.env.cr.sql_log_count - before
        with freeze_time(TODAY):
            for day in range(1, 21):
                invoice = self._invoice(self.customer_b, 10.0, "2025-05-01", due_date="2025-05-10")
                self._pay(invoice, 10.0, f"2025-05-{day:02d}")
        self.Check._recompute_scores(self.company, self.d(TODAY))
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.Check._recompute_scores(self.company, self.d(TODAY))
        self.assertEqual(self.env.cr.sql_log_count - before, few)
        # customer_b: 10 of 20 invoices paid 1 to 10 days late: 100 - 2.75/2 - 2.75/2 - 20*0.5 = 87.25
        self.assertEqual(self._debtor(self.customer_b).credit_score, 87)

    @freeze_time(TODAY)
    def test_worse_never_scores_better(self):
        """A customer 348 days overdue and on credit hold never scores better than one 46 days late."""
        old = self.env["res.partner"].create({"name": "Long Gone Ltd", "is_company": True})
        recent = self.env["res.partner"].create({"name": "A Bit Late Ltd", "is_company": True})
        self._invoice(old, 1000.0, "2024-06-17", due_date="2024-07-17")  # 348 days overdue on 30 June 2025
        self._invoice(recent, 1000.0, "2025-04-15", due_date="2025-05-15")  # 46 days
        Customer = self.env["debtor.customer"]
        Customer._refresh(self.company, old | recent)
        self._debtor(old).credit_hold_note = "Never answers"
        self._debtor(old).action_credit_hold()
        scores = self.Check._internal_scores(self.company, old | recent)
        self.assertEqual(scores[old.id]["penalties"]["oldest_overdue_days"], 30.0)
        self.assertEqual(scores[old.id]["penalties"]["credit_hold"], 20.0)
        self.assertEqual(scores[recent.id]["penalties"]["oldest_overdue_days"], 11.5)
        # 100 - 30 - 25 (all overdue) - 20 (hold) = 25; 100 - 11.5 - 25 = 63.5 -> 64
        self.assertEqual((scores[old.id]["score"], scores[old.id]["rating"]), (25, "D"))
        self.assertEqual((scores[recent.id]["score"], scores[recent.id]["rating"]), (64, "B"))
        explanation = scores[old.id]["explanation"]
        for fragment in ("Oldest open item overdue", "348 days", "-30.0", "Put on credit hold by hand", "-20.0",
                         "Share of the balance overdue", "-25.0"):
            self.assertIn(fragment, explanation, "each penalty is shown")


@tagged("post_install", "-at_install")
class TestLedgerScoreIsMonotone(DebtorFollowupCommon):
    """Property on generated ledgers: another overdue invoice, the same debt overdue for longer, or a credit hold
    never raise the internal score of a customer (whatever its other open items and credits)."""

    @settings(max_examples=12, deadline=None)
    @given(invoices=st.lists(st.tuples(st.integers(10, 2000), st.integers(-30, 400)), min_size=1, max_size=3),
           credit=st.integers(0, 1500), extra=st.tuples(st.integers(10, 2000), st.integers(1, 400)),
           later=st.integers(1, 200))
    def test_worse_ledger_never_scores_better(self, invoices, credit, extra, later):
        with self.env.cr.savepoint(flush=False):  # each example on its own
            self._check_worse_ledger(invoices, credit, extra, later)

    def _check_worse_ledger(self, invoices, credit, extra, later):
        today = self.d(TODAY)
        partner = self.env["res.partner"].create({"name": "Generated Debtor", "is_company": True})
        for amount, days in invoices:
            due = today - timedelta(days=days)
            self._invoice(partner, float(amount), due - timedelta(days=30), due_date=due)
        if credit:
            self._invoice(partner, float(credit), today - timedelta(days=5), due_date=today - timedelta(days=5),
                          move_type="out_refund")

        def score(on_date):
            return self.Check._internal_scores(self.company, partner, on_date)[partner.id]["score"]

        base = score(today)
        self.assertLessEqual(score(today + timedelta(days=later)), base, "the same debt, overdue for longer")
        amount, days = extra
        due = today - timedelta(days=days)
        self._invoice(partner, float(amount), due - timedelta(days=30), due_date=due)
        more = score(today)
        self.assertLessEqual(more, base, "one more overdue invoice")
        customer = self._debtor(partner) or self.env["debtor.customer"].create(
            {"partner_id": partner.id, "company_id": self.company.id})
        customer.credit_hold_note = "Generated"
        customer.action_credit_hold()
        self.assertLessEqual(score(today), more, "a credit hold")

    @property
    def Check(self):
        return self.env["debtor.credit.check"]


FACTORS = sorted(SCORE_PENALTIES)
figure_values = st.fixed_dictionaries({
    factor: st.floats(min_value=0.0, max_value=1.0) if factor in ("late_share", "overdue_ratio", "credit_hold")
    else st.floats(min_value=0.0, max_value=500.0)
    for factor in FACTORS})


@tagged("post_install", "-at_install")
class TestScoreIsMonotone(BaseCase):
    """Property: worsening any figure of a customer (more or longer overdue debt, later payments, more disputes,
    broken promises or plans, a credit hold) never raises its internal score."""

    @settings(max_examples=300, deadline=None)
    @given(figures=figure_values, worse=figure_values)
    def test_worsening_any_input_never_raises_the_score(self, figures, worse):
        worsened = {factor: max(figures[factor], worse[factor]) for factor in FACTORS}
        score, penalties = score_from_figures(figures)
        worse_score, worse_penalties = score_from_figures(worsened)
        self.assertLessEqual(worse_score, score)
        for factor in FACTORS:
            self.assertGreaterEqual(worse_penalties[factor], penalties[factor], factor)
        self.assertTrue(0 <= worse_score <= score <= 100)

    @settings(max_examples=200, deadline=None)
    @given(figures=figure_values, factor=st.sampled_from(FACTORS), step=st.floats(min_value=0.0, max_value=100.0))
    def test_one_input_worse_at_a_time(self, figures, factor, step):
        worsened = dict(figures, **{factor: figures[factor] + step})
        self.assertLessEqual(score_from_figures(worsened)[0], score_from_figures(figures)[0])
