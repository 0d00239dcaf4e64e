import logging
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The simulated nightly runs of the demo: one every RUN_EVERY_DAYS days over the last RUN_DAYS days.
RUN_DAYS = 182
RUN_EVERY_DAYS = 14


class DebtorDemoGenerator(models.AbstractModel):
    """The demo's story on top of the generated ledgers: months of nightly runs, so that customers sit at every
    level, promises kept and broken, disputes in every state, credit checks and a hold, a handover, and named
    responsibles (see README, *The demo*)."""

    _inherit = "debtor.demo.generator"

    @api.model
    def generate_demo(self):
        """The addon's demo (called from its demo XML): *Debtor Demo B.V.* ready in euros, the ledgers of both
        companies, then their story."""
        second = self.env.ref("debtor_followup.demo_company_b", raise_if_not_found=False)
        if second:
            self._demo_prepare_company(second, self.env.ref("base.EUR"))
        result = super().generate_demo()
        users = (self.env.ref("debtor_followup.demo_user_controller", raise_if_not_found=False)
                 | self.env.ref("debtor_followup.demo_user_manager", raise_if_not_found=False))
        for company in self.env.ref("base.main_company") | (second or self.env["res.company"]):
            self._demo_story(company, users)
        return result

    @api.model
    def _demo_prepare_company(self, company, currency):
        """Give ``company`` a chart of accounts and ``currency`` (before it has any entry: the chart's loading sets
        the currency of its template's country), and make the administrator a user of it."""
        if not company.chart_template:
            self.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        if company.currency_id != currency:
            currency.active = True
            company.currency_id = currency
        self.env.ref("base.user_admin").sudo().company_ids |= company

    @api.model
    def _demo_story(self, company, users, today=None):
        """Play the months before ``today`` in ``company``: nightly runs every two weeks (each keeps its snapshot
        of the figures), a promise kept and one broken on the way, disputes in every state, credit checks and a
        hold, one customer handed over to the agency; the debtor files shared among ``users``.

        :param users: the credit controllers and managers to make responsible for the debtor files
        :return: dict of what it made: ``runs``, ``promises``, ``disputes``, ``checks``, ``handover``
        """
        today = today or fields.Date.context_today(self)
        Customer = self.env["debtor.customer"].with_company(company)
        Run = self.env["debtor.followup.run"]._debtor_workflow_env()
        self._demo_responsibles(company, users)
        runs, promises = Run.browse(), self.env["debtor.promise"]
        first = today - timedelta(days=RUN_DAYS)
        day = first
        while day < today:
            if day == first + timedelta(days=3 * RUN_EVERY_DAYS):
                promises |= self._demo_promises(company, day, users[:1])
            run = Run._get_or_start_run(company, day, trigger="cron")
            run._execute(today=day)
            self._demo_backdate(run, day)
            runs |= run
            day += timedelta(days=RUN_EVERY_DAYS)
        Customer._refresh(company, today=today)
        disputes = self._demo_dispute_states(company)
        handover = self._demo_handover(company)
        checks = self._demo_credit(company)
        return {"runs": runs, "promises": promises, "disputes": disputes, "checks": checks, "handover": handover}

    @api.model
    def _demo_backdate(self, run, day):
        """Date what ``run`` did on ``day``, the day it plays: the engine stamps its actions, their messages and
        the items' last follow-up with the real today, and the next runs of the story count their delays from
        those dates. Demo data only: raw SQL, after flushing, on the run's own records."""
        actions = run.action_ids
        if not actions:
            return
        self.env.flush_all()
        self.env.cr.execute(SQL("UPDATE debtor_followup_action SET date = %s WHERE id = ANY(%s)", day, actions.ids))
        self.env.cr.execute(SQL(
            "UPDATE account_move_line SET debtor_last_action_date = %s "
            "WHERE id = ANY(%s) AND debtor_last_action_date > %s", day, actions.line_ids.ids, day))
        messages = actions.mail_message_id
        if messages:
            self.env.cr.execute(SQL("UPDATE mail_message SET date = %s WHERE id = ANY(%s)",
                                    fields.Datetime.to_datetime(day) + timedelta(hours=2), messages.ids))
        self.env.invalidate_all()

    @api.model
    def _demo_responsibles(self, company, users):
        """Share the debtor files of ``company`` among ``users``, in turn."""
        if not users:
            return
        customers = self.env["debtor.customer"].sudo().search([("company_id", "=", company.id)], order="id")
        for index, customer in enumerate(customers):
            customer.responsible_id = users[index % len(users)]

    @api.model
    def _demo_promises(self, company, day, user):
        """On ``day``, two customers promise ``user`` to pay an overdue invoice in a week: the first pays it three
        days later (kept), the second does not (broken, at the next run)."""
        lines = self.env["account.move.line"].search([
            ("company_id", "=", company.id), ("account_type", "=", "asset_receivable"), ("reconciled", "=", False),
            ("parent_state", "=", "posted"), ("move_id.move_type", "=", "out_invoice"),
            ("date_maturity", "<", day), ("move_id.currency_id", "=", company.currency_id.id),
            ("move_id", "not in", self._demo_disputed(company).ids)], order="date_maturity, id")
        promises = self.env["debtor.promise"]
        partners = lines.partner_id[:2]
        for index, partner in enumerate(partners):
            line = lines.filtered(lambda item, partner=partner: item.partner_id == partner)[:1]
            promise = self.env["debtor.promise"]._debtor_workflow_create([{
                "partner_id": partner.id, "company_id": company.id, "date": day + timedelta(days=7),
                "amount": line.amount_residual, "line_ids": [fields.Command.set(line.ids)],
                "residual_at_promise": line.amount_residual,
                "user_id": user.id or self.env.uid,
                "note": self.env._("Promised on the phone."),
            }])
            promises |= promise
            if index == 0:
                self._demo_pay(company, line, day + timedelta(days=3))
        return promises

    @api.model
    def _demo_disputed(self, company):
        """The invoices of ``company`` disputed already."""
        return self.env["debtor.dispute"].search([("company_id", "=", company.id)]).move_id

    @api.model
    def _demo_pay(self, company, line, pay_date):
        """Pay the receivable ``line`` in full on ``pay_date``."""
        bank = self.env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        payment = self.env["account.payment"].with_company(company).create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": line.partner_id.id,
            "amount": line.amount_residual, "currency_id": line.currency_id.id, "date": pay_date,
            "journal_id": bank.id, "memo": line.move_id.name,
        })
        payment.action_post()
        (payment.move_id.line_ids.filtered(lambda item: item.account_type == "asset_receivable") | line).reconcile()
        return payment

    @api.model
    def _demo_dispute_states(self, company):
        """Disputes in every state besides the open one and the one under investigation of the demo: accepted
        (credited), rejected, closed and cancelled, on unpaid invoices not yet disputed."""
        invoices = self.env["account.move"].search([
            ("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "=", "not_paid"), ("id", "not in", self._demo_disputed(company).ids),
            ("currency_id", "=", company.currency_id.id)], order="invoice_date_due desc, id", limit=6)
        reasons = [self.env.ref("debtor_followup.dispute_reason_damaged"),
                   self.env.ref("debtor_followup.dispute_reason_price")]
        disputes = self.env["debtor.dispute"].with_company(company).create([{
            "move_id": invoice.id,
            "reason_id": reasons[index % 2].id,
            "description": self.env._("The customer wrote about it."),
            "disputed_amount": invoice.currency_id.round(invoice.amount_residual / 2),
        } for index, invoice in enumerate(invoices[:4])])
        if len(disputes) < 4:
            return disputes
        accepted, rejected, closed, cancelled = disputes
        accepted.action_accept()
        rejected.resolution_note = self.env._("The delivery note is signed without reservation.")
        rejected.action_reject()
        closed.resolution_note = self.env._("The customer withdrew the complaint.")
        closed.action_reject()
        closed.action_close()
        cancelled.action_cancel()
        return disputes

    @api.model
    def _demo_credit(self, company):
        """Credit checks: the largest customer approved with a limit, the one longest overdue refused and put on
        credit hold."""
        customers = self.env["debtor.customer"].search([("company_id", "=", company.id)])
        if len(customers) < 2:
            return self.env["debtor.credit.check"]
        handed_over = self.env["debtor.handover"].search([("company_id", "=", company.id)]).partner_id
        customers = customers.filtered(lambda c: c.partner_id not in handed_over)
        largest = customers.sorted(lambda c: (-c.total_due, c.id))[0]
        worst = (customers - largest).sorted(lambda c: (-c.oldest_overdue_days, c.id))[0]
        checks = self.env["debtor.credit.check"].create([
            {"customer_id": largest.id, "result": "approved_limit",
             "credit_limit_proposal": company.currency_id.round(largest.total_due * 1.5) or 5000.0},
            {"customer_id": worst.id, "result": "refused"},
        ])
        worst.credit_hold_note = self.env._("Refused at the credit check: months overdue, promises broken.")
        worst.action_credit_hold()
        return checks

    @api.model
    def _demo_handover(self, company):
        """Hand the overdue invoices of the customer due for handover with the most overdue to the agency; the
        others due for it stay in the work queue."""
        due = self.env["debtor.customer"].search([
            ("company_id", "=", company.id), ("status", "=", "action"), ("due_level_id.auto_execute", "=", False)])
        _logger.info("debtor demo: %s customers due for handover in %s", len(due), company.name)
        if not due or not company.debtor_handover_agency_id:
            return self.env["debtor.handover"]
        customer = due.sorted(lambda c: (-c.total_overdue, c.id))[0]
        partner = customer.partner_id
        if not (partner.street and partner.city and partner.country_id):
            # the agency needs a postal address, which the generated customers lack
            partner.write({"street": partner.street or "Handelsweg 12", "zip": partner.zip or "3541 BX",
                           "city": partner.city or "Utrecht",
                           "country_id": partner.country_id.id or self.env.ref("base.nl").id})
        wizard = self.env["debtor.handover.wizard"].with_company(company).with_context(
            active_model="debtor.customer", active_id=customer.id).create({})
        handover = self.env["debtor.handover"].browse(wizard.action_create()["res_id"])
        handover.action_send()
        return handover
