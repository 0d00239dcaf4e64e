"""Who may do what: every model and every button of the addon, for four personas.

The personas: a portal user, a plain invoicing user (Odoo's *Invoicing* group only) and a credit controller, all of
company A, and a credit manager of company B only (who must not see or touch anything of company A). The expected
rights are README's *Access rights* section written as tables; ``security/ir.model.access.csv`` and the record rules
must give exactly these.
"""

import base64
import contextlib
import os
from unittest.mock import patch

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..tools import identifiers
from ..tools import rate_sources
from .common import DebtorFollowupCommon
from .test_rate_update import BOE_BODY
from .test_rate_update import ECB_BODY

SAMPLE_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "samples", "credit_report_good.xml")

PORTAL, INVOICING, CONTROLLER, MANAGER_B = "portal", "invoicing", "controller", "manager_b"
PERSONAS = (PORTAL, INVOICING, CONTROLLER, MANAGER_B)
NOBODY = ""

# Model rights (c)reate (r)ead (w)rite (u)nlink, per persona. The manager's column is a Credit Manager's rights
# on its own company's records; record rules then hide every other company's (see test_company_isolation).
MODEL_RIGHTS = {
    # configuration: everybody in invoicing reads it, managers configure it
    "debtor.followup.policy":           (NOBODY, "r", "r", "crwu"),
    "debtor.followup.level":            (NOBODY, "r", "r", "crwu"),
    "debtor.dispute.reason":            (NOBODY, "r", "r", "crwu"),
    "debtor.reference.rate":            (NOBODY, "r", "r", "crwu"),
    # the work queue: invoicing users read the figures, controllers act, managers also delete
    "debtor.customer":                  (NOBODY, "r", "crw", "crwu"),
    "debtor.promise":                   (NOBODY, "r", "crw", "crwu"),
    "debtor.dispute":                   (NOBODY, "r", "crw", "crwu"),
    "debtor.payment.plan":              (NOBODY, "r", "crw", "crwu"),
    # installments are generated with their plan; the plan's sum constraint guards every change
    "debtor.payment.plan.line":         (NOBODY, "r", "crwu", "crwu"),
    "debtor.credit.check":              (NOBODY, "r", "crw", "crwu"),
    # history written by the system only (as superuser); managers may delete it
    "debtor.followup.action":           (NOBODY, "r", "r", "ru"),
    "debtor.followup.fee":              (NOBODY, "r", "r", "ru"),
    # the customers' answers on their page (written by the page, as superuser); its request counter: nobody's
    "debtor.portal.answer":             (NOBODY, "r", "r", "r"),
    "debtor.portal.hit":                (NOBODY, NOBODY, NOBODY, NOBODY),
    "debtor.customer.refresh":          (NOBODY, NOBODY, NOBODY, NOBODY),
    # run logs: controllers read them (what did last night's run do?); managers also start runs
    "debtor.followup.run":              (NOBODY, NOBODY, "r", "crwu"),
    # collection handovers: controllers read them (they answer the customer's questions) but change nothing;
    # plain invoicing users see the badge on the invoice only; managers hand over
    "debtor.handover":                  (NOBODY, NOBODY, "r", "crwu"),
    "debtor.handover.line":             (NOBODY, NOBODY, "r", "crwu"),
    "debtor.handover.wizard":           (NOBODY, NOBODY, NOBODY, "crwu"),
    # reports (read-only SQL views): the aging and the follow-up activity for controllers, the rest for managers
    "debtor.report.aging":              (NOBODY, NOBODY, "r", "r"),
    "debtor.report.activity":           (NOBODY, NOBODY, "r", "r"),
    "debtor.report.portal":             (NOBODY, NOBODY, "r", "r"),
    "debtor.report.collection":         (NOBODY, NOBODY, NOBODY, "r"),
    "debtor.report.dso":                (NOBODY, NOBODY, NOBODY, "r"),
    "debtor.report.recovery":           (NOBODY, NOBODY, NOBODY, "r"),
    "debtor.report.dispute":            (NOBODY, NOBODY, NOBODY, "r"),
    "debtor.report.plan":               (NOBODY, NOBODY, NOBODY, "r"),
    "debtor.report.forecast":           (NOBODY, NOBODY, NOBODY, "r"),
    "debtor.report.dashboard":          (NOBODY, NOBODY, NOBODY, "r"),
    "debtor.figure.snapshot":           (NOBODY, NOBODY, NOBODY, "r"),
    # the controller's dialogs
    "debtor.followup.send":             (NOBODY, NOBODY, "crwu", "crwu"),
    "debtor.promise.wizard":            (NOBODY, NOBODY, "crwu", "crwu"),
    "debtor.followup.log":              (NOBODY, NOBODY, "crwu", "crwu"),
    "debtor.payment.plan.wizard":       (NOBODY, NOBODY, "crwu", "crwu"),
    "debtor.credit.report.import":      (NOBODY, NOBODY, "crwu", "crwu"),
}
OPERATIONS = {"c": "create", "r": "read", "w": "write", "u": "unlink"}

