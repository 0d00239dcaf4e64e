from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import DebtorFollowupCommon

REPORT_ACTIONS = [
    "debtor_report_aging_action", "debtor_report_collection_action", "debtor_report_dso_action",
    "debtor_report_recovery_action", "debtor_report_dispute_action", "debtor_report_plan_action",
    "debtor_report_activity_action", "debtor_report_forecast_action", "debtor_report_dashboard_action",
]


@tagged("post_install", "-at_install")
@freeze_time("2026-03-18")
class TestReports(DebtorFollowupCommon):
    """Every manager report on a known set of invoices, payments, disputes, plans and reminders, on Wednesday
    18 March 2026 (week 1 of the forecast starts on Monday 16 March)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        inv = cls._invoice
        slow, late = cls.customer, cls.customer_b
        # open items, aged on 2026-03-18
        cls.inv1 = inv(slow, 1000.0, "2026-02-23", due_date="2026-03-25")   # not due
        cls.inv2 = inv(slow, 200.0, "2026-02-06", due_date="2026-03-08")    # 10 days, excluded by hand
        cls.inv3 = inv(late, 300.0, "2026-01-02", due_date="2026-02-01")    # 45 days, 100 paid on 03-10
        cls.inv4 = inv(late, 400.0, "2025-11-28", due_date="2025-12-28")    # 80 days, 150 disputed
        cls.inv5 = inv(slow, 500.0, "2025-10-19", due_date="2025-11-18")    # 120 days
        cls.inv6 = inv(late, 600.0, "2025-10-18", due_date="2025-11-17")    # 121 days, dispute rejected
        cls.refund = inv(slow, 50.0, "2026-03-01", due_date="2026-03-01", move_type="out_refund")  # 17 days
        cls.inv10 = inv(late, 900.0, "2026-02-01", due_date="2026-03-01")   # on a payment plan
        # paid invoices: the customers' payment history
        cls.inv7 = inv(slow, 1000.0, "2026-01-01", due_date="2026-01-31")
        cls.inv8 = inv(slow, 500.0, "2026-01-15", due_date="2026-02-14")
        cls.inv9 = inv(late, 800.0, "2026-02-01", due_date="2026-03-03")
        cls._pay(cls.inv7, 1000.0, "2026-02-10")  # 10 days late
        cls._pay(cls.inv8, 500.0, "2026-02-14")   # on the due date
        cls._pay(cls.inv9, 800.0, "2026-03-13")   # 10 days late
        cls._pay(cls.inv3, 100.0, "2026-03-10")
        cls._receivable(cls.inv2).debtor_manual_exclusion = True

        Dispute = cls.env["debtor.dispute"]
        cls.dispute_open = Dispute.create({
            "move_id": cls.inv4.id, "reason_id": cls.env.ref("debtor_followup.dispute_reason_quality").id,
            "disputed_amount": 150.0, "date": "2026-03-01", "user_id": cls.controller.id})
        cls.dispute_rejected = Dispute.create({
            "move_id": cls.inv6.id, "reason_id": cls.env.ref("debtor_followup.dispute_reason_price").id,
            "disputed_amount": 600.0, "date": "2026-01-10", "user_id": cls.manager.id,
            "resolution_note": "The price is the one agreed."})
        cls.dispute_rejected.action_reject()
        cls.dispute_rejected.sudo().date_resolved = "2026-02-20"  # (audit field: as the superuser)

        cls.plan = cls.env["debtor.payment.plan"].create({
            "partner_id": late.id, "move_ids": [Command.set(cls.inv10.ids)], "date": "2026-03-05",
            "first_due_date": "2026-03-10", "installment_count": 3, "frequency": "monthly"})
        cls.plan.action_activate()
        cls._pay(cls.inv10, 300.0, "2026-03-12")  # the first installment, two days late

        Action = cls.env["debtor.followup.action"].sudo()  # created by the engine, as superuser
        common = {"company_id": cls.company.id, "state": "done"}
        cls.action_1 = Action.create({**common, "partner_id": late.id, "level_id": cls.level_1.id,
                                      "date": "2026-02-10", "email_sent": True, "amount_due": 300.0,
                                      "line_ids": [Command.set(cls._receivable(cls.inv3).ids)]})
        cls.action_2 = Action.create({**common, "partner_id": late.id, "level_id": cls.level_2.id,
                                      "date": "2026-03-01", "amount_due": 300.0,
                                      "line_ids": [Command.set(cls._receivable(cls.inv3).ids)]})
        cls.action_3 = Action.create({**common, "partner_id": slow.id, "level_id": cls.level_1.id,
                                      "date": "2026-02-01", "amount_due": 1000.0,
                                      "line_ids": [Command.set(cls._receivable(cls.inv7).ids)]})

        # a second company: DSO figures of its own, and isolation
        cls.company_b = cls.setup_other_company(name="Reports B Co")["company"]
        cls.b1 = inv(slow, 3100.0, "2026-01-10", due_date="2026-02-09", company=cls.company_b)
        cls.b2 = inv(slow, 2800.0, "2026-02-10", due_date="2026-03-12", company=cls.company_b)
        cls.b3 = inv(slow, 1800.0, "2026-03-05", due_date="2026-04-04", company=cls.company_b)
        cls._pay(cls.b1, 3100.0, "2026-02-20")
        cls._pay(cls.b2, 1400.0, "2026-03-10")
        cls.manager_b = new_test_user(
            cls.env, login="debtor_manager_b", name="Bea Manager", email="bea@example.com",
            groups="debtor_followup.group_debtor_manager", company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)])

    def _groups(self, model, groupby, aggregates, user=None, domain=None):
        """``{group key: aggregates}`` of a report read as ``user`` (the company A manager by default)."""
        Report = self.env[model].with_user(user or self.manager)
        result = {}
        for row in Report._read_group(domain or [], groupby, aggregates):
            key = row[0] if len(groupby) == 1 else row[:len(groupby)]
            values = row[len(groupby):]
            result[key] = values[0] if len(values) == 1 else tuple(values)
        return result

    # ------------------------------------------------------------------ aging
    def test_aging_buckets(self):
        buckets = self._groups("debtor.report.aging", ["bucket"], ["amount_residual:sum"])
        self.assertEqual(buckets, {"0_not_due": 1000.0, "1_1_30": 750.0, "2_31_60": 200.0, "3_61_90": 400.0,
                                   "4_91_120": 500.0, "5_over_120": 600.0})
        # the groups come in chronological order, as the pivot, graph and list show them
        Aging = self.env["debtor.report.aging"].with_user(self.manager)
        self.assertEqual([bucket for bucket, _amount in Aging._read_group([], ["bucket"], ["amount_residual:sum"])],
                         ["0_not_due", "1_1_30", "2_31_60", "3_61_90", "4_91_120", "5_over_120"])
        groups = Aging.formatted_read_group([], ["bucket"], ["amount_residual:sum"])
        self.assertEqual([group["bucket"] for group in groups],
                         ["0_not_due", "1_1_30", "2_31_60", "3_61_90", "4_91_120", "5_over_120"])
        by_customer = self._groups("debtor.report.aging", ["partner_id"], ["amount_residual:sum"])
        self.assertEqual(by_customer, {self.customer: 1650.0, self.customer_b: 1800.0})
        split = self._groups("debtor.report.aging", ["followup_state"], ["amount_residual:sum"])
        self.assertEqual(split, {"followed": 2250.0, "excluded": 200.0, "dispute": 400.0, "plan": 600.0})
        # the bucket columns of the list add up the same way
        Aging = self.env["debtor.report.aging"].with_user(self.manager)
        [[total, overdue, over_120]] = Aging._read_group(
            [], [], ["amount_residual:sum", "amount_overdue:sum", "amount_over_120:sum"])
        # the refund of 50 is a credit: part of the total, not of the overdue
        self.assertEqual((total, overdue, over_120), (3450.0, 2500.0, 600.0))
        row = Aging.search([("move_id", "=", self.inv5.id)])
        self.assertEqual((row.days_overdue, row.bucket, row.policy_id, row.level_id),
                         (120, "4_91_120", self.policy, self.env["debtor.followup.level"]))

    def test_aging_by_level_and_salesperson(self):
        self._receivable(self.inv6).sudo()._debtor_set_level(self.level_2, self.d("2026-01-20"))
        by_level = self._groups("debtor.report.aging", ["level_id"], ["amount_residual:sum"])
        self.assertEqual(by_level[self.level_2], 600.0)
        by_user = self._groups("debtor.report.aging", ["invoice_user_id"], ["amount_residual:sum"])
        self.assertEqual(sum(by_user.values()), 3450.0)

    # ------------------------------------------------------------------ collection and DSO
    def test_paid_date_and_usual_delay(self):
        """Fully paid items keep the date of their last payment, and each debtor file its customer's usual delay;
        both follow an undone payment."""
        self.assertEqual(self._receivable(self.inv7).debtor_date_paid, fields.Date.to_date("2026-02-10"))
        self.assertEqual(self._receivable(self.inv9).debtor_date_paid, fields.Date.to_date("2026-03-13"))
        self.assertFalse(self._receivable(self.inv3).debtor_date_paid)  # partly paid
        self.assertFalse(self._receivable(self.inv1).debtor_date_paid)  # open
        slow, late = self._debtor(self.customer), self._debtor(self.customer_b)
        self.assertEqual((slow.usual_delay_days, late.usual_delay_days), (5, 10))

        self._receivable(self.inv9).remove_move_reconcile()
        self.assertFalse(self._receivable(self.inv9).debtor_date_paid)
        self.assertEqual(late.usual_delay_days, 0)  # no invoice fully paid in the last 12 months any more
        inv9 = self.env["debtor.report.forecast"].search([("move_id", "=", self.inv9.id)])
        self.assertEqual((inv9.delay_days, inv9.amount), (0, 800.0))

    def test_usual_delay_without_followup(self):
        """The nightly cron moves the usual delays of a company that has no follow-up policy (no run there)."""
        slow = self._debtor(self.customer)
        self.env.cr.execute("UPDATE debtor_customer SET usual_delay_days = 99 WHERE id = %s", [slow.id])
        slow.invalidate_recordset(["usual_delay_days"])
        self.env["debtor.followup.policy"].sudo().search([("company_id", "=", self.company.id)]).active = False
        Run = self.env["debtor.followup.run"]
        self.assertEqual(slow.usual_delay_days, 99)
        Run._cron_run_followup()
        self.assertFalse(Run.search([("company_id", "=", self.company.id)]))
        self.assertEqual(slow.usual_delay_days, 5)

    def test_report_queries_without_jit(self):
        """Reading a report turns PostgreSQL's JIT compiler off for the transaction (it costs more than it saves on
        these queries)."""
        self.env.cr.execute("SET LOCAL jit = on")
        self.env["debtor.report.aging"].search_count([])
        self.env.cr.execute("SHOW jit")
        self.assertEqual(self.env.cr.fetchone()[0], "off")

    def test_collection_performance(self):
        Collection = self.env["debtor.report.collection"].with_user(self.manager)
        [[count, to_pay, late, share, amount]] = Collection._read_group(
            [], [], ["__count", "days_to_pay:avg", "days_late:avg", "late_rate:avg", "amount:sum"])
        self.assertEqual(count, 3)
        self.assertAlmostEqual(to_pay, 110 / 3)
        self.assertAlmostEqual(late, 20 / 3)
        self.assertAlmostEqual(share, 200 / 3)
        self.assertEqual(amount, 2300.0)
        by_month = {str(month.date()) if hasattr(month, "date") else str(month): (days, beyond, rate)
                    for month, days, beyond, rate in Collection._read_group(
                        [], ["date_paid:month"], ["days_to_pay:avg", "days_late:avg", "late_rate:avg"])}
        self.assertEqual(by_month, {"2026-02-01": (35.0, 5.0, 50.0), "2026-03-01": (40.0, 10.0, 100.0)})
        by_customer = self._groups("debtor.report.collection", ["partner_id"], ["days_late:avg"])
        self.assertEqual(by_customer, {self.customer: 5.0, self.customer_b: 10.0})

    def test_dso_countback(self):
        Dso = self.env["debtor.report.dso"].with_user(self.manager_b)
        rows = {str(row.date): (row.receivable, row.sales, round(row.dso, 2))
                for row in Dso.search([("date", ">=", "2025-12-01")])}
        self.assertEqual(rows, {
            "2025-12-01": (0.0, 0.0, 0.0),
            "2026-01-01": (3100.0, 3100.0, 31.0),
            "2026-02-01": (2800.0, 2800.0, 28.0),
            # 18 days of March cover 1,800 of 3,200; the 1,400 left are half of February's 2,800 sales: 14 days
            "2026-03-01": (3200.0, 1800.0, 32.0),
        })
        self.assertEqual(len(Dso.search([])), 24)
        self.assertEqual(Dso.search([("date", "=", "2026-03-01")]).date_end, self.d("2026-03-18"))

    # ------------------------------------------------------------------ recovery and activity
    def test_recovery_per_level(self):
        Recovery = self.env["debtor.report.recovery"].with_user(self.manager)
        result = {level: (reminded, collected, round(rate, 2)) for level, reminded, collected, rate in
                  Recovery._read_group([], ["level_id"], ["amount_reminded:sum", "amount_collected:sum",
                                                            "recovery_rate:avg"])}
        self.assertEqual(result, {self.level_1: (1300.0, 1000.0, 76.92), self.level_2: (300.0, 100.0, 33.33)})
        [[total_rate]] = Recovery._read_group([], [], ["recovery_rate:avg"])
        self.assertAlmostEqual(total_rate, 1100 / 1600 * 100)

    def test_followup_activity(self):
        by_level = self._groups("debtor.report.activity", ["level_id"], ["action_count:sum"])
        self.assertEqual(by_level, {self.level_1: 2, self.level_2: 1})
        by_channel = self._groups("debtor.report.activity", ["channel"], ["action_count:sum"])
        self.assertEqual(by_channel, {"email": 1, "note": 2})
        by_day = self._groups("debtor.report.activity", ["date:day"], ["__count"])
        self.assertEqual(len(by_day), 3)
        # credit controllers see the activity report too
        self.assertEqual(self.env["debtor.report.activity"].with_user(self.controller).search_count([]), 3)

    # ------------------------------------------------------------------ disputes and plans
    def test_disputes_analysis(self):
        Report = self.env["debtor.report.dispute"].with_user(self.manager)
        rows = {row.dispute_id: (row.outcome, row.age_days, row.age_bucket, row.sla_breached, row.amount)
                for row in Report.search([])}
        self.assertEqual(rows, {
            self.dispute_open: ("pending", 17, "2_8_30", False, 150.0),
            self.dispute_rejected: ("rejected", 41, "3_31_60", True, 600.0),
        })
        by_reason = self._groups("debtor.report.dispute", ["reason_id"], ["dispute_count:sum", "amount:sum"])
        self.assertEqual(by_reason, {self.env.ref("debtor_followup.dispute_reason_quality"): (1, 150.0),
                                     self.env.ref("debtor_followup.dispute_reason_price"): (1, 600.0)})
        by_owner = self._groups("debtor.report.dispute", ["user_id"], ["sla_breach_count:sum"])
        self.assertEqual(by_owner, {self.controller: 0, self.manager: 1})

    def test_payment_plans_analysis(self):
        Report = self.env["debtor.report.plan"].with_user(self.manager)
        rows = [(str(row.due_date), row.timeliness, row.days_late, row.amount_paid)
                for row in Report.search([], order="due_date")]
        self.assertEqual(rows, [("2026-03-10", "paid_late", 2, 300.0), ("2026-04-10", "upcoming", 0, 0.0),
                                ("2026-05-10", "upcoming", 0, 0.0)])
        by_state = self._groups("debtor.report.plan", ["plan_state"],
                                ["amount:sum", "amount_due:sum", "on_time_count:sum", "late_count:sum"])
        self.assertEqual(by_state, {"active": (900.0, 600.0, 0, 1)})
        self.assertEqual(self.plan.line_ids.sorted("due_date")[0].date_paid, self.d("2026-03-12"))

    # ------------------------------------------------------------------ forecast
    def test_cash_in_forecast(self):
        weeks = self._groups("debtor.report.forecast", ["week"], ["amount:sum"])
        # Slow Payer's open refund of 50 is set off against its first expected receipt (week 1)
        self.assertEqual(weeks, {"w01": 1700.0, "w03": 1000.0, "w04": 300.0, "w08": 300.0})
        Forecast = self.env["debtor.report.forecast"].with_user(self.manager)
        inv1 = Forecast.search([("move_id", "=", self.inv1.id)])
        # Slow Payer pays 5 days late on average (10 and 0): due 25 March, expected 30 March
        self.assertEqual((inv1.delay_days, str(inv1.expected_date), str(inv1.week_start), inv1.behind_usual),
                         (5, "2026-03-30", "2026-03-30", False))
        inv4 = Forecast.search([("move_id", "=", self.inv4.id)])
        self.assertEqual((inv4.amount, inv4.amount_disputed, inv4.delay_days, inv4.behind_usual),
                         (250.0, 150.0, 10, True))
        self.assertFalse(Forecast.search([("move_id", "in", (self.inv10 | self.refund).ids)]))
        installments = Forecast.search([("plan_id", "=", self.plan.id)], order="expected_date")
        self.assertEqual([(str(row.expected_date), row.week, row.amount) for row in installments],
                         [("2026-04-10", "w04", 300.0), ("2026-05-10", "w08", 300.0)])
        with freeze_time("2026-06-01"):
            # eleven weeks on, the last installment is overdue: expected now; nothing is later than week 12
            self.env.invalidate_all()
            weeks = self._groups("debtor.report.forecast", ["week"], ["amount:sum"])
            self.assertEqual(set(weeks), {"w01"})

    # ------------------------------------------------------------------ dashboard
    def test_dashboard(self):
        figures = self.env["debtor.report.dashboard"].with_user(self.manager)._figures(self.company)
        self.assertEqual(figures["open"], 3450.0)
        self.assertEqual(figures["overdue"], 2500.0)
        self.assertEqual(figures["over_90"], 1100.0)
        self.assertEqual(figures["forecast"], 3000.0)  # weeks 1, 3 and 4
        self.assertEqual(figures["disputed"], 150.0)
        self.assertEqual(figures["plans"], 600.0)
        self.assertEqual(figures["actions"], 1)  # 1 and 10 February are more than 30 days ago
        self.assertEqual(figures["late_share"], 66.67)
        self.assertEqual(figures["recovery"], 68.75)
        tile = self.env["debtor.report.dashboard"].with_user(self.manager).search(
            [("kpi", "=", "overdue"), ("company_id", "=", self.company.id)])
        action = tile.action_open_report()
        self.assertEqual(action["res_model"], "debtor.report.aging")
        self.assertEqual(action["context"], {"search_default_overdue": 1})
        self.assertEqual(action["domain"], [("company_id", "=", self.company.id)])
        b_figures = self.env["debtor.report.dashboard"].with_user(self.manager_b)._figures(self.company_b)
        self.assertEqual((b_figures["open"], b_figures["dso"]), (3200.0, 32.0))

    # ------------------------------------------------------------------ security
    def test_company_isolation_and_access(self):
        for model in ("debtor.report.aging", "debtor.report.collection", "debtor.report.forecast",
                      "debtor.report.recovery", "debtor.report.activity", "debtor.report.dashboard",
                      "debtor.report.dso", "debtor.report.plan", "debtor.report.dispute"):
            rows = self.env[model].with_user(self.manager_b).search([])
            self.assertEqual(rows.company_id, self.company_b if model in (
                "debtor.report.aging", "debtor.report.collection", "debtor.report.forecast",
                "debtor.report.dashboard", "debtor.report.dso") else self.env["res.company"], model)
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.invoicing_user).search([])
        by_customer = self._groups("debtor.report.aging", ["partner_id"], ["amount_residual:sum"],
                                   user=self.manager_b)
        self.assertEqual(by_customer, {self.customer: 3200.0})
        with self.assertRaises(AccessError):
            self.env["debtor.report.aging"].with_user(self.manager_b).browse(
                self._receivable(self.inv1).id).read(["amount_residual"])
        # controllers read the aging and the activity, not the managers' figures
        self.assertEqual(self.env["debtor.report.aging"].with_user(self.controller).search_count([]), 8)
        for model in ("debtor.report.forecast", "debtor.report.dso", "debtor.report.collection",
                      "debtor.report.dashboard"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.controller).search([])

    def test_views_open(self):
        """Every view of every report action loads, and its default grouping runs as the web client sends it."""
        for xmlid in REPORT_ACTIONS:
            action = self.env.ref(f"debtor_followup.{xmlid}")
            Report = self.env[action.res_model].with_user(self.manager)
            view_types = action.view_mode.split(",")
            views = Report.get_views([(False, view_type) for view_type in view_types] + [(False, "search")])
            for view_type in view_types:
                arch = etree.fromstring(views["views"][view_type]["arch"])
                nodes = arch.xpath("//field")
                self.assertTrue(nodes, f"{xmlid} {view_type}")
                grouped = [f"{node.get('name')}:{node.get('interval')}" if node.get("interval") else node.get("name")
                           for node in nodes if node.get("type") in ("row", "col")
                           or (view_type == "graph" and not node.get("type"))]
                measures = [f"{node.get('name')}:{Report._fields[node.get('name')].aggregator}"
                            for node in nodes if node.get("type") == "measure"]
                if view_type == "pivot":
                    sets = [[], *[[groupby] for groupby in grouped], grouped]
                    result = Report.formatted_read_grouping_sets([], sets, ["__count", *measures])
                    self.assertEqual(len(result), len(sets))
                elif view_type == "graph":
                    self.assertTrue(Report.formatted_read_group([], grouped, ["__count", *measures]) is not None)
                elif view_type in ("list", "kanban"):
                    spec = {node.get("name"): {} for node in nodes if node.get("name") in Report._fields}
                    self.assertIn("records", Report.web_search_read([], spec, limit=80))
            # every filter of the search view is a valid domain on the report
            today = fields.Date.context_today(Report)
            eval_context = {"context_today": lambda: today, "relativedelta": relativedelta,
                            "uid": self.manager.id}
            for node in etree.fromstring(views["views"]["search"]["arch"]).xpath("//filter[@domain]"):
                Report.search_count(safe_eval(node.get("domain"), eval_context))

    # ------------------------------------------------------------------ scheduled email
    def test_aging_summary_email(self):
        self.company.debtor_aging_email = True
        mails = self.env["debtor.report.aging"]._cron_send_aging_summary()
        self.assertEqual(len(mails), 1, "company B did not ask for it")
        self.assertEqual(mails.state, "outgoing", "queued, not sent")
        self.assertIn(self.manager.partner_id, mails.recipient_ids)
        self.assertNotIn(self.controller.partner_id, mails.recipient_ids)
        self.assertNotIn(self.manager_b.partner_id, mails.recipient_ids)
        self.assertIn(self.company.name, mails.subject)
        fmt = self.company.currency_id.format
        for amount in (3450.0, 2500.0, 1000.0, 750.0, 600.0):
            self.assertIn(fmt(amount), str(mails.body_html))
        self.assertIn(self.customer_b.name, str(mails.body_html))
        self.company.debtor_aging_email = False
        self.assertFalse(self.env["debtor.report.aging"]._cron_send_aging_summary())

    def test_aging_email_setting(self):
        settings = self.env["res.config.settings"].with_company(self.company).create({"debtor_aging_email": True})
        settings.execute()
        self.assertTrue(self.company.debtor_aging_email)
