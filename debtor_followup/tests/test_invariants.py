"""Invariants of the money figures, over generated ledgers (hypothesis).

Each example books a new customer's ledger: invoices in two currencies, due in the past or the future, partly or
fully paid (on time or late), disputed in part or in full, open credit notes and unapplied payments, promises to
pay, a payment plan and a handover to a collection agency, each made through its own actions. Whatever the ledger,
every screen and document tells the same story, and the story is Odoo's own ledger:

* the debtor file's total due is Odoo's receivable balance of the customer in the company;
* the aging's buckets hold exactly the open items whose days overdue fall in them, and add up to the total;
* the overdue and disputed figures are the same on the work queue, the aging and the statement, and so are the
  amounts on a plan, promised and handed over;
* the statement's totals add up (open items + credits = total due), in each currency;
* the cash-in forecast never expects more than is open net of credits and disputes;
* the dashboard's company totals are the sums of the customers' figures.
"""

import re
from datetime import timedelta

from freezegun import freeze_time
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from odoo import Command
from odoo.tests import tagged

from .common import DebtorFollowupCommon

TODAY = "2026-03-18"
BUCKET_LIMITS = [("0_not_due", 0), ("1_1_30", 30), ("2_31_60", 60), ("3_61_90", 90), ("4_91_120", 120),
                 ("5_over_120", None)]

invoice_specs = st.lists(st.fixed_dictionaries({
    "amount": st.integers(10, 3000),
    "due_days_ago": st.integers(-40, 200),
    "foreign": st.booleans(),
    "paid": st.sampled_from([0, 0, 0.25, 0.5, 1]),
    "paid_days_ago": st.integers(0, 60),
    "disputed": st.sampled_from([0, 0, 0.3, 1]),
    "arrangement": st.sampled_from([None, None, "promise", "plan", "handover"]),
}), min_size=1, max_size=4)
credit_specs = st.lists(st.tuples(st.integers(5, 800), st.integers(0, 150)), max_size=2)
payment_specs = st.lists(st.tuples(st.integers(5, 800), st.integers(0, 90)), max_size=2)


def _spec(amount, due_days_ago, foreign=False, paid=0, paid_days_ago=0, disputed=0, arrangement=None):
    """An invoice of the ledger, as the strategy draws them."""
    return {"amount": amount, "due_days_ago": due_days_ago, "foreign": foreign, "paid": paid,
            "paid_days_ago": paid_days_ago, "disputed": disputed, "arrangement": arrangement}


def bucket_of(days):
    return next(key for key, limit in BUCKET_LIMITS if limit is None or days <= limit)


