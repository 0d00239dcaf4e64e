"""Tests of the statutory late-payment engine (``tools/late_payment.py``).

The engine is plain Python: these cases need no database records. Every figure is
computed by hand in the comment next to it, with the small rate tables built in the
tests (not the shipped CSV) so that the figures stay exact. Interest is
``base * rate / 100 * days / 365`` per period, rounded half up to cents.
"""

import csv
import os
from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools import late_payment

D = Decimal
CSV_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "debtor.reference.rate.csv")


def table(rates, name="reference"):
    """A rate table from ``{"YYYY-MM-DD": "rate"}``."""
    return late_payment.RateTable(rates, name=name)


@tagged("post_install", "-at_install")
class TestLatePaymentRates(BaseCase):
    """Rate tables, statutory rate periods and the shipped rate data."""

    def test_rate_on_and_periods(self):
        rates = table({"2024-01-01": "3.62", "2024-07-01": "3.37", "2025-01-01": "3.37", "2025-07-01": "1.27"})
        self.assertEqual(rates.rate_on(date(2024, 1, 1)), D("3.62"))
        self.assertEqual(rates.rate_on(date(2024, 6, 30)), D("3.62"))
        self.assertEqual(rates.rate_on("2024-07-01"), D("3.37"))
        self.assertEqual(rates.rate_on(date(2030, 1, 1)), D("1.27"), "the last rate stays in force")
        periods = rates.periods(date(2024, 6, 1), date(2025, 7, 10))
        # 2024-07-01 changes the rate, 2025-01-01 repeats it (no split), 2025-07-01 changes it
        self.assertEqual(
            [(p.date_from, p.date_to, p.rate, p.days) for p in periods],
            [
                (date(2024, 6, 1), date(2024, 6, 30), D("3.62"), 30),
                (date(2024, 7, 1), date(2025, 6, 30), D("3.37"), 365),
                (date(2025, 7, 1), date(2025, 7, 10), D("1.27"), 10),
            ],
        )
        self.assertEqual(len(rates.periods(date(2024, 7, 1), date(2024, 7, 1))), 1)

    def test_from_records(self):
        rows = [{"date_from": date(2023, 7, 1), "rate": 4.0}, {"date_from": date(2023, 1, 1), "rate": 2.5}]
        rates = late_payment.RateTable.from_records(rows, name="ecb")
        self.assertEqual(rates.entries, [(date(2023, 1, 1), D("2.5")), (date(2023, 7, 1), D("4.0"))])
        self.assertEqual(rates.first_date, date(2023, 1, 1))

    def test_statutory_periods_per_rule(self):
        # EU: the ECB rate in force on 1 July 2023 (4.00) governs the whole second half-year,
        # although the ECB raised it to 4.25 on 2 August 2023
        ecb = table({"2023-06-21": "4.00", "2023-08-02": "4.25", "2023-09-20": "4.50"}, name="ecb")
        periods = late_payment.statutory_periods("eu", ecb, date(2023, 7, 1), date(2024, 1, 31))
        # H2 2023: 4.00 + 8 = 12.00; H1 2024: rate in force on 1 January 2024 = 4.50, + 8 = 12.50
        self.assertEqual(
            [(p.date_from, p.date_to, p.rate) for p in periods],
            [(date(2023, 7, 1), date(2023, 12, 31), D("12.00")), (date(2024, 1, 1), date(2024, 1, 31), D("12.50"))],
        )
        # DE consumer: base 3.62 + 5 = 8.62
        base = table({"2024-01-01": "3.62"}, name="de_base")
        periods = late_payment.statutory_periods("de", base, date(2024, 2, 1), date(2024, 2, 29), consumer=True)
        self.assertEqual([p.rate for p in periods], [D("8.62")])

    def test_shipped_csv(self):
        """The data file loads, covers 2019 to the latest published half-year and is consistent with itself."""
        with open(CSV_PATH, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        self.assertEqual(list(rows[0]), ["id", "rate_type", "date_from", "rate", "note"])
        ids = [row["id"] for row in rows]
        self.assertEqual(len(ids), len(set(ids)), "xml ids must be unique")
        for row in rows:
            self.assertEqual(row["id"], f"rate_{row['rate_type']}_{row['date_from'].replace('-', '_')}")
        tables = late_payment.read_rate_csv(CSV_PATH)
        self.assertEqual(set(tables), {"ecb", "nl_commercial", "nl_statutory", "de_base", "uk_base"})
        for rate_type, rates in tables.items():
            self.assertLessEqual(rates.first_date, date(2019, 1, 1), rate_type)
            rates.periods(date(2019, 1, 1), date(2026, 12, 31))  # no missing rate
        half_years = [date(year, month, 1) for year in range(2019, 2027) for month in (1, 7)]
        ecb, nl, de = tables["ecb"], tables["nl_commercial"], tables["de_base"]
        for day in half_years:
            # art. 6:120 lid 2 BW: Dutch commercial rate = ECB rate + 8 points
            self.assertEqual(nl.rate_on(day), ecb.rate_on(day) + 8, day)
        for previous, day in zip(half_years, half_years[1:]):
            # § 247 BGB: the base rate moves by as many points as the ECB rate
            self.assertEqual(de.rate_on(day) - de.rate_on(previous), ecb.rate_on(day) - ecb.rate_on(previous), day)
        self.assertEqual(de.rate_on(date(2025, 7, 1)), D("1.27"))
        for rate_type in ("ecb", "nl_commercial", "de_base"):  # the half-yearly tables reach the current half-year
            self.assertEqual(tables[rate_type].entries[-1][0], date(2026, 7, 1), rate_type)
        self.assertEqual(tables["nl_statutory"].rate_on(date(2025, 3, 31)), D("6.00"))
        self.assertEqual(tables["uk_base"].rate_on(date(2023, 12, 31)), D("5.25"))


@tagged("post_install", "-at_install")
class TestLatePaymentInterest(BaseCase):
    """Interest per rule set, split at rate changes, with Dutch compounding."""

    def test_eu_rate_change_gives_two_lines(self):
        ecb = table({"2023-01-01": "2.50", "2023-07-01": "4.00"}, name="ecb")
        result = late_payment.compute_interest("eu", 10000, date(2023, 6, 15), date(2023, 7, 14), ecb)
        # 16-30 June: 15 days at 2.50 + 8 = 10.50 %: 10000 * 0.105 * 15 / 365 = 43.1506.. -> 43.15
        # 1-14 July: 14 days at 4.00 + 8 = 12.00 %: 10000 * 0.12 * 14 / 365 = 46.0273.. -> 46.03
        self.assertEqual(
            [(line.date_from, line.date_to, line.days, line.rate, line.amount) for line in result.lines],
            [
                (date(2023, 6, 16), date(2023, 6, 30), 15, D("10.50"), D("43.15")),
                (date(2023, 7, 1), date(2023, 7, 14), 14, D("12.00"), D("46.03")),
            ],
        )
        self.assertEqual(result.total, D("89.18"))  # 43.15 + 46.03
        self.assertEqual(result.days, 29)

    def test_eu_rate_fixed_for_the_half_year(self):
        # the ECB change of 22 March 2023 does not apply before 1 July 2023
        ecb = table({"2023-01-01": "2.50", "2023-03-22": "3.50", "2023-07-01": "4.00"}, name="ecb")
        result = late_payment.compute_interest("eu", 10000, date(2023, 3, 1), date(2023, 3, 31), ecb)
        # 2-31 March: 30 days at 10.50 %: 10000 * 0.105 * 30 / 365 = 86.3013.. -> 86.30
        self.assertEqual(len(result.lines), 1)
        self.assertEqual(result.total, D("86.30"))

    def test_no_interest_on_the_due_date(self):
        ecb = table({"2023-01-01": "2.50"}, name="ecb")
        result = late_payment.compute_interest("eu", 500, date(2023, 5, 1), date(2023, 5, 1), ecb)
        self.assertEqual(result.lines, [])
        self.assertEqual(result.total, D("0.00"))

    def test_de_business_and_consumer(self):
        base = table({"2024-01-01": "3.62", "2024-07-01": "3.37"}, name="de_base")
        b2b = late_payment.compute_interest("de", 1000, date(2024, 6, 20), date(2024, 7, 10), base)
        # 21-30 June: 10 days at 3.62 + 9 = 12.62 %: 1000 * 0.1262 * 10 / 365 = 3.4575.. -> 3.46
        # 1-10 July: 10 days at 3.37 + 9 = 12.37 %: 1000 * 0.1237 * 10 / 365 = 3.3890.. -> 3.39
        self.assertEqual([line.rate for line in b2b.lines], [D("12.62"), D("12.37")])
        self.assertEqual([line.amount for line in b2b.lines], [D("3.46"), D("3.39")])
        self.assertEqual(b2b.total, D("6.85"))
        consumer = late_payment.compute_interest("de", 1000, date(2024, 6, 20), date(2024, 7, 10), base, consumer=True)
        # 8.62 %: 1000 * 0.0862 * 10 / 365 = 2.3616.. -> 2.36; 8.37 %: 837 / 365 = 2.2931.. -> 2.29
        self.assertEqual([line.rate for line in consumer.lines], [D("8.62"), D("8.37")])
        self.assertEqual(consumer.total, D("4.65"))

    def test_de_negative_base_rate(self):
        base = table({"2016-07-01": "-0.88"}, name="de_base")
        # 1 January - 31 December 2022 = 365 days; -0.88 + 9 = 8.12 % and -0.88 + 5 = 4.12 %
        b2b = late_payment.compute_interest("de", 1000, date(2021, 12, 31), date(2022, 12, 31), base)
        self.assertEqual(b2b.total, D("81.20"))  # 1000 * 0.0812 * 365 / 365
        consumer = late_payment.compute_interest("de", 1000, date(2021, 12, 31), date(2022, 12, 31), base, True)
        self.assertEqual(consumer.total, D("41.20"))  # 1000 * 0.0412

    def test_uk_half_year_reference_switch(self):
        bank_rate = table({"2022-12-15": "3.50", "2023-06-22": "5.00", "2023-08-03": "5.25"}, name="uk_base")
        # interest starting 30 June 2023 uses Bank Rate of 31 December 2022 (3.50) + 8 = 11.50 %,
        # also after 1 July: 30 days (30 June - 29 July): 1000 * 0.115 * 30 / 365 = 9.4520.. -> 9.45
        june = late_payment.compute_interest("uk", 1000, date(2023, 6, 29), date(2023, 7, 29), bank_rate)
        self.assertEqual([(line.rate, line.days, line.amount) for line in june.lines], [(D("11.50"), 30, D("9.45"))])
        # interest starting 1 July 2023 uses Bank Rate of 30 June 2023 (5.00) + 8 = 13.00 %:
        # 30 days (1 - 30 July): 1000 * 0.13 * 30 / 365 = 10.6849.. -> 10.68
        july = late_payment.compute_interest("uk", 1000, date(2023, 6, 30), date(2023, 7, 30), bank_rate)
        self.assertEqual([(line.rate, line.days, line.amount) for line in july.lines], [(D("13.00"), 30, D("10.68"))])

    def test_uk_rate_fixed_for_the_life_of_the_debt(self):
        bank_rate = table({"2023-06-22": "5.00", "2023-08-03": "5.25"}, name="uk_base")
        # 1 July 2023 - 30 June 2024 = 366 days (29 February 2024), one line at 13.00 %:
        # 1000 * 0.13 * 366 / 365 = 130.3561.. -> 130.36 (actual/365 also in leap years)
        result = late_payment.compute_interest("uk", 1000, date(2023, 6, 30), date(2024, 6, 30), bank_rate)
        self.assertEqual(len(result.lines), 1)
        self.assertEqual(result.lines[0].days, 366)
        self.assertEqual(result.total, D("130.36"))

    def test_nl_compounding_after_a_year(self):
        rates = table({"2019-01-01": "8.00"}, name="nl_commercial")
        result = late_payment.compute_interest("nl", 10000, date(2020, 12, 31), date(2022, 3, 31), rates)
        # year 1, 1 January - 31 December 2021 = 365 days: 10000 * 0.08 = 800.00
        # from 1 January 2022 the base is 10000 + 800 = 10800;
        # 1 January - 31 March 2022 = 90 days: 10800 * 0.08 * 90 / 365 = 213.0410.. -> 213.04
        self.assertEqual(
            [(line.date_from, line.date_to, line.base, line.amount) for line in result.lines],
            [
                (date(2021, 1, 1), date(2021, 12, 31), D("10000.00"), D("800.00")),
                (date(2022, 1, 1), date(2022, 3, 31), D("10800.00"), D("213.04")),
            ],
        )
        self.assertEqual(result.total, D("1013.04"))
        # simple interest at the same 8 % (German rule, base -1.00 + 9) is one line of 455 days:
        # 10000 * 0.08 * 455 / 365 = 997.2602.. -> 997.26
        simple = late_payment.compute_interest("de", 10000, date(2020, 12, 31), date(2022, 3, 31),
                                               table({"2019-01-01": "-1.00"}))
        self.assertEqual(simple.total, D("997.26"))

    def test_nl_compounding_with_rate_change(self):
        rates = table({"2022-07-01": "8.00", "2023-01-01": "10.50"}, name="nl_commercial")
        result = late_payment.compute_interest("nl", 1000, date(2022, 9, 30), date(2023, 10, 31), rates)
        # 1 October - 31 December 2022: 92 days at 8.00: 1000 * 0.08 * 92 / 365 = 20.1643.. -> 20.16
        # 1 January - 30 September 2023: 273 days at 10.50: 1000 * 0.105 * 273 / 365 = 78.5342.. -> 78.53
        # anniversary 1 October 2023: base 1000 + 20.16 + 78.53 = 1098.69
        # 1 - 31 October 2023: 1098.69 * 0.105 * 31 / 365 = 9.7979.. -> 9.80
        self.assertEqual([line.amount for line in result.lines], [D("20.16"), D("78.53"), D("9.80")])
        self.assertEqual(result.lines[2].base, D("1098.69"))
        self.assertEqual(result.total, D("108.49"))

    def test_nl_anniversary_of_29_february(self):
        rates = table({"2019-01-01": "8.00"}, name="nl_commercial")
        # interest from 29 February 2024: the first year ends on 28 February 2025
        result = late_payment.compute_interest("nl", 1000, date(2024, 2, 28), date(2025, 3, 1), rates)
        self.assertEqual([line.date_to for line in result.lines], [date(2025, 2, 28), date(2025, 3, 1)])
        # 29 Feb 2024 - 28 Feb 2025 = 366 days: 1000 * 0.08 * 366 / 365 = 80.2191.. -> 80.22
        # 1 March 2025 on 1080.22: 1080.22 * 0.08 / 365 = 0.2367.. -> 0.24
        self.assertEqual([line.amount for line in result.lines], [D("80.22"), D("0.24")])


@tagged("post_install", "-at_install")
class TestLatePaymentCosts(BaseCase):
    """WIK scale, the 14-day letter, UK fixed sums and the EUR 40 of the EU and Germany."""

    def test_wik_bracket_edges(self):
        cases = [
            ("2500", "375.00"),  # 15 % * 2500
            ("5000", "625.00"),  # 375 + 10 % * 2500 = 375 + 250
            ("10000", "875.00"),  # 625 + 5 % * 5000 = 625 + 250
            ("200000", "2775.00"),  # 875 + 1 % * 190000 = 875 + 1900
            ("1234.56", "185.18"),  # 15 % * 1234.56 = 185.184
            ("2600", "385.00"),  # 375 + 10 % * 100
        ]
        for principal, expected in cases:
            costs = late_payment.wik_costs(principal)
            self.assertEqual(costs.amount, D(expected), principal)
            self.assertEqual((costs.vat, costs.total, costs.currency), (D("0.00"), D(expected), "EUR"))

    def test_wik_minimum_and_maximum(self):
        self.assertEqual(late_payment.wik_costs(200).amount, D("40.00"))  # 15 % * 200 = 30 -> minimum 40
        self.assertEqual(late_payment.wik_costs("266.66").amount, D("40.00"))  # 39.999 -> minimum 40
        self.assertEqual(late_payment.wik_costs(300).amount, D("45.00"))  # 15 % * 300, above the minimum
        # 2775 + 0.5 % * (1,000,000 - 200,000) = 2775 + 4000 = 6775: exactly the maximum
        self.assertEqual(late_payment.wik_costs(1000000).amount, D("6775.00"))
        # 2775 + 0.5 % * 1,800,000 = 11775 -> capped at 6775
        self.assertEqual(late_payment.wik_costs(2000000).amount, D("6775.00"))
        self.assertEqual(late_payment.wik_costs(0).total, D("0.00"))

    def test_wik_with_vat(self):
        costs = late_payment.wik_costs(2500, vat_rate=21)
        self.assertEqual((costs.amount, costs.vat, costs.total), (D("375.00"), D("78.75"), D("453.75")))  # 375*0.21
        minimum = late_payment.wik_costs(100, vat_rate=21)
        self.assertEqual((minimum.amount, minimum.vat, minimum.total), (D("40.00"), D("8.40"), D("48.40")))
        maximum = late_payment.wik_costs(5000000, vat_rate=21)
        # the maximum applies before VAT: 6775 + 21 % * 6775 = 6775 + 1422.75
        self.assertEqual((maximum.amount, maximum.vat, maximum.total), (D("6775.00"), D("1422.75"), D("8197.75")))

    def test_consumer_fourteen_day_letter(self):
        sent = date(2024, 3, 1)
        # received (assumed) 2 March; the 14 days run 3 - 16 March
        self.assertEqual(late_payment.wik_deadline(sent), date(2024, 3, 16))
        before = late_payment.fixed_compensation(
            "nl", 1000, consumer=True, reminder_date=sent, on_date=date(2024, 3, 16))
        self.assertFalse(before.due)
        self.assertEqual(before.total, D("0.00"))
        after = late_payment.fixed_compensation(
            "nl", 1000, consumer=True, reminder_date=sent, on_date=date(2024, 3, 17))
        self.assertTrue(after.due)
        self.assertEqual(after.total, D("150.00"))  # 15 % * 1000
        # a known later receipt (4 March) moves the end of the period to 18 March
        self.assertFalse(late_payment.wik_costs_due(sent, date(2024, 3, 18), received_date=date(2024, 3, 4)))
        self.assertTrue(late_payment.wik_costs_due(sent, date(2024, 3, 19), received_date=date(2024, 3, 4)))
        # no letter, or a letter sent before the debtor was in default, never makes costs due
        self.assertFalse(late_payment.fixed_compensation("nl", 1000, consumer=True, on_date=date(2024, 6, 1)).due)
        self.assertFalse(late_payment.wik_costs_due(sent, date(2024, 6, 1), due_date=date(2024, 3, 1)))
        self.assertTrue(late_payment.wik_costs_due(sent, date(2024, 6, 1), due_date=date(2024, 2, 29)))

    def test_nl_business_compensation(self):
        # between businesses no letter is needed; the WIK minimum is the directive's EUR 40
        self.assertEqual(late_payment.fixed_compensation("nl", 100).total, D("40.00"))
        self.assertEqual(late_payment.fixed_compensation("nl", 2500, vat_rate=21).total, D("453.75"))

    def test_uk_band_edges(self):
        for principal, expected in (("999.99", "40.00"), ("1000", "70.00"), ("9999.99", "70.00"), ("10000", "100.00")):
            costs = late_payment.fixed_compensation("uk", principal)
            self.assertEqual((costs.total, costs.currency), (D(expected), "GBP"), principal)

    def test_eu_and_de_flat_fees(self):
        eu = late_payment.fixed_compensation("eu", 123456)
        self.assertEqual((eu.total, eu.currency), (D("40.00"), "EUR"))
        self.assertEqual(late_payment.fixed_compensation("de", 10).total, D("40.00"))
        consumer = late_payment.fixed_compensation("de", 10, consumer=True)
        self.assertEqual((consumer.total, consumer.due), (D("0.00"), False))


@tagged("post_install", "-at_install")
class TestLatePaymentAllocation(BaseCase):
    """Partial payments: costs -> interest -> principal, or principal first."""

    def test_single_payment_orders(self):
        first = late_payment.allocate(100, principal=1000, interest=30, costs=40)
        # costs 40, interest 30, principal 100 - 40 - 30 = 30
        self.assertEqual((first.costs, first.interest, first.principal, first.unallocated),
                         (D("40.00"), D("30.00"), D("30.00"), D("0.00")))
        principal_first = late_payment.allocate(100, 1000, 30, 40, order=late_payment.ORDER_PRINCIPAL_FIRST)
        self.assertEqual((principal_first.costs, principal_first.interest, principal_first.principal),
                         (D("0.00"), D("0.00"), D("100.00")))
        surplus = late_payment.allocate(1200, 1000, 30, 40)
        self.assertEqual(surplus.unallocated, D("130.00"))  # 1200 - 40 - 30 - 1000

    def test_default_orders(self):
        self.assertEqual(late_payment.get_rule("de").allocation, late_payment.ORDER_COSTS_FIRST)
        self.assertEqual(late_payment.get_rule("nl").allocation, late_payment.ORDER_COSTS_FIRST)
        self.assertEqual(late_payment.get_rule("eu").allocation, late_payment.ORDER_PRINCIPAL_FIRST)
        self.assertEqual(late_payment.get_rule("UK").allocation, late_payment.ORDER_PRINCIPAL_FIRST)

    def test_dated_payment_costs_first(self):
        base = table({"2023-01-01": "1.00"}, name="de_base")  # statutory B2B rate 1 + 9 = 10 %
        result = late_payment.allocate_payments(
            "de", 1000, date(2023, 1, 31), date(2023, 4, 1), base, payments=[(date(2023, 3, 2), 500)], costs=40)
        # 1 February - 2 March (payment day included) = 30 days: 1000 * 0.10 * 30 / 365 = 8.2191.. -> 8.22
        # 500 -> costs 40, interest 8.22, principal 500 - 40 - 8.22 = 451.78; principal left 548.22
        # 3 March - 1 April = 30 days: 548.22 * 0.10 * 30 / 365 = 4.5059.. -> 4.51
        (allocation,) = result.allocations
        self.assertEqual((allocation.costs, allocation.interest, allocation.principal),
                         (D("40.00"), D("8.22"), D("451.78")))
        self.assertEqual([line.base for line in result.interest_lines], [D("1000.00"), D("548.22")])
        self.assertEqual((result.principal, result.interest, result.costs), (D("548.22"), D("4.51"), D("0.00")))
        self.assertEqual(result.interest_accrued, D("12.73"))  # 8.22 + 4.51
        self.assertEqual(result.total_due, D("552.73"))

    def test_dated_payment_principal_first(self):
        base = table({"2023-01-01": "1.00"}, name="de_base")
        result = late_payment.allocate_payments(
            "de", 1000, date(2023, 1, 31), date(2023, 4, 1), base, costs=40,
            payments=[late_payment.Payment(date(2023, 3, 2), D(500))], order=late_payment.ORDER_PRINCIPAL_FIRST)
        # 500 -> principal; 3 March - 1 April on 500: 500 * 0.10 * 30 / 365 = 4.1095.. -> 4.11
        self.assertEqual(result.allocations[0].principal, D("500.00"))
        self.assertEqual((result.principal, result.interest, result.costs), (D("500.00"), D("12.33"), D("40.00")))

    def test_payment_before_due_date_and_overpayment(self):
        ecb = table({"2023-01-01": "2.50"}, name="ecb")
        result = late_payment.allocate_payments(
            "eu", 1000, date(2023, 5, 31), date(2023, 6, 30), ecb,
            payments=[(date(2023, 5, 20), 600), (date(2023, 6, 30), 500)])
        # 600 before the due date: principal 400; 1 - 30 June on 400 at 10.50 %:
        # 400 * 0.105 * 30 / 365 = 3.4520.. -> 3.45; 500 -> principal 400, interest 3.45, surplus 96.55
        self.assertEqual([line.base for line in result.interest_lines], [D("400.00")])
        self.assertEqual(result.allocations[1].interest, D("3.45"))
        self.assertEqual((result.principal, result.interest, result.unallocated), (D("0.00"), D("0.00"), D("96.55")))

    def test_costs_owed_from_their_own_day(self):
        base = table({"2023-01-01": "1.00"}, name="de_base")  # 10 %
        result = late_payment.allocate_payments(
            "de", 1000, date(2023, 1, 31), date(2023, 4, 1), base, payments=[(date(2023, 3, 2), 500)], costs=40,
            costs_from=date(2023, 3, 10))
        # the costs are not owed yet on 2 March: 500 -> interest 8.22, principal 491.78; principal left 508.22
        # 3 March - 1 April = 30 days: 508.22 * 0.10 * 30 / 365 = 4.1771.. -> 4.18; the costs are owed on 1 April
        self.assertEqual((result.allocations[0].costs, result.allocations[0].principal), (D("0.00"), D("491.78")))
        self.assertEqual((result.principal, result.interest, result.costs), (D("508.22"), D("4.18"), D("40.00")))
        later = late_payment.allocate_payments(
            "de", 1000, date(2023, 1, 31), date(2023, 4, 1), base, costs=40, costs_from=date(2023, 4, 2))
        self.assertEqual(later.costs, D("0.00"), "costs owed from a day after the evaluation date are not owed")

    def test_nl_unpaid_interest_is_capitalised(self):
        rates = table({"2019-01-01": "8.00"}, name="nl_commercial")
        result = late_payment.allocate_payments(
            "nl", 10000, date(2020, 12, 31), date(2022, 3, 31), rates, payments=[(date(2021, 12, 31), 300)])
        # 2021: 800.00 interest; 300 paid on its last day -> 500 unpaid, capitalised on 1 January 2022
        # 2022, 90 days on 10500: 10500 * 0.08 * 90 / 365 = 207.1232.. -> 207.12
        self.assertEqual(result.interest_lines[1].base, D("10500.00"))
        self.assertEqual((result.principal, result.interest, result.capitalised_interest),
                         (D("10000.00"), D("707.12"), D("500.00")))  # interest 500 + 207.12


@tagged("post_install", "-at_install")
class TestLatePaymentErrors(BaseCase):
    """Impossible input is refused with a ValueError that says why."""

    def setUp(self):
        super().setUp()
        self.ecb = table({"2023-07-01": "4.00"}, name="ecb")

    def test_negative_principal(self):
        with self.assertRaisesRegex(ValueError, "principal must not be negative"):
            late_payment.compute_interest("eu", -1, date(2023, 8, 1), date(2023, 9, 1), self.ecb)
        with self.assertRaisesRegex(ValueError, "principal must not be negative"):
            late_payment.wik_costs(-10)
        with self.assertRaisesRegex(ValueError, "principal must not be negative"):
            late_payment.fixed_compensation("uk", "-0.01")
        with self.assertRaisesRegex(ValueError, "principal must not be negative"):
            late_payment.allocate_payments("de", -5, date(2023, 8, 1), date(2023, 9, 1), self.ecb)

    def test_end_before_start(self):
        with self.assertRaisesRegex(ValueError, "evaluation date 2023-07-31 is before the due date 2023-08-01"):
            late_payment.compute_interest("eu", 100, date(2023, 8, 1), date(2023, 7, 31), self.ecb)
        with self.assertRaisesRegex(ValueError, "end date 2023-07-01 is before the start date 2023-07-02"):
            self.ecb.periods(date(2023, 7, 2), date(2023, 7, 1))

    def test_unknown_rule_set(self):
        with self.assertRaisesRegex(ValueError, "Unknown rule set 'fr': expected one of de, eu, nl, uk"):
            late_payment.compute_interest("fr", 100, date(2023, 8, 1), date(2023, 9, 1), self.ecb)
        with self.assertRaisesRegex(ValueError, "Unknown rule set"):
            late_payment.fixed_compensation("be", 100)

    def test_missing_rate(self):
        with self.assertRaisesRegex(ValueError, "No ecb rate known on 2023-06-01: the table starts on 2023-07-01"):
            self.ecb.rate_on(date(2023, 6, 1))
        # EU: interest in June 2023 needs the rate of 1 January 2023
        with self.assertRaisesRegex(ValueError, "No ecb rate known on 2023-01-01"):
            late_payment.compute_interest("eu", 100, date(2023, 6, 1), date(2023, 7, 15), self.ecb)
        # UK: interest starting 10 July 2023 needs Bank Rate of 30 June 2023
        with self.assertRaisesRegex(ValueError, "No ecb rate known on 2023-06-30"):
            late_payment.compute_interest("uk", 100, date(2023, 7, 9), date(2023, 8, 1), self.ecb)
        with self.assertRaisesRegex(ValueError, "No ecb rate known on 2023-06-02"):
            late_payment.compute_interest("de", 100, date(2023, 6, 1), date(2023, 8, 1), self.ecb)

    def test_negative_or_late_payment(self):
        with self.assertRaisesRegex(ValueError, "payment of 2023-08-10 must not be negative"):
            late_payment.allocate_payments("de", 100, date(2023, 8, 1), date(2023, 9, 1), self.ecb,
                                           payments=[(date(2023, 8, 10), -5)])
        with self.assertRaisesRegex(ValueError, "payment must not be negative"):
            late_payment.allocate(-1, 100)
        with self.assertRaisesRegex(ValueError, "payment of 2023-09-10 is after the evaluation date 2023-09-01"):
            late_payment.allocate_payments("de", 100, date(2023, 8, 1), date(2023, 9, 1), self.ecb,
                                           payments=[(date(2023, 9, 10), 5)])

    def test_other_refusals(self):
        with self.assertRaisesRegex(ValueError, "only covers transactions between businesses"):
            late_payment.compute_interest("eu", 100, date(2023, 8, 1), date(2023, 9, 1), self.ecb, consumer=True)
        with self.assertRaisesRegex(ValueError, "only covers transactions between businesses"):
            late_payment.fixed_compensation("uk", 100, consumer=True)
        with self.assertRaisesRegex(ValueError, "Unknown allocation order"):
            late_payment.allocate(10, 100, order=("costs", "principal"))
        with self.assertRaisesRegex(ValueError, "VAT rate must not be negative"):
            late_payment.wik_costs(100, vat_rate=-21)
        with self.assertRaisesRegex(ValueError, "VAT rate only applies to the Dutch WIK costs"):
            late_payment.fixed_compensation("de", 100, vat_rate=19)
        with self.assertRaisesRegex(ValueError, "on_date"):
            late_payment.fixed_compensation("nl", 100, consumer=True, reminder_date=date(2024, 3, 1))
        with self.assertRaisesRegex(ValueError, "cannot be received"):
            late_payment.wik_deadline(date(2024, 3, 2), received_date=date(2024, 3, 1))
        with self.assertRaisesRegex(ValueError, "table is empty"):
            table({})
        with self.assertRaisesRegex(ValueError, "two rates on 2024-01-01"):
            table([("2024-01-01", "1.00"), (date(2024, 1, 1), "2.00")])
        with self.assertRaisesRegex(ValueError, "must be a number"):
            table({"2024-01-01": "four"})
        with self.assertRaisesRegex(ValueError, "must be an ISO date"):
            table({"2024-13-01": "4.00"})
        with self.assertRaisesRegex(ValueError, "due date is required"):
            late_payment.compute_interest("eu", 100, False, date(2023, 9, 1), self.ecb)
        with self.assertRaisesRegex(ValueError, "rates must be a RateTable"):
            late_payment.compute_interest("eu", 100, date(2023, 8, 1), date(2023, 9, 1), {"2023-07-01": 4})
