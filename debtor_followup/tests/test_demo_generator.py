from odoo import fields
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestDemoGenerator(DebtorFollowupCommon):
    """The generator the demo data and the benchmark use."""

    def test_generate_small_set(self):
        result = self.env["debtor.demo.generator"].generate(
            company=self.company, customers=6, invoices=40, seed=7, today=self.d("2026-06-30"))
        moves = result["moves"]
        self.assertEqual(len(result["partners"]), 6)
        self.assertEqual(len(moves), 40)
        self.assertTrue(all(move.state == "posted" for move in moves))
        self.assertEqual(set(moves.partner_id.ids), set(result["partners"].ids), "every customer has invoices")
        self.assertIn("out_refund", moves.mapped("move_type"))
        self.assertEqual(len(moves.currency_id), 2, "two currencies")
        invoices = moves.filtered(lambda m: m.move_type == "out_invoice")
        states = set(invoices.mapped("payment_state"))
        self.assertTrue({"paid", "not_paid"} <= states | {"in_payment"}, states)
        self.assertIn("partial", states)
        dates = moves.mapped("invoice_date")
        self.assertTrue(min(dates) >= self.d("2025-06-30") and max(dates) < self.d("2026-06-30"))
        open_partners = self._receivable(moves).filtered(lambda line: not line.reconciled).partner_id
        debtors = self.env["debtor.customer"].search([("partner_id", "in", open_partners.ids)])
        self.assertEqual(debtors.partner_id, open_partners, "one debtor file per customer with open items")
        self.assertEqual(
            round(sum(debtors.mapped("total_due")), 2),
            round(sum(self._receivable(moves).mapped(
                "amount_residual")), 2))

    def test_same_seed_same_data(self):
        first = self.env["debtor.demo.generator"].generate(company=self.company, customers=2, invoices=5, seed=3)
        second = self.env["debtor.demo.generator"].generate(company=self.company, customers=2, invoices=5, seed=3)
        self.assertEqual(first["moves"].mapped("amount_total"), second["moves"].mapped("amount_total"))


@tagged("post_install", "-at_install")
class TestDemoStory(DebtorFollowupCommon):
    """The demo's story: months of nightly runs over generated ledgers, and what a credit team meets on the way."""

    def test_the_story(self):
        today = fields.Date.today()
        Generator = self.env["debtor.demo.generator"]
        Generator.generate(company=self.company, customers=12, invoices=70, seed=5, today=today)
        self.company.debtor_handover_agency_id = self.env["res.partner"].create({
            "name": "Story Collect B.V.", "is_company": True, "email": "cases@storycollect.example.com",
            "debtor_is_collection_agency": True})
        story = Generator._demo_story(self.company, self.controller | self.manager, today=today)
        # nightly runs every two weeks for six months, each keeping its figures: months of trend
        self.assertGreaterEqual(len(story["runs"]), 13)
        self.assertEqual(set(story["runs"].mapped("state")), {"done"})
        snapshots = self.env["debtor.figure.snapshot"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(snapshots), len(story["runs"]))
        self.assertGreaterEqual(len(snapshots.filtered("month_last")), 6)
        # customers sit at every level, the handover level included
        customers = self.env["debtor.customer"].search([("company_id", "=", self.company.id)])
        reached = customers.level_id | customers.due_level_id
        self.assertEqual(reached & self.policy.level_ids, self.policy.level_ids,
                         f"levels reached: {reached.mapped('name')}")
        # one is handed over, another still due for it
        self.assertEqual(story["handover"].state, "sent")
        due = customers.filtered(lambda c: c.status == "action" and c.due_level_id == self.level_handover)
        self.assertTrue(due - story["handover"].partner_id.debtor_customer_ids, "another is due for handover")
        # promises kept and broken
        self.assertEqual(sorted(story["promises"].mapped("state")), ["broken", "kept"])
        # disputes in every state
        Dispute = self.env["debtor.dispute"]
        Generator._demo_disputes(self.company)
        disputes = Dispute.search([("company_id", "=", self.company.id)])
        self.assertEqual(set(disputes.mapped("state")),
                         {"open", "investigation", "resolved", "closed", "cancelled"})
        self.assertEqual(set(disputes.filtered(lambda d: d.state == "resolved").mapped("resolution")),
                         {"accepted", "rejected"})
        # credit checks and a hold
        self.assertEqual(set(story["checks"].mapped("result")), {"approved_limit", "refused"})
        self.assertTrue(story["checks"].filtered(lambda c: c.result == "refused").customer_id.credit_hold)
        # named responsibles, not OdooBot
        self.assertEqual(customers.responsible_id, self.controller | self.manager)
        # the reminders went out as emails from the controllers' runs
        self.assertTrue(self.env["debtor.followup.action"].search_count(
            [("company_id", "=", self.company.id), ("email_sent", "=", True)]))

    def test_second_company_in_euros_with_the_administrator(self):
        company = self.env["res.company"].create({"name": "Demo Story B.V.", "country_id": self.env.ref("base.nl").id,
                                                  "currency_id": self.env.ref("base.USD").id})
        self.env["debtor.demo.generator"]._demo_prepare_company(company, self.env.ref("base.EUR"))
        self.assertEqual(company.currency_id.name, "EUR")
        self.assertTrue(company.chart_template)
        self.assertIn(company, self.env.ref("base.user_admin").company_ids)