@tagged("post_install", "-at_install")
class TestFigureInvariants(DebtorFollowupCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 1.25)])
        cls.reason = cls.env.ref("debtor_followup.dispute_reason_damaged")
        cls.company.debtor_handover_agency_id = cls.env["res.partner"].create(
            {"name": "Collect & Recover BV", "is_company": True, "debtor_is_collection_agency": True})

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(invoices=invoice_specs, credits=credit_specs, payments=payment_specs)
    # the arrangements, each at least once whatever the generated examples hold
    @example(invoices=[_spec(900, 40, arrangement="plan"), _spec(300, 10, arrangement="promise"),
                       _spec(150, 90, arrangement="handover"), _spec(500, 20, disputed=0.3)],
             credits=[(120, 5)], payments=[(80, 3)])
    @example(invoices=[_spec(700, 120, paid=0.5, arrangement="handover"), _spec(60, -10, foreign=True)],
             credits=[], payments=[])
    def test_every_screen_tells_the_ledger(self, invoices, credits, payments):
        with freeze_time(TODAY), self.env.cr.savepoint():  # each example its own customer
            self._check_ledger(invoices, credits, payments)

    # ------------------------------------------------------------------ building the ledger
    def _book(self, invoices, credits, payments):
        today = self.d(TODAY)
        partner = self.env["res.partner"].create({
            "name": "Generated Debtor", "is_company": True, "email": "ap@generated.example.com",
            "street": "1 Main Street", "city": "Springfield", "zip": "12345", "country_id": self.env.ref("base.us").id})
        arranged = {"promise": [], "plan": [], "handover": []}
        for spec in invoices:
            due = today - timedelta(days=spec["due_days_ago"])
            invoice = self._invoice(partner, float(spec["amount"]), due - timedelta(days=30), due_date=due,
                                    currency=self.eur if spec["foreign"] else None)
            if spec["paid"]:
                paid_on = min(today - timedelta(days=spec["paid_days_ago"]), today)
                amount = invoice.amount_total if spec["paid"] == 1 else round(invoice.amount_total * spec["paid"], 2)
                self._pay(invoice, amount, max(paid_on, invoice.invoice_date))
            if invoice.payment_state in ("paid", "in_payment"):
                continue
            if spec["disputed"]:
                self.env["debtor.dispute"].create({
                    "move_id": invoice.id, "reason_id": self.reason.id, "date": str(today),
                    "disputed_amount": round(invoice.amount_residual * spec["disputed"], 2) or 0.01})
            elif spec["arrangement"] and not (spec["arrangement"] in ("plan", "handover") and spec["foreign"]):
                arranged[spec["arrangement"]].append(invoice)
        self._arrange(partner, arranged)
        self.arranged = arranged
        for amount, days_ago in credits:
            day = today - timedelta(days=days_ago)
            self._invoice(partner, float(amount), day, due_date=day, move_type="out_refund")
        for amount, days_ago in payments:
            self.init_payment(float(amount), post=True, date=str(today - timedelta(days=days_ago)), partner=partner)
        return partner

    def _arrange(self, partner, arranged):
        """Promises, a payment plan and a handover on the invoices picked for them, through their own actions."""
        today = self.d(TODAY)
        for invoice in arranged["promise"]:
            self.env["debtor.promise"].with_user(self.controller).create({
                "partner_id": partner.id, "company_id": self.company.id, "date": str(today + timedelta(days=7)),
                "amount": invoice.amount_residual_signed,  # in the company currency
                "line_ids": [Command.set(self._receivable(invoice).ids)]})
        if arranged["plan"]:
            plan = self.env["debtor.payment.plan"].with_user(self.controller).create({
                "partner_id": partner.id, "installment_count": 3,
                "move_ids": [Command.set([invoice.id for invoice in arranged["plan"]])]})
            if plan.approval_required:
                plan.with_user(self.manager).action_approve()
            plan.action_activate()
        if arranged["handover"]:
            debtor = self._debtor(partner) or self.env["debtor.customer"].create(
                {"partner_id": partner.id, "company_id": self.company.id})
            wizard = self.env["debtor.handover.wizard"].with_user(self.manager).with_context(
                active_model="debtor.customer", active_id=debtor.id).create({})
            wizard.write({"move_ids": [Command.set([invoice.id for invoice in arranged["handover"]])],
                          "override": True, "override_reason": "Generated ledger"})
            wizard.action_create()

    @staticmethod
    def _totals(tree, css_class):
        """The statement's total rows ``css_class``: ``{currency code: amount}`` (one row per currency)."""
        totals = {}
        for row in tree.xpath(f"//tr[contains(@class, '{css_class}')]"):
            label, amount = (cell.text_content() for cell in row.xpath("./td")[:2])
            code = re.search(r"\((\w+)\)", label).group(1)
            totals[code] = float(re.sub(r"[^0-9.-]", "", amount.replace("\N{MINUS SIGN}", "-")))
        return totals

    # ------------------------------------------------------------------ the invariants
    def _check_ledger(self, invoices, credits, payments):
        today = self.d(TODAY)
        partner = self._book(invoices, credits, payments)
        self.env.invalidate_all()  # the reports' rows of an earlier example keep their ids: read them afresh
        round_ = self.company.currency_id.round
        items = self.env["account.move.line"].search([
            ("partner_id", "=", partner.id), ("company_id", "=", self.company.id),
            ("account_type", "=", "asset_receivable"), ("parent_state", "=", "posted"), ("reconciled", "=", False),
            ("amount_residual", "!=", 0)])
        open_total = round_(sum(items.mapped("amount_residual")))
        overdue = round_(sum(line.amount_residual for line in items
                             if line.amount_residual > 0 and (line.date_maturity or line.date) < today))
        by_bucket = {}
        for line in items:
            key = bucket_of((today - (line.date_maturity or line.date)).days)
            by_bucket[key] = round_(by_bucket.get(key, 0.0) + line.amount_residual)

        # the debtor file (work queue) is Odoo's own receivable balance
        debtor = self._debtor(partner)
        balance = round_(partner.with_company(self.company).credit)
        self.assertEqual(round_(debtor.total_due), balance, "total due = Odoo's receivable balance")
        self.assertEqual(round_(debtor.total_due), open_total)
        self.assertEqual(round_(debtor.total_overdue), overdue)
        nothing = dict.fromkeys(("open", "credits", "total", "overdue", "disputed"), 0.0)
        figures = self.env["debtor.customer"]._debtor_figures(self.company, partner).get(partner.id, nothing)

        # the aging: each bucket holds exactly its items, the buckets add up to the total
        Aging = self.env["debtor.report.aging"].with_user(self.manager)
        domain = [("partner_id", "=", partner.id)]
        buckets = {key: round_(amount) for key, amount in
                   Aging._read_group(domain, ["bucket"], ["amount_residual:sum"]) if round_(amount)}
        self.assertEqual(buckets, {key: amount for key, amount in by_bucket.items() if amount})
        [[total, aged_overdue, aged_disputed]] = Aging._read_group(
            domain, [], ["amount_residual:sum", "amount_overdue:sum", "amount_disputed:sum"])
        self.assertEqual(round_(total), open_total)
        self.assertEqual(round_(aged_overdue), round_(debtor.total_overdue), "aging and queue: the same overdue")
        self.assertEqual(round_(aged_disputed), round_(figures["disputed"]), "aging and queue: the same disputed")
        self.assertLessEqual(figures["disputed"], figures["open"] + 0.005, "no more disputed than is owed")
        # what is on a plan, promised or handed over: the same on the queue's figures and the aging's split
        split = {state: round_(amount) for state, amount in
                 Aging._read_group(domain, ["followup_state"], ["amount_residual:sum"])}
        for state, key in (("plan", "plan"), ("promise", "promised"), ("collection", "collection")):
            self.assertEqual(split.get(state, 0.0), round_(figures.get(key, 0.0)), state)
        for kind, state in (("plan", "plan"), ("promise", "promise"), ("handover", "collection")):
            if self.arranged[kind]:
                self.assertTrue(split.get(state), f"the {kind} of the ledger shows on the aging")
        handed_over = items.filtered(lambda line: line.move_id.debtor_in_collection)
        self.assertEqual(split.get("collection", 0.0), round_(sum(handed_over.mapped("amount_residual"))))

        # the statement: its totals add up and say what the queue says
        if not debtor:
            self.assertFalse(items, "every customer with open items has a debtor file")
            return
        html = self.env["ir.actions.report"]._render_qweb_html(
            "debtor_followup.action_report_debtor_statement", debtor.ids)[0].decode()
        tree = lxml_html.fromstring(html)
        if not items:
            self.assertIn("no open items", html)
            return
        dues, credits_, opens, overdues = (self._totals(tree, css) for css in (
            "o_debtor_total_due", "o_debtor_total_credits", "o_debtor_total_open", "o_debtor_total_overdue"))
        for currency, lines in items.grouped("currency_id").items():
            code, cur = currency.name, currency.round
            in_currency = cur(sum(lines.mapped("amount_residual_currency")))
            self.assertEqual(cur(dues[code]), in_currency, f"total due in {code}: the open items")
            if code in credits_:  # with credits, the open items and the credits each have their total row
                self.assertEqual(cur(opens[code] + credits_[code]), cur(dues[code]), f"the statement adds up in {code}")
            else:
                self.assertFalse(any(line.amount_residual < 0 for line in lines), f"no credit in {code} left out")
            self.assertEqual(cur(overdues[code]), cur(sum(
                line.amount_residual_currency for line in lines
                if line.amount_residual > 0 and (line.date_maturity or line.date) < today)))
        if items.currency_id == self.company.currency_id:
            self.assertEqual(round_(dues[self.company.currency_id.name]), round_(debtor.total_due))
            self.assertEqual(round_(overdues[self.company.currency_id.name]), round_(debtor.total_overdue))

        # the forecast never expects more than is open net of credits and disputes
        expected = sum(self.env["debtor.report.forecast"].with_user(self.manager).search(domain).mapped("amount"))
        ceiling = max(figures["open"] + figures["credits"] - figures["disputed"], 0.0)
        self.assertLessEqual(round_(expected), round_(ceiling) + 0.01)

        # the dashboard's company figures are the sums of the customers' (all the examples so far)
        tiles = self.env["debtor.report.dashboard"].with_user(self.manager)._figures(self.company)
        files = self.env["debtor.customer"].search([("company_id", "=", self.company.id)])
        self.assertEqual(round_(tiles["open"]), round_(sum(files.mapped("total_due"))))
        self.assertEqual(round_(tiles["overdue"]), round_(sum(files.mapped("total_overdue"))))
