from datetime import date

from freezegun import freeze_time
from stdnum import iso11649

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.debtor_payment_plan import split_amount
from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestPaymentPlan(DebtorFollowupCommon):
    """Installment plans: generated, followed and enforced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv1 = cls._invoice(cls.customer, 700.0, "2025-12-01", due_date="2026-01-01")
        cls.inv2 = cls._invoice(cls.customer, 300.0, "2025-12-01", due_date="2026-01-01")

    def _plan(self, moves=None, user=None, **vals):
        values = {"partner_id": self.customer.id, "move_ids": [(6, 0, (moves or self.inv1 | self.inv2).ids)],
                  "date": "2026-01-10", "first_due_date": "2026-01-31", "installment_count": 3,
                  "frequency": "monthly"}
        values.update(vals)
        return self.env["debtor.payment.plan"].with_user(user or self.controller).create(values)

    def _schedule(self, plan):
        lines = plan.line_ids.sorted(lambda line: (line.due_date, line.sequence))
        return [(str(line.due_date), line.amount) for line in lines]

    # ---------------------------------------------------------------- schedule
    def test_even_split_with_remainder_on_the_last(self):
        plan = self._plan()
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertEqual(self._schedule(plan), [
            ("2026-01-31", 333.33), ("2026-02-28", 333.33), ("2026-03-31", 333.34)],
            "31 January + 1 month is 28 February, + 2 months 31 March")
        self.assertEqual(split_amount(100.0, 4, 0.01), [25.0, 25.0, 25.0, 25.0])
        self.assertEqual(split_amount(0.05, 3, 0.01), [0.01, 0.01, 0.03])

    def test_down_payment_fees_and_fixed_amount(self):
        plan = self._plan(down_payment=100.0, fee_amount=40.0, split_mode="amount", installment_amount=400.0,
                          frequency="weekly")
        self.assertEqual(plan.amount_total, 1040.0)
        self.assertEqual(self._schedule(plan), [
            ("2026-01-10", 100.0), ("2026-01-31", 400.0), ("2026-02-07", 400.0), ("2026-02-14", 140.0)])
        self.assertTrue(plan.line_ids.sorted("due_date")[0].is_down_payment)

    def test_every_frequency(self):
        expected = {
            "weekly": ["2026-01-31", "2026-02-07", "2026-02-14"],
            "biweekly": ["2026-01-31", "2026-02-14", "2026-02-28"],
            "monthly": ["2026-01-31", "2026-02-28", "2026-03-31"],
            "quarterly": ["2026-01-31", "2026-04-30", "2026-07-31"],
        }
        plan = self._plan()
        for frequency, dates in expected.items():
            plan.frequency = frequency
            self.assertEqual([d for d, _a in self._schedule(plan)], dates, frequency)
            self.assertEqual(sum(plan.line_ids.mapped("amount")), 1000.0)

    def test_editing_a_draft_regenerates_and_sums_exactly(self):
        plan = self._plan()
        plan.installment_count = 7
        self.assertEqual(len(plan.line_ids), 7)
        self.assertEqual(round(sum(plan.line_ids.mapped("amount")), 2), 1000.0)
        self.assertEqual(plan.line_ids.sorted("due_date")[-1].amount, 142.9)
        plan.move_ids = self.inv1
        self.assertEqual(round(sum(plan.line_ids.mapped("amount")), 2), 700.0)
        with self.assertRaisesRegex(ValidationError, "sums to"), self.cr.savepoint():
            plan.line_ids[0].sudo().amount += 1.0  # (as the superuser: nobody else edits installments)
        plan.with_user(self.manager).action_approve()  # 7 installments: over the default limit of 6
        plan.action_activate()
        with self.assertRaisesRegex(UserError, "Only a draft"):
            plan.installment_count = 2

    def test_rf_references(self):
        plan = self._plan()
        references = plan.line_ids.mapped("reference")
        self.assertEqual(len(set(references)), 3)
        for reference in references:
            self.assertTrue(reference.startswith("RF"))
            self.assertTrue(iso11649.is_valid(reference), reference)
        with self.assertRaisesRegex(ValidationError, "not a valid ISO 11649"), self.cr.savepoint():
            plan.line_ids[0].sudo().reference = "RF00123"

    # ---------------------------------------------------------------- nonsense
    def test_nonsense_is_refused(self):
        cases = [
            ({"installment_count": 0}, "at least one installment"),
            ({"installment_count": -2}, "at least one installment"),
            ({"split_mode": "amount", "installment_amount": 0.0}, "must be positive"),
            ({"down_payment": -10.0}, "cannot be negative"),
            ({"fee_amount": -1.0}, "cannot be negative"),
            ({"down_payment": 1000.0}, "must be less than the plan total"),
            ({"move_ids": [(6, 0, [])]}, "at least one open invoice"),
        ]
        for vals, message in cases:
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():
                self._plan(**vals)
        other = self._invoice(self.customer_b, 50.0, "2025-12-01", due_date="2026-01-01")
        with self.assertRaisesRegex(ValidationError, "not of Slow Payer"), self.cr.savepoint():
            self._plan(moves=self.inv1 | other)
        other_company = self.setup_other_company(name="Plan Co")["company"]
        foreign = self._invoice(self.customer, 50.0, "2025-12-01", due_date="2026-01-01", company=other_company)
        with self.assertRaises(UserError), self.cr.savepoint():
            self._plan(moves=self.inv1 | foreign, user=self.env.user)
        paid = self._invoice(self.customer, 20.0, "2025-12-01", due_date="2026-01-01")
        self._pay(paid, 20.0, "2025-12-15")
        with self.assertRaisesRegex(ValidationError, "already paid"), self.cr.savepoint():
            self._plan(moves=paid)
        self._plan(moves=self.inv1)
        with self.assertRaisesRegex(ValidationError, "already in payment plan"), self.cr.savepoint():
            self._plan(moves=self.inv1)
        self.assertEqual(self.env["debtor.payment.plan"].search_count([]), 1)

    # ---------------------------------------------------------------- approval
    def test_approval_rules(self):
        self.company.write({"debtor_plan_approval_amount": 500.0, "debtor_plan_approval_installments": 6})
        plan = self._plan()
        self.assertTrue(plan.approval_required, "1000 is over 500")
        plan.action_propose()
        with self.assertRaisesRegex(UserError, "must approve it first"):
            plan.with_user(self.controller).action_activate()
        with self.assertRaisesRegex(UserError, "Only a Credit Manager"):
            plan.with_user(self.controller).action_approve()
        plan.with_user(self.manager).action_approve()
        plan.with_user(self.controller).action_activate()
        self.assertEqual(plan.state, "active")
        long_plan = self._plan(moves=self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01"),
                               installment_count=7)
        self.assertTrue(long_plan.approval_required, "7 installments is over 6")
        short_plan = self._plan(moves=self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01"))
        self.assertFalse(short_plan.approval_required)

    def test_proposal_is_sent_to_the_customer(self):
        plan = self._plan()
        plan.action_propose()
        message = plan.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(message), 1)
        self.assertIn(plan.line_ids[0].reference, message.body)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual((mail.recipient_ids, mail.state), (self.customer, "outgoing"))

    # ---------------------------------------------------------------- payments
    def test_payment_allocation_oldest_first(self):
        plan = self._plan()
        plan.action_activate()
        self._pay(self.inv1, 400.0, "2026-01-30")
        first, second, third = plan.line_ids.sorted("due_date")
        self.assertEqual((first.amount_paid, second.amount_paid, third.amount_paid), (333.33, 66.67, 0.0))
        self.assertEqual(first.state, "paid")
        self.assertEqual(plan.amount_paid, 400.0)
        self.assertEqual(plan.amount_remaining, 600.0)
        self.assertAlmostEqual(plan.progress, 40.0)
        self._pay(self.inv2, 300.0, "2026-02-27")
        self.assertEqual(second.amount_paid, 333.33, "the partial payment carried over")
        self.assertEqual(third.amount_paid, 33.34)

    def test_overpayment_completes_the_plan(self):
        plan = self._plan(moves=self.inv1)
        plan.action_activate()
        self._pay(self.inv1, 700.0, "2026-01-20")
        self.assertTrue(all(line.state == "paid" for line in plan.line_ids))
        self.assertEqual(plan.overpaid_amount, 0.0)
        with freeze_time("2026-01-21"):
            run = self._run()
        self.assertEqual(plan.state, "completed")
        self.assertEqual(run.plan_completed_count, 1)

    # ---------------------------------------------------------------- nightly run
    def test_active_plan_excludes_its_invoices_then_breaks(self):
        other = self._invoice(self.customer, 90.0, "2025-12-01", due_date="2026-01-01")
        plan = self._plan()
        plan.action_activate()
        self.company.write({"debtor_plan_grace_days": 10, "debtor_plan_reminder_days_before": 3,
                            "debtor_plan_reminder_days_after": 3})
        with freeze_time("2026-01-08"):
            self.assertEqual(self._receivable(self.inv1).debtor_exclusion_reason, "plan")
            action = self._run().action_ids
            self.assertEqual(action.line_ids.move_id, other, "the plan's invoices are left alone")
        with freeze_time("2026-01-28"):
            run = self._run()
            self.assertEqual(run.plan_reminder_count, 1, "three days before the first installment")
            reminder = plan.message_ids.filtered(lambda m: self.customer in m.partner_ids)[:1]
            self.assertIn("falls due on", reminder.body)
            run.sudo().state = "done"  # as the run would have ended it
            self.assertEqual(self._run().plan_reminder_count, 0, "once")
        with freeze_time("2026-02-03"):
            self.assertEqual(self._run().plan_reminder_count, 1, "three days after the missed installment")
            self.assertEqual(plan.line_ids.sorted("due_date")[0].state, "late")
            self.assertEqual(plan.state, "active", "still within the grace period")
        with freeze_time("2026-02-11"):
            run = self._run()
            self.assertEqual(plan.state, "broken")
            self.assertEqual(run.plan_broken_count, 1)
            broken_mail = plan.message_ids.filtered(
                lambda m: self.customer in m.partner_ids and "has ended" in m.body)
            self.assertEqual(len(broken_mail), 1)
            activity = plan.activity_ids
            self.assertEqual(activity.user_id, self.controller)
            resumed = run.action_ids.filtered(lambda a: self.inv1 in a.line_ids.move_id)
            self.assertTrue(resumed, "the invoices re-enter the follow-up the same night")
            self.assertEqual(resumed.level_id, self.level_1)
        self.assertFalse(self._receivable(self.inv1).debtor_exclusion_reason)

    def test_plan_on_schedule_stays_active(self):
        plan = self._plan(moves=self.inv2, installment_count=2)
        plan.action_activate()
        self._pay(self.inv2, 150.0, "2026-01-30")
        with freeze_time("2026-02-20"):
            self._run()
        self.assertEqual(plan.state, "active")
        self.assertEqual([line.state for line in plan.line_ids.sorted("due_date")], ["paid", "pending"])

    # ---------------------------------------------------------------- wizard and access
    def test_propose_wizard_from_invoices(self):
        wizard = self.env["debtor.payment.plan.wizard"].with_user(self.controller).with_context(
            active_model="account.move", active_ids=(self.inv1 | self.inv2).ids).create(
            {"installment_count": 4, "first_due_date": date(2026, 2, 1)})
        self.assertEqual(wizard.partner_id, self.customer)
        self.assertEqual(wizard.open_amount, 1000.0)
        action = wizard.action_create()
        plan = self.env["debtor.payment.plan"].browse(action["res_id"])
        self.assertEqual((plan.state, len(plan.line_ids)), ("proposed", 4))
        other = self._invoice(self.customer_b, 50.0, "2025-12-01", due_date="2026-01-01")
        with self.assertRaisesRegex(UserError, "one customer"):
            self.env["debtor.payment.plan.wizard"].with_context(
                active_model="account.move", active_ids=(self.inv1 | other).ids).create({})

    def test_propose_wizard_from_debtor_file(self):
        action = self._debtor(self.customer).with_user(self.controller).action_propose_plan()
        wizard = self.env["debtor.payment.plan.wizard"].with_user(self.controller).with_context(
            **action["context"]).create({"send_proposal": False})
        self.assertEqual(wizard.move_ids, self.inv1 | self.inv2)

    def test_access(self):
        plan = self._plan()
        with self.assertRaises(AccessError):
            self._plan(user=self.invoicing_user, moves=self._invoice(self.customer, 10.0, "2025-12-01",
                                                                     due_date="2026-01-01"))
        with self.assertRaises(AccessError):
            plan.with_user(self.invoicing_user).action_activate()
        with self.assertRaises(AccessError):
            plan.with_user(self.controller).unlink()
        other_company = self.setup_other_company(name="Plan Iso Co")["company"]
        foreign = self._invoice(self.customer, 60.0, "2025-12-01", due_date="2026-01-01", company=other_company)
        theirs = self.env["debtor.payment.plan"].create({
            "partner_id": self.customer.id, "company_id": other_company.id, "move_ids": [(6, 0, foreign.ids)],
            "date": "2026-01-10", "first_due_date": "2026-01-31"})
        self.assertNotIn(theirs, self.env["debtor.payment.plan"].with_user(self.controller).search([]))
        with self.assertRaises(AccessError):
            theirs.with_user(self.controller).read(["name"])