# Company-bound records (company A) that the manager of company B must neither find nor touch.
COMPANY_RECORDS = ("policy", "level", "debtor", "action", "run_log", "promise", "dispute", "plan", "plan_line", "fee",
                   "check", "handover", "handover_line")

PO, INV, CTRL, MGR_B = PORTAL, INVOICING, CONTROLLER, MANAGER_B


def on(record, method):
    """Press ``method`` on the test's record named ``record``."""
    return lambda env, rec: getattr(getattr(rec, record).with_env(env), method)()


def dialog(model, method, **vals):
    """Save a dialog of ``model`` with ``vals`` (callables get the test), then press its ``method``."""
    def press(env, rec):
        values = {key: value(rec) if callable(value) else value for key, value in vals.items()}
        return getattr(env[model].create(values), method)()
    return press


def plan_from_invoice(env, rec):
    """*Propose Payment Plan* from the list of invoices, then *Create Plan*."""
    return env["debtor.payment.plan.wizard"].with_context(
        active_model="account.move", active_ids=rec.invoice_free.ids).create({"send_proposal": False}).action_create()


def update_rates(env, rec):
    """*Update Now* on the reference rates, the publications answering with the recorded bodies (no network)."""
    Rate = env["debtor.reference.rate"]
    bodies = {rate_sources.ECB_URL: ECB_BODY, rate_sources.BOE_URL: BOE_BODY}
    with patch.object(type(Rate), "_fetch_rate_source", lambda model, url: bodies[url]):
        return Rate.action_update_rates()


def debtor_id(rec):
    return rec.debtor.id


def hand_over(env, rec):
    """*Hand Over* on the debtor file, the preconditions overridden with a reason, then *Create Handover*."""
    wizard = env["debtor.handover.wizard"].with_context(active_model="debtor.customer", active_id=rec.debtor.id).create(
        {"move_ids": [Command.set(rec.invoice_free.ids)], "override": True, "override_reason": "Access test"})
    return wizard.action_create()


