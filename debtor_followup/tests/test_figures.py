import re

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestDisputeCreditNote(DebtorFollowupCommon):
    """An accepted dispute credits exactly the disputed amount, on the disputed lines only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env.ref("debtor_followup.dispute_reason_damaged")
        cls.vat21 = cls.env["account.tax"].create({
            "name": "VAT 21 %", "amount_type": "percent", "amount": 21.0, "type_tax_use": "sale",
            "company_id": cls.company.id})

    def _taxed_invoice(self, lines):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": "2025-12-01",
            "invoice_date_due": "2026-01-01",
            "invoice_line_ids": [Command.create({"name": name, "quantity": quantity, "price_unit": price,
                                                 "tax_ids": [Command.set(self.vat21.ids)]})
                                 for name, quantity, price in lines],
        })
        invoice.action_post()
        return invoice

    def _accept(self, invoice, **vals):
        dispute = self.env["debtor.dispute"].with_user(self.controller).create({
            "move_id": invoice.id, "reason_id": self.reason.id, "date": "2026-01-05", **vals})
        residual = invoice.amount_residual
        dispute.with_user(self.manager).action_accept()
        credit_note = dispute.credit_note_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, dispute.disputed_amount, "exactly the disputed amount")
        self.assertEqual(invoice.amount_residual, round(residual - dispute.disputed_amount, 2),
                         "the invoice owes exactly the disputed amount less")
        lines = credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        return dispute, [(line.name, line.quantity, line.price_unit, line.price_subtotal)
                         for line in lines]

    def test_one_of_two_identical_lines(self):
        invoice = self._taxed_invoice([("Chair", 1, 100.0), ("Chair", 1, 100.0)])
        first = invoice.invoice_line_ids[0]
        dispute, lines = self._accept(invoice, invoice_line_ids=[Command.set(first.ids)])
        self.assertEqual(dispute.disputed_amount, 121.0)
        self.assertEqual(lines, [("Chair", 1.0, 100.0, 100.0)], "one chair credited, not both")
        self.assertEqual(dispute.credit_note_id.amount_total, 121.0)
        self.assertEqual(invoice.amount_residual, 121.0)

    def test_round_amount_with_21_percent_vat(self):
        invoice = self._taxed_invoice([("Desk", 1, 500.0)])  # 605.00
        dispute, lines = self._accept(invoice, disputed_amount=100.0)
        credit_note = dispute.credit_note_id
        self.assertEqual(lines, [("Desk", 1.0, 82.64, 82.64)])
        self.assertEqual((credit_note.amount_untaxed, credit_note.amount_tax, credit_note.amount_total),
                         (82.64, 17.36, 100.0), "100.00, not 100.01: the cent of rounding goes on the VAT")
        self.assertEqual(invoice.amount_residual, 505.0)

    def test_part_of_one_line(self):
        invoice = self._taxed_invoice([("Chair", 3, 40.0), ("Table", 1, 400.0)])  # 145.20 + 484.00
        chairs = invoice.invoice_line_ids.filtered(lambda line: line.name == "Chair")
        # two of the three chairs: 96.80 with VAT
        dispute, lines = self._accept(invoice, invoice_line_ids=[Command.set(chairs.ids)], disputed_amount=96.8)
        self.assertEqual(lines, [("Chair", 2.0, 40.0, 80.0)], "two chairs at their price")
        self.assertEqual(invoice.amount_residual, 532.4)
        # an amount that is no whole number of units: one unit of the credited net amount
        invoice = self._taxed_invoice([("Chair", 3, 40.0), ("Table", 1, 400.0)])
        chairs = invoice.invoice_line_ids.filtered(lambda line: line.name == "Chair")
        dispute, lines = self._accept(invoice, invoice_line_ids=[Command.set(chairs.ids)], disputed_amount=50.0)
        self.assertEqual(lines, [("Chair", 1.0, 41.32, 41.32)])
        self.assertEqual(dispute.credit_note_id.amount_tax, 8.68)
        self.assertEqual(invoice.amount_residual, 579.2)

    def test_amount_of_a_partly_paid_invoice_in_proportion(self):
        invoice = self._taxed_invoice([("Chair", 2, 50.0), ("Table", 1, 300.0)])  # 121 + 363 = 484
        self._pay(invoice, 84.0, "2026-01-02")
        dispute, lines = self._accept(invoice)  # the open 400.00
        self.assertEqual(dispute.disputed_amount, 400.0)
        # 400 / 484 of each line's net amount: 82.64 and 247.93, 69.43 of VAT (the cent of rounding on it)
        self.assertEqual(lines, [("Chair", 1.0, 82.64, 82.64), ("Table", 1.0, 247.93, 247.93)],
                         "each line once, in proportion")
        self.assertEqual(dispute.credit_note_id.amount_tax, 69.43)
        self.assertEqual(invoice.payment_state, "paid")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-18")
class TestSameFigureEverywhere(DebtorFollowupCommon):
    """One customer's open items on Wednesday 18 March 2026, read on every screen and document:

    ======================  ==========  =========  ==========  ========
    item                    due         open       overdue     bucket
    ======================  ==========  =========  ==========  ========
    invoice A (1,000)       15 Jan      600.00     600.00      61-90
      400 paid on 1 Feb
    invoice B (500)         1 Mar       500.00     500.00      1-30
      200 of it disputed
    invoice C (800)         10 Apr      800.00                 not due
    credit note (150)       10 Mar      -150.00                1-30
    payment (250), unused   12 Mar      -250.00                1-30
    ======================  ==========  =========  ==========  ========

    Owed 1,900.00, credits -400.00, total due 1,500.00, overdue 1,100.00 (credits do not reduce it), disputed
    200.00; by bucket: not due 800.00, 1-30 days 100.00, 61-90 days 600.00.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        inv = cls._invoice
        cls.inv_a = inv(cls.customer, 1000.0, "2025-12-15", due_date="2026-01-15")
        cls._pay(cls.inv_a, 400.0, "2026-02-01")
        cls.inv_b = inv(cls.customer, 500.0, "2026-02-01", due_date="2026-03-01")
        cls.inv_c = inv(cls.customer, 800.0, "2026-03-10", due_date="2026-04-10")
        cls.refund = inv(cls.customer, 150.0, "2026-03-10", due_date="2026-03-10", move_type="out_refund")
        cls.payment = cls.init_payment(250.0, post=True, date="2026-03-12", partner=cls.customer)
        cls.dispute = cls.env["debtor.dispute"].create({
            "move_id": cls.inv_b.id, "reason_id": cls.env.ref("debtor_followup.dispute_reason_damaged").id,
            "disputed_amount": 200.0, "date": "2026-03-05"})
        cls.env["debtor.customer"]._refresh(cls.company, cls.customer)

    def _cell(self, tree, css_class):
        """The amount of the statement's total row ``css_class``, as a float."""
        [row] = tree.xpath(f"//tr[contains(@class, '{css_class}')]")
        text = row.xpath("./td")[1].text_content()
        return float(re.sub(r"[^0-9.-]", "", text.replace("\N{MINUS SIGN}", "-")))

    def test_the_figures(self):
        figures = self.env["debtor.customer"]._debtor_figures(self.company, self.customer)[self.customer.id]
        self.assertEqual({key: figures[key] for key in ("open", "credits", "total", "overdue", "disputed")},
                         {"open": 1900.0, "credits": -400.0, "total": 1500.0, "overdue": 1100.0, "disputed": 200.0})
        self.assertEqual(figures["oldest_overdue_days"], 62)

    def test_disputed_amount_is_what_is_still_open_of_the_disputed_invoice(self):
        """200 disputed on an invoice of 500 of which 350 is then paid: 150 is left, 150 is in dispute, on the
        debtor file and the contact as in the figures every other screen reads."""
        self._pay(self.inv_b, 350.0, "2026-03-20")
        self.env.invalidate_all()
        figures = self.env["debtor.customer"]._debtor_figures(self.company, self.customer)[self.customer.id]
        self.assertEqual(figures["disputed"], 150.0)
        self.assertEqual(self._debtor(self.customer).disputed_amount, 150.0)
        self.assertEqual(self.customer.debtor_disputed_amount, 150.0)
        self.assertEqual(self._debtor(self.customer).dispute_count, 1)

    def test_work_queue_aging_dashboard_statement_agree(self):
        debtor = self._debtor(self.customer)
        # the work queue
        self.assertEqual((debtor.total_due, debtor.total_overdue, debtor.disputed_amount), (1500.0, 1100.0, 200.0))
        self.assertEqual((self.customer.debtor_total_due, self.customer.debtor_total_overdue), (1500.0, 1100.0))
        # the aging: per bucket, in total, and its overdue, credits and disputed columns
        Aging = self.env["debtor.report.aging"].with_user(self.manager)
        domain = [("partner_id", "=", self.customer.id)]
        buckets = dict(Aging._read_group(domain, ["bucket"], ["amount_residual:sum"]))
        self.assertEqual(buckets, {"0_not_due": 800.0, "1_1_30": 100.0, "3_61_90": 600.0})
        [[total, owed, credits, overdue, disputed]] = Aging._read_group(
            domain, [], ["amount_residual:sum", "amount_open:sum", "amount_credit:sum", "amount_overdue:sum",
                         "amount_disputed:sum"])
        self.assertEqual((total, owed, credits, overdue, disputed), (1500.0, 1900.0, -400.0, 1100.0, 200.0))
        self.assertEqual(sum(buckets.values()), debtor.total_due)
        [[not_due, d1_30, d61_90]] = Aging._read_group(
            domain, [], ["amount_not_due:sum", "amount_1_30:sum", "amount_61_90:sum"])
        self.assertEqual((not_due, d1_30, d61_90), (800.0, 100.0, 600.0), "the list's bucket columns")
        # the dashboard (the customer is the company's only one)
        tiles = self.env["debtor.report.dashboard"].with_user(self.manager)._figures(self.company)
        self.assertEqual((tiles["open"], tiles["overdue"], tiles["disputed"]), (1500.0, 1100.0, 200.0))
        # the statement: the credits on their own lines, totals that add up, the disputed item marked
        html = self.env["ir.actions.report"]._render_qweb_html(
            "debtor_followup.action_report_debtor_statement", debtor.ids)[0].decode()
        tree = lxml_html.fromstring(html)
        self.assertEqual(len(tree.xpath("//tr[contains(@class, 'o_debtor_item')]")), 3)
        credit_rows = tree.xpath("//tr[contains(@class, 'o_debtor_credit')]")
        self.assertEqual(len(credit_rows), 2, "the credit note and the unused payment, each on its own line")
        self.assertIn(self.refund.name, credit_rows[0].text_content())
        open_, credits_, total_due = (self._cell(tree, "o_debtor_total_open"),
                                      self._cell(tree, "o_debtor_total_credits"),
                                      self._cell(tree, "o_debtor_total_due"))
        self.assertEqual((open_, credits_, total_due), (1900.0, -400.0, 1500.0))
        self.assertEqual(round(open_ + credits_, 2), total_due, "the totals add up")
        self.assertEqual(self._cell(tree, "o_debtor_total_overdue"), debtor.total_overdue)
        self.assertEqual(self._cell(tree, "o_debtor_total_disputed"), 200.0)
        [disputed_row] = [row for row in tree.xpath("//tr[contains(@class, 'o_debtor_item')]")
                          if self.inv_b.name in row.text_content()]
        self.assertIn("In dispute", disputed_row.text_content())
        self.assertEqual(len(tree.xpath("//*[contains(@class, 'o_debtor_disputed')]")), 1, "only invoice B")

    def test_forecast_never_expects_more_than_is_open_net_of_credits_and_disputes(self):
        Forecast = self.env["debtor.report.forecast"].with_user(self.manager)
        rows = Forecast.search([("partner_id", "=", self.customer.id)])
        # owed 1,900 - credits 400 - disputed 200 = 1,300
        self.assertEqual(sum(rows.mapped("amount")), 1300.0)
        self.assertEqual(sum(rows.mapped("amount_credited")), 400.0, "the credits offset the first receipts")
        self.assertEqual(sum(rows.mapped("amount_disputed")), 200.0)
        tiles = self.env["debtor.report.dashboard"].with_user(self.manager)._figures(self.company)
        [[next_4_weeks]] = Forecast._read_group([("week", "in", ("w01", "w02", "w03", "w04"))], [], ["amount:sum"])
        self.assertEqual(tiles["forecast"], next_4_weeks, "the tile and the report's filter agree")
        self.assertLessEqual(tiles["forecast"], tiles["open"])
        # the weeks are named by their Monday
        labels = dict(Forecast._fields["week"]._description_selection(Forecast.env))
        self.assertEqual((labels["w01"], labels["w02"], labels["later"]),
                         ("Week of 16 Mar 2026", "Week of 23 Mar 2026", "From 8 Jun 2026"))

    def test_credits_on_the_reminder_too(self):
        values = self.customer.with_context(debtor_followup={"line_ids": self._receivable(self.inv_a).ids}) \
            ._debtor_followup_values()
        tree = lxml_html.fromstring(str(values["items_html"]))
        self.assertEqual(len(tree.xpath("//tr[contains(@class, 'o_debtor_item')]")), 1)
        self.assertEqual(len(tree.xpath("//tr[contains(@class, 'o_debtor_credit')]")), 2)
        self.assertEqual((self._cell(tree, "o_debtor_total_open"), self._cell(tree, "o_debtor_total_credits"),
                          self._cell(tree, "o_debtor_total_due")), (600.0, -400.0, 200.0))

    def test_next_level_and_date_go_together(self):
        # invoice C alone for another customer: not due, its next action is the courtesy reminder 3 days before
        invoice = self._invoice(self.customer_b, 800.0, "2026-03-10", due_date="2026-04-10")
        self.env["debtor.customer"]._refresh(self.company, self.customer_b)
        debtor = self._debtor(self.customer_b)
        self.assertEqual((str(debtor.next_action_date), debtor.due_level_id, debtor.status),
                         ("2026-04-07", self.level_courtesy, "none"))
        self.assertTrue(invoice)
        # the first customer has a level due now: the earliest level due is the next one
        debtor = self._debtor(self.customer)
        self.assertEqual((str(debtor.next_action_date), debtor.due_level_id, debtor.status),
                         ("2026-01-22", self.level_1, "action"), "invoice A's first reminder (B is disputed)")
        # every debtor file: both set or both empty
        for file in self.env["debtor.customer"].search([]):
            self.assertEqual(bool(file.next_action_date), bool(file.due_level_id), file.display_name)
