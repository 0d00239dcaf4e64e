import logging
import random
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import split_every

_logger = logging.getLogger(__name__)

# How a generated invoice gets paid: (behaviour, weight)
PAYMENT_BEHAVIOURS = [("early", 35), ("late", 30), ("partial", 15), ("never", 20)]
COMPANY_NAMES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne",
                 "Soylent", "Vandelay", "Gringotts", "Oscorp", "Monarch", "Aperture", "Nakatomi", "Virtucon",
                 "Massive Dynamic", "Pied Piper"]
COMPANY_SUFFIXES = ["Ltd", "GmbH", "B.V.", "S.A.", "Inc", "SRL", "AB", "Oy"]


class DebtorDemoGenerator(models.AbstractModel):
    """Builds realistic receivables: customers with invoices paid early, late, partly and never, in two currencies.

    Used by the addon's demo data (small) and by the benchmark (10,000 customers, 100,000 invoices). Everything is
    created in batches through the ORM, with the debtor-file refresh done once at the end.
    """

    _name = "debtor.demo.generator"
    _description = "Debtor Demo Data Generator"

    @api.model
    def generate(self, company=None, customers=20, invoices=100, seed=42, foreign_currency="EUR", today=None,
                 batch_size=500):
        """Create ``customers`` customers and ``invoices`` customer invoices (a tenth of them credit notes) in
        ``company``, dated over the last twelve months, paid early, late, partly or never.

        :param company: the ``res.company`` (default: the current company); it needs a chart of accounts
        :param int customers: number of customers to create
        :param int invoices: number of invoices and credit notes to create
        :param int seed: the random seed: the same seed gives the same data
        :param str foreign_currency: ISO code of the second currency used by about a third of the invoices
        :param today: the date the data is generated for (default: today)
        :return: dict with the created ``partners``, ``moves`` and ``payments``
        """
        if not self.env.is_superuser() and not self.env.user._is_admin():
            raise AccessError(self.env._("Only an administrator can generate demo data."))
        if customers <= 0 or invoices <= 0:
            raise ValueError("customers and invoices must be positive")
        rng = random.Random(seed)
        company = company or self.env.company
        today = today or fields.Date.context_today(self)
        env = self.with_company(company).with_context(debtor_skip_refresh=True, tracking_disable=True,
                                                      mail_create_nolog=True, mail_notrack=True).env
        currencies = self._demo_currencies(env, company, foreign_currency, today)
        terms = self._demo_payment_terms(env, company)
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
        bank = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        countries = env["res.country"].search([("code", "in", ["BE", "NL", "DE", "FR", "GB", "US"])])

        partners = env["res.partner"].create([{
            "name": f"{rng.choice(COMPANY_NAMES)} {rng.choice(COMPANY_SUFFIXES)} #{seed}-{index:05d}",
            "is_company": True,
            "email": f"ap-{seed}-{index:05d}@customer.example.com",
            "country_id": rng.choice(countries).id if countries else False,
            "property_payment_term_id": rng.choice(terms).id,
        } for index in range(customers)])

        moves = env["account.move"]
        plan = []  # (move vals, behaviour)
        for index in range(invoices):
            partner = partners[index % customers] if index < customers else rng.choice(partners)
            invoice_date = today - timedelta(days=rng.randint(1, 365))
            refund = rng.random() < 0.1
            currency = currencies[1] if rng.random() < 0.3 else currencies[0]
            plan.append(({
                "move_type": "out_refund" if refund else "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "journal_id": journal.id,
                "currency_id": currency.id,
                "invoice_payment_term_id": False if refund else partner.property_payment_term_id.id,
                "invoice_line_ids": [fields.Command.create({
                    "name": rng.choice(["Consulting", "Hardware", "Maintenance", "Licences", "Training"]),
                    "quantity": rng.randint(1, 10),
                    "price_unit": round(rng.uniform(50, 1500), 2),
                    "tax_ids": [],
                })],
            }, None if refund else rng.choices(
                [b for b, _w in PAYMENT_BEHAVIOURS], weights=[w for _b, w in PAYMENT_BEHAVIOURS])[0]))
        for chunk in split_every(batch_size, plan):
            batch = env["account.move"].create([vals for vals, _behaviour in chunk])
            batch.action_post()
            moves |= batch
            _logger.info("debtor demo: %s/%s invoices posted", len(moves), invoices)

        payments = self._demo_payments(env, rng, moves, [b for _v, b in plan], bank, today, batch_size)
        env["debtor.customer"].with_context(debtor_skip_refresh=False)._refresh(company, today=today)
        env["debtor.customer"]._refresh_usual_delays(company, today=today)
        return {"partners": partners, "moves": moves, "payments": payments}

    @api.model
    def _demo_currencies(self, env, company, foreign_code, today):
        """The company currency and an active second currency with a rate."""
        foreign = env["res.currency"].with_context(active_test=False).search([("name", "=", foreign_code)], limit=1)
        if foreign == company.currency_id:
            foreign = env["res.currency"].with_context(active_test=False).search(
                [("name", "=", "USD" if foreign_code != "USD" else "EUR")], limit=1)
        foreign.active = True
        if not env["res.currency.rate"].search_count(
                [("currency_id", "=", foreign.id), ("company_id", "in", [company.id, False])], limit=1):
            env["res.currency.rate"].create({
                "currency_id": foreign.id, "company_id": company.id, "rate": 1.1,
                "name": today - timedelta(days=400)})
        return [company.currency_id, foreign]

    @api.model
    def _demo_payment_terms(self, env, company):
        """Immediate, 15, 30 and 45 days, and 30 % now with the balance in 60 days (two installments)."""
        refs = ["account.account_payment_term_immediate", "account.account_payment_term_15days",
                "account.account_payment_term_30days", "account.account_payment_term_45days"]
        terms = env["account.payment.term"]
        for ref in refs:
            terms |= env.ref(ref, raise_if_not_found=False) or terms
        split = env["account.payment.term"].search([("name", "=", "30% now, balance 60 days")], limit=1)
        if not split:
            split = env["account.payment.term"].create({
                "name": "30% now, balance 60 days",
                "company_id": False,
                "line_ids": [
                    fields.Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                    fields.Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60}),
                ],
            })
        return terms | split

    @api.model
    def _demo_payments(self, env, rng, moves, behaviours, bank, today, batch_size):
        """Pay the invoices as their behaviour says, in batches of payments reconciled with their invoice."""
        todo = []
        for move, behaviour in zip(moves, behaviours):
            if behaviour in (None, "never"):
                continue
            due = move.invoice_date_due or move.invoice_date
            if behaviour == "early":
                pay_date = move.invoice_date + timedelta(days=rng.randint(0, max((due - move.invoice_date).days, 0)))
                share = 1.0
            elif behaviour == "late":
                pay_date = due + timedelta(days=rng.randint(3, 75))
                share = 1.0
            else:
                pay_date = due + timedelta(days=rng.randint(-5, 40))
                share = rng.choice([0.3, 0.5, 0.7])
            if pay_date > today:
                continue
            amount = move.currency_id.round(move.amount_total * share)
            todo.append((move, pay_date, amount))
        payments = env["account.payment"]
        for chunk in split_every(batch_size, todo):
            batch = env["account.payment"].create([{
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": move.commercial_partner_id.id,
                "amount": amount,
                "currency_id": move.currency_id.id,
                "date": pay_date,
                "journal_id": bank.id,
                "memo": move.name,
            } for move, pay_date, amount in chunk])
            batch.action_post()
            # one reconciliation plan for the whole chunk: each payment with its own invoice
            env["account.move.line"]._reconcile_plan([
                (payment.move_id.line_ids | move.line_ids).filtered(
                    lambda line: line.account_type == "asset_receivable" and not line.reconciled)
                for payment, (move, _date, _amount) in zip(batch, chunk, strict=True)
            ])
            payments |= batch
            _logger.info("debtor demo: %s/%s payments posted", len(payments), len(todo))
        return payments

    @api.model
    def generate_demo(self):
        """Demo data of the addon (called from its demo XML): two companies, customers and invoices."""
        main = self.env.ref("base.main_company")
        second = self.env.ref("debtor_followup.demo_company_b", raise_if_not_found=False)
        if second and not second.chart_template:
            self.env["account.chart.template"].try_loading("generic_coa", second, install_demo=False)
        for company in main | (second or main):
            self.env["debtor.followup.policy"]._ensure_company_default(company)
        self.with_company(main).generate(company=main, customers=25, invoices=150, seed=1, foreign_currency="EUR")
        if second:
            self.with_company(second).generate(company=second, customers=12, invoices=60, seed=2,
                                               foreign_currency="USD")
        disputes = self._demo_disputes(main)
        self._demo_plan(main, exclude=disputes.move_id)

    @api.model
    def _demo_plan(self, company, exclude):
        """An active three-month payment plan over the unpaid invoices of one customer of ``company``."""
        invoices = self.env["account.move"].search([
            ("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "=", "not_paid"), ("id", "not in", exclude.ids),
            ("currency_id", "=", company.currency_id.id)], order="invoice_date_due, id")
        if not invoices:
            return self.env["debtor.payment.plan"]
        partner = invoices[0].commercial_partner_id
        plan = self.env["debtor.payment.plan"].with_company(company).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "move_ids": [fields.Command.set(invoices.filtered(lambda m: m.commercial_partner_id == partner).ids)],
            "installment_count": 3,
        })
        plan._debtor_workflow_write({"approved_by_id": self.env.user.id})
        plan.action_activate()
        return plan

    @api.model
    def _demo_disputes(self, company):
        """Two disputes on the oldest unpaid invoices of ``company``: one open, one under investigation."""
        invoices = self.env["account.move"].search([
            ("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "=", "not_paid")], order="invoice_date_due, id", limit=2)
        reasons = [self.env.ref("debtor_followup.dispute_reason_damaged"),
                   self.env.ref("debtor_followup.dispute_reason_price")]
        disputes = self.env["debtor.dispute"].with_company(company).create([{
            "move_id": invoice.id,
            "reason_id": reason.id,
            "description": self.env._("The customer reported this by phone."),
        } for invoice, reason in zip(invoices, reasons, strict=False)])
        disputes[1:].action_investigate()
        return disputes