# Every public button of the addon: (button, who must be refused, who may press it, how it is pressed).
# Who may press it presses it too, as a control: the refusals come from the persona, not from the record.
# A button opening a dialog is followed into the dialog (see _follow): that is where the refusal may come.
BUTTONS = [
    # ---- the debtor file (work queue)
    ("debtor.customer.action_open_partner", (PO, MGR_B), CTRL, on("debtor", "action_open_partner")),
    ("debtor.customer.action_send_reminder", (PO, INV, MGR_B), CTRL, on("debtor", "action_send_reminder")),
    ("debtor.customer.action_record_promise", (PO, INV, MGR_B), CTRL, on("debtor", "action_record_promise")),
    ("debtor.customer.action_log_call", (PO, INV, MGR_B), CTRL, on("debtor", "action_log_call")),
    ("debtor.customer.action_postpone", (PO, INV, MGR_B), CTRL, on("debtor", "action_postpone")),
    ("debtor.customer.action_print_statement", (PO, MGR_B), CTRL, on("debtor", "action_print_statement")),
    ("debtor.customer.action_exclude", (PO, INV, MGR_B), CTRL, on("debtor", "action_exclude")),
    ("debtor.customer.action_include", (PO, INV, MGR_B), CTRL, on("debtor", "action_include")),
    ("debtor.customer.action_refresh", (PO, MGR_B), CTRL, on("debtor", "action_refresh")),
    ("debtor.customer.action_propose_plan", (PO, INV, MGR_B), CTRL, on("debtor", "action_propose_plan")),
    ("debtor.customer.action_open_plans", (PO, MGR_B), CTRL, on("debtor", "action_open_plans")),
    ("debtor.customer.action_open_disputes", (PO, MGR_B), CTRL, on("debtor", "action_open_disputes")),
    ("debtor.customer.action_open_history", (PO, MGR_B), CTRL, on("debtor", "action_open_history")),
    # the customer's page: its link (preview, revoke) and the answers given on it
    ("debtor.customer.action_portal_preview", (PO, MGR_B), CTRL, on("debtor", "action_portal_preview")),
    ("debtor.customer.action_portal_revoke", (PO, INV, MGR_B), CTRL, on("debtor", "action_portal_revoke")),
    ("debtor.customer.action_open_portal_answers", (PO, MGR_B), CTRL,
     lambda env, rec: rec.env["debtor.portal.answer"].sudo().create({"customer_id": rec.debtor.id, "kind": "paid"})
     and rec.debtor.with_env(env).action_open_portal_answers()),
    ("debtor.customer.action_credit_hold", (PO, INV, MGR_B), CTRL, on("debtor", "action_credit_hold")),
    ("debtor.customer.action_credit_release", (PO, INV, CTRL, MGR_B), "manager",
     on("debtor", "action_credit_release")),
    ("debtor.customer.action_record_credit_check", (PO, INV, MGR_B), CTRL,
     on("debtor", "action_record_credit_check")),
    ("debtor.customer.action_import_credit_report", (PO, INV, MGR_B), CTRL,
     on("debtor", "action_import_credit_report")),
    ("debtor.customer.action_open_credit_checks", (PO, MGR_B), CTRL, on("debtor", "action_open_credit_checks")),
    ("debtor.customer.action_compute_credit_score", (PO, INV, MGR_B), CTRL,
     on("debtor", "action_compute_credit_score")),
    # ---- its dialogs
    ("debtor.followup.send.action_send", (PO, INV, MGR_B), CTRL,
     # the fixture's customer was sent level 1 today: sending it again needs the confirmation
     dialog("debtor.followup.send", "action_send", customer_id=debtor_id, confirm_repeat=True)),
    ("debtor.followup.send.action_send_and_print", (PO, INV, MGR_B), CTRL,
     dialog("debtor.followup.send", "action_send_and_print", customer_id=debtor_id, confirm_repeat=True)),
    ("debtor.promise.wizard.action_confirm", (PO, INV, MGR_B), CTRL,
     dialog("debtor.promise.wizard", "action_confirm", customer_id=debtor_id, date="2099-01-01")),
    ("debtor.followup.log.action_confirm", (PO, INV, MGR_B), CTRL,
     dialog("debtor.followup.log", "action_confirm", customer_id=debtor_id, kind="call", outcome="no_answer")),
    ("debtor.payment.plan.wizard.action_create", (PO, INV, MGR_B), CTRL, plan_from_invoice),
    ("debtor.credit.report.import.action_import", (PO, INV, MGR_B), CTRL,
     dialog("debtor.credit.report.import", "action_import", customer_id=lambda rec: rec.exemple_debtor.id,
            report_file=lambda rec: rec.report)),
    # ---- disputes
    ("debtor.dispute.action_investigate", (PO, INV, MGR_B), CTRL, on("dispute", "action_investigate")),
    ("debtor.dispute.action_accept", (PO, INV, MGR_B), CTRL, on("dispute", "action_accept")),
    # above the company's approval amount only a manager accepts
    ("debtor.dispute.action_accept (large)", (PO, INV, CTRL, MGR_B), "manager", on("dispute_large", "action_accept")),
    ("debtor.dispute.action_reject", (PO, INV, MGR_B), CTRL, on("dispute", "action_reject")),
    ("debtor.dispute.action_cancel", (PO, INV, MGR_B), CTRL, on("dispute", "action_cancel")),
    ("debtor.dispute.action_close", (PO, INV, MGR_B), CTRL, on("dispute_resolved", "action_close")),
    ("debtor.dispute.action_open_credit_note", (PO, MGR_B), CTRL, on("dispute_resolved", "action_open_credit_note")),
    # ---- payment plans
    ("debtor.payment.plan.action_propose", (PO, INV, MGR_B), CTRL, on("plan", "action_propose")),
    ("debtor.payment.plan.action_approve", (PO, INV, CTRL, MGR_B), "manager", on("plan", "action_approve")),
    ("debtor.payment.plan.action_activate", (PO, INV, MGR_B), CTRL, on("plan", "action_activate")),
    ("debtor.payment.plan.action_cancel", (PO, INV, MGR_B), CTRL, on("plan", "action_cancel")),
    ("debtor.payment.plan.action_reset_draft", (PO, INV, MGR_B), CTRL, on("plan_cancelled", "action_reset_draft")),
    ("debtor.payment.plan.action_open_invoices", (PO, MGR_B), CTRL, on("plan", "action_open_invoices")),
    # ---- promises, history, runs, credit checks
    ("debtor.promise.action_cancel", (PO, INV, MGR_B), CTRL, on("promise", "action_cancel")),
    ("debtor.followup.action.action_print_letter", (PO, MGR_B), CTRL, on("action", "action_print_letter")),
    # a run is of the current company: company B's manager runs company B's, which is its right
    ("debtor.followup.run.action_run_now", (PO, INV, CTRL), "manager", on("run_log", "action_run_now")),
    ("debtor.reference.rate.action_update_rates", (PO, INV, CTRL), "manager", update_rates),
    ("debtor.credit.check.action_apply_limit", (PO, INV, CTRL, MGR_B), "manager", on("check", "action_apply_limit")),
    # ---- collection handovers: managers hand over and work the case, controllers only read it
    ("debtor.customer.action_handover", (PO, INV, CTRL, MGR_B), "manager", on("debtor", "action_handover")),
    ("debtor.customer.action_open_handovers", (PO, INV, MGR_B), CTRL, on("debtor", "action_open_handovers")),
    ("debtor.handover.wizard.action_create", (PO, INV, CTRL, MGR_B), "manager", hand_over),
    ("debtor.handover.action_generate_file", (PO, INV, CTRL, MGR_B), "manager",
     on("handover", "action_generate_file")),
    ("debtor.handover.action_send", (PO, INV, CTRL, MGR_B), "manager", on("handover", "action_send")),
    ("debtor.handover.action_acknowledge", (PO, INV, CTRL, MGR_B), "manager",
     on("handover_sent", "action_acknowledge")),
    ("debtor.handover.action_close", (PO, INV, CTRL, MGR_B), "manager", on("handover_sent", "action_close")),
    ("debtor.handover.action_withdraw", (PO, INV, CTRL, MGR_B), "manager", on("handover", "action_withdraw")),
    ("debtor.handover.action_download", (PO, INV, MGR_B), CTRL, on("handover_sent", "action_download")),
    ("debtor.handover.action_open_invoices", (PO, INV, MGR_B), CTRL, on("handover", "action_open_invoices")),
    ("account.move.action_debtor_open_handover", (PO, INV, MGR_B), CTRL,
     on("invoice_handover", "action_debtor_open_handover")),
    ("res.partner.action_debtor_handover", (PO, INV, CTRL), "manager", on("customer", "action_debtor_handover")),
    ("res.partner.action_debtor_open_handovers", (PO, INV), CTRL, on("customer", "action_debtor_open_handovers")),
    # ---- the managers' dashboard: a tile opens its report
    ("debtor.report.dashboard.action_open_report", (PO, INV, CTRL, MGR_B), "manager",
     on("dashboard_tile", "action_open_report")),
    # ---- on the invoice
    ("account.move.action_debtor_raise_dispute", (PO, INV, MGR_B), CTRL,
     on("invoice_free", "action_debtor_raise_dispute")),
    ("account.move.action_debtor_open_plans", (PO, MGR_B), CTRL, on("invoice_plan", "action_debtor_open_plans")),
    ("account.move.action_debtor_open_history", (PO, MGR_B), CTRL, on("invoice_free", "action_debtor_open_history")),
    ("account.move.action_debtor_open_disputes", (PO, MGR_B), CTRL,
     on("invoice_dispute", "action_debtor_open_disputes")),
    # ---- on the contact (shared by the companies: company B's manager opens company B's debtor file)
    ("res.partner.action_debtor_open", (PO,), CTRL, on("customer", "action_debtor_open")),
    # normalising rewrites the contact itself: for users who may edit contacts, as in Odoo
    ("res.partner.action_debtor_normalize_identifiers", (PO, INV, CTRL, MGR_B), "contacts",
     on("messy", "action_debtor_normalize_identifiers")),
    ("res.partner.action_debtor_check_vies", (PO,), CTRL, on("exemple", "action_debtor_check_vies")),
    ("res.partner.action_debtor_record_credit_check", (PO, INV), CTRL,
     on("customer", "action_debtor_record_credit_check")),
    ("res.partner.action_debtor_import_credit_report", (PO, INV), CTRL,
     on("customer", "action_debtor_import_credit_report")),
]


@tagged("post_install", "-at_install")
class TestAccessMatrix(DebtorFollowupCommon):
    """README's access rights, model by model and button by button."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.users = {
            PORTAL: new_test_user(cls.env, login="debtor_portal", groups="base.group_portal",
                                  company_id=company.id, company_ids=[Command.set(company.ids)]),
            INVOICING: cls.invoicing_user,
            CONTROLLER: cls.controller,
            MANAGER_B: new_test_user(cls.env, login="debtor_manager_b", groups="debtor_followup.group_debtor_manager",
                                     company_id=cls.company_b.id, company_ids=[Command.set(cls.company_b.ids)]),
            "manager": cls.manager,
            # who may edit contacts (Odoo's Contact Creation group, not a role of the addon)
            "contacts": new_test_user(cls.env, login="debtor_contacts",
                                      groups="base.group_partner_manager,account.group_account_invoice",
                                      company_id=company.id, company_ids=[Command.set(company.ids)]),
        }
        env = cls.env
        # company A's records, one of each
        cls.invoice_plan = cls._invoice(cls.customer, 400.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_free = cls._invoice(cls.customer, 300.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_promise = cls._invoice(cls.customer, 200.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_dispute = cls._invoice(cls.customer, 100.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_large = cls._invoice(cls.customer, 9000.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_resolved = cls._invoice(cls.customer, 50.0, "2025-11-01", due_date="2025-12-01")
        receivable = cls._receivable
        cls.debtor = env["debtor.customer"].search([("partner_id", "=", cls.customer.id),
                                                    ("company_id", "=", company.id)])
        cls.debtor.write({"exclusion_note": "Asked by the customer's lawyer", "credit_hold_note": "Unpaid for long",
                          "credit_hold": True})
        company.debtor_dispute_approval_amount = 1000.0
        reason = env.ref("debtor_followup.dispute_reason_other")
        Dispute = env["debtor.dispute"]
        cls.dispute = Dispute.create({"move_id": cls.invoice_dispute.id, "reason_id": reason.id,
                                      "resolution_note": "Delivered and signed for"})
        cls.dispute_large = Dispute.create({"move_id": cls.invoice_large.id, "reason_id": reason.id})
        cls.dispute_resolved = Dispute.create({"move_id": cls.invoice_resolved.id, "reason_id": reason.id})
        cls.dispute_resolved.sudo().write({"state": "resolved", "resolution": "rejected"})  # as the workflow
        Plan = env["debtor.payment.plan"]
        cls.plan = Plan.create({"partner_id": cls.customer.id, "move_ids": [Command.set(cls.invoice_plan.ids)],
                                "installment_count": 2})
        cls.plan_cancelled = Plan.create({"partner_id": cls.customer.id, "installment_count": 2,
                                          "move_ids": [Command.set(cls.invoice_resolved.ids)]})
        cls.plan_cancelled.action_cancel()
        cls.promise = env["debtor.promise"].create({
            "partner_id": cls.customer.id, "company_id": company.id, "date": "2099-01-01", "amount": 200.0,
            "line_ids": [Command.set(receivable(cls.invoice_promise).ids)]})
        cls.action = env["debtor.followup.action"].sudo().create({
            "partner_id": cls.customer.id, "company_id": company.id, "level_id": cls.level_1.id,
            "line_ids": [Command.set(receivable(cls.invoice_free).ids)], "state": "done", "manual": True})
        cls.run_log = env["debtor.followup.run"].sudo()._get_or_start_run(company, fields.Date.today())
        cls.fee = env["debtor.followup.fee"].sudo().create({
            "move_id": cls.invoice_free.id, "level_id": cls.level_1.id, "fee_move_id": cls.invoice_plan.id,
            "company_id": company.id})
        cls.check = env["debtor.credit.check"].create({
            "customer_id": cls.debtor.id, "result": "approved_limit", "credit_limit_proposal": 5000.0})
        cls.level = cls.level_1
        # two handovers: a draft and one sent to the agency
        agency = env["res.partner"].create({"name": "Collect & Recover BV", "is_company": True,
                                            "debtor_is_collection_agency": True, "email": "cases@collect.example.com"})
        company.debtor_handover_agency_id = agency
        cls.customer.write({"street": "1 Main Street", "city": "Springfield", "country_id": env.ref("base.us").id})
        cls.invoice_handover = cls._invoice(cls.customer, 150.0, "2025-11-01", due_date="2025-12-01")
        cls.invoice_handover_sent = cls._invoice(cls.customer, 250.0, "2025-11-01", due_date="2025-12-01")
        handovers = env["debtor.handover"]
        for invoice in (cls.invoice_handover, cls.invoice_handover_sent):
            wizard = env["debtor.handover.wizard"].with_user(cls.manager).with_context(
                active_model="debtor.customer", active_id=cls.debtor.id).create({})
            wizard.write({"move_ids": [Command.set(invoice.ids)], "override": True, "override_reason": "Test data"})
            handovers |= handovers.browse(wizard.action_create()["res_id"])
        cls.handover, cls.handover_sent = handovers
        cls.handover.withdraw_reason = "The customer paid the lawyer"
        cls.handover_sent.action_send()
        cls.handover_sent.write({"agency_reference": "CR-1", "close_note": "Given up by the agency"})
        cls.handover_line = cls.handover.line_ids[:1]
        cls.dashboard_tile = env["debtor.report.dashboard"].search([("company_id", "=", company.id)], limit=1)
        cls.plan_line = cls.plan.line_ids[:1]
        # a customer whose identifiers match the sample credit report
        cls.exemple = cls._exemple_partner(env)
        cls.exemple_debtor = env["debtor.customer"]._credit_file(cls.exemple, company)
        cls.messy = env["res.partner"].create({"name": "Messy Identifiers GmbH", "is_company": True,
                                               "vat": " fr 198 123 456 76 "})
        with open(SAMPLE_PATH, "rb") as sample:
            cls.report = base64.b64encode(sample.read())

    def _env(self, persona):
        """The environment of ``persona`` in its own companies (as the web client would open it)."""
        user = self.users[persona]
        return self.env(user=user, context={"allowed_company_ids": user.company_ids.ids, "tz": "UTC"}, su=False)

    # ------------------------------------------------------------------ models
    def test_model_rights(self):
        """Model by model, operation by operation: README's rights, neither more nor less."""
        self.assertEqual(set(MODEL_RIGHTS), set(self.env["ir.model.access"].search(
            [("model_id.model", "=like", "debtor.%")]).model_id.mapped("model")),
            "every model of the addon is in the table")
        for model, rights in MODEL_RIGHTS.items():
            for persona, allowed in zip((PORTAL, INVOICING, CONTROLLER, "manager"), rights, strict=True):
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, persona=persona, operation=operation):
                        granted = self.env[model].with_user(self.users[persona]).has_access(operation)
                        self.assertEqual(granted, letter in allowed,
                                         f"{persona} {'may' if granted else 'may not'} {operation} {model}")

    def test_company_isolation(self):
        """The manager of company B finds none of company A's records and can neither read, change nor delete
        one, while it works on company B's own."""
        env_b = self._env(MANAGER_B)
        for key in COMPANY_RECORDS:
            record = getattr(self, key)
            with self.subTest(record=record._name):
                self.assertTrue(record.exists())
                self.assertNotIn(record.id, env_b[record._name].search([]).ids)
                for operation in ("read", "write", "unlink"):
                    with self.assertRaises(AccessError, msg=f"{operation} {record._name}"):
                        record.with_env(env_b).check_access(operation)
                with self.assertRaises(AccessError):
                    record.with_env(env_b).read(["display_name"])
        # company B's own records are the manager's to work with
        own_policy = env_b["debtor.followup.policy"]._get_company_default(self.company_b)
        self.assertEqual(env_b["debtor.followup.policy"].search([]), own_policy)
        own_policy.name = "Company B's policy"
        # and creating a record in company A is refused
        with self.assertRaises(AccessError):
            env_b["debtor.followup.policy"].create({"name": "Intruder", "company_id": self.company.id})
        with self.assertRaises(AccessError):
            env_b["debtor.promise"].create({
                "partner_id": self.customer.id, "company_id": self.company.id, "date": "2099-01-01",
                "amount": 10.0, "line_ids": [Command.set(self._receivable(self.invoice_free).ids)]})

    def test_portal_user_sees_nothing(self):
        env = self._env(PORTAL)
        for model in MODEL_RIGHTS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                env[model].search([])

    # ------------------------------------------------------------------ buttons
    def _follow(self, env, result):
        """Do what the web client does with a button's result, and return what the persona is shown.

        A dialog is opened (defaults, computed fields, the names of its records), a report rendered, a window
        loaded (its record, or the records of its domain).
        """
        if not isinstance(result, dict):
            return True
        if result.get("type") == "ir.actions.report":
            # as /report/html/... does: in the user's environment
            return env["ir.actions.report"]._render_qweb_html(
                result["report_name"], result["context"]["active_ids"])[0]
        if result.get("type") != "ir.actions.act_window":
            return True
        context = result.get("context")
        # (a window action read from the database keeps its context as text: its search defaults only)
        Model = env[result["res_model"]].with_context(**(context if isinstance(context, dict) else {}))
        if result.get("target") == "new":
            Model.check_access("create")
            defaults = Model.default_get(list(Model._fields))
            # the dialog is about the records it is given: the persona must be allowed to read them
            for name, value in defaults.items():
                field = Model._fields[name]
                if field.type == "many2one" and value:
                    env[field.comodel_name].browse(value).check_access("read")
            record = Model.new(defaults)
            for name in Model._fields:  # the dialog shows every field
                self.assertIsNotNone(record[name])
            return record
        if result.get("res_id"):
            record = Model.browse(result["res_id"])
            record.read(["display_name"])
            return record
        return Model.search(result.get("domain") or [])

    def _press(self, persona, press, refused):
        """Press the button as ``persona`` in a fresh cache (as a request would) and return what it is shown.
        A refused persona must not even reach VIES (mocked)."""
        self.env.invalidate_all()
        env = self._env(persona)
        offline = identifiers.IdentifierResult(valid=True, compact="FR19812345676", formatted="FR19812345676",
                                               reason="not verified online: test", kind="vat", online=False)
        with patch.object(identifiers, "check_vat_online", return_value=offline) as vies:
            try:
                shown = self._follow(env, press(env, self))
                env.flush_all()
                return shown
            finally:
                if refused:
                    self.assertFalse(vies.called, "VIES asked for a persona who is refused")

    def test_buttons(self):
        """Every public button: refused (AccessError or UserError) for whoever must not use it, and working for
        whoever may. A button that only opens a list may instead show the refused persona nothing at all."""
        methods = self._addon_buttons()
        labels = {label.split(" ")[0] for label, *_rest in BUTTONS}
        self.assertEqual(methods - labels, set(), "every button of the addon is in the table")
        for label, refused, allowed, press in BUTTONS:
            for persona in PERSONAS:
                if persona not in refused:
                    continue
                with self.subTest(button=label, persona=persona), contextlib.closing(self.env.cr.savepoint()):
                    try:
                        shown = self._press(persona, press, refused=True)
                    except UserError:  # AccessError included
                        continue
                    self.assertFalse(shown, f"{persona} pressed {label} and was shown {shown}")
            with self.subTest(button=label, persona=allowed), contextlib.closing(self.env.cr.savepoint()):
                self.assertTrue(self._press(allowed, press, refused=False))

    def _addon_buttons(self):
        """``model.action_*`` of every method the addon defines (itself or by extending Odoo's models)."""
        found = set()
        for model_name in set(MODEL_RIGHTS) | {"account.move", "res.partner"}:
            for cls in type(self.env[model_name]).__mro__:
                if not cls.__module__.startswith("odoo.addons.debtor_followup."):
                    continue
                found |= {f"{model_name}.{name}" for name in vars(cls)
                          if name.startswith("action_") and callable(vars(cls)[name])}
        return found
