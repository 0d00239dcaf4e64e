import logging
import traceback
from contextlib import contextmanager
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

RUN_STATES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
BATCH_SIZE = 100
# minutes before the cron looks again at a company another run was busy with
BUSY_RETRY_MINUTES = 5


class DebtorFollowupRun(models.Model):
    """The log of one nightly follow-up run for one company.

    A run settles promises, refreshes every debtor file of the company, then executes the automatic levels due,
    customer by customer in batches committed one at a time. A run interrupted (time limit, crash) stays
    ``running`` and the next call of the cron the same day resumes it: what a committed batch did is recorded on
    the items (level, date of last action), so nothing is sent twice.

    The run record is committed before any work, so a failure anywhere leaves it, with its log. Only the cron job
    executes runs: a manager's *Run Now* queues one (state ``queued``) and triggers the cron. Two runs never work
    on one company at the same time: a run holds the company's advisory lock while it works, and a run that finds
    it taken waits, queued, for the next call of the cron.
    """

    _name = "debtor.followup.run"
    _inherit = ["debtor.workflow.mixin"]
    _description = "Follow-up Run"
    _order = "id desc"
    _check_company_auto = True
    # the run log is evidence: only the run itself (its methods below) creates and writes runs
    _debtor_control_fields = (
        "company_id", "run_date", "date_start", "date_end", "state", "trigger", "user_id", "customer_count",
        "kept_promise_count", "broken_promise_count", "sla_reminder_count", "plan_reminder_count",
        "plan_completed_count", "plan_broken_count", "log", "batch_customer_ids")
    _debtor_create_by_actions = True

    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True)
    run_date = fields.Date(required=True, index=True, help="The day the follow-up was run for.")
    date_start = fields.Datetime(string="Started", default=fields.Datetime.now, readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    state = fields.Selection(selection=RUN_STATES, default="running", required=True, readonly=True)
    trigger = fields.Selection(selection=[("cron", "Scheduled"), ("manual", "By hand")], default="cron",
                               required=True, readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Started By", default=lambda self: self.env.user,
                              readonly=True)
    action_ids = fields.One2many(comodel_name="debtor.followup.action", inverse_name="run_id", readonly=True)
    customer_count = fields.Integer(string="Customers Due", readonly=True,
                                    help="Customers with an automatic level due when the run selected them.")
    kept_promise_count = fields.Integer(string="Promises Kept", readonly=True)
    broken_promise_count = fields.Integer(string="Promises Broken", readonly=True)
    sla_reminder_count = fields.Integer(string="Dispute SLA Reminders", readonly=True)
    plan_reminder_count = fields.Integer(string="Installment Reminders", readonly=True)
    plan_completed_count = fields.Integer(string="Plans Completed", readonly=True)
    plan_broken_count = fields.Integer(string="Plans Broken", readonly=True)
    done_count = fields.Integer(string="Actions Done", compute="_compute_counts")
    failed_count = fields.Integer(string="Errors", compute="_compute_counts")
    email_count = fields.Integer(string="Emails Queued", compute="_compute_counts")
    email_failed_count = fields.Integer(
        string="Emails Not Delivered", compute="_compute_counts",
        help="Reminders of this run the mail server refused or that bounced: they are listed with their error in "
             "each customer's chatter and in Settings > Technical > Emails.")
    letter_count = fields.Integer(string="Letters", compute="_compute_counts")
    activity_count = fields.Integer(string="Activities", compute="_compute_counts")
    summary = fields.Html(compute="_compute_counts", sanitize=False)
    log = fields.Text(readonly=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        """A run with actions is the evidence of what was sent: it is kept, like its actions."""
        if self.env["debtor.followup.action"].sudo().search_count([("run_id", "in", self.ids)], limit=1):
            raise UserError(self.env._(
                "A follow-up run that executed actions is part of the reminder history and cannot be deleted."))

    @api.depends("company_id", "run_date")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._("Follow-up %(date)s - %(company)s", date=run.run_date,
                                          company=run.company_id.name)

    @api.depends("action_ids.state", "action_ids.mail_message_id")
    def _compute_counts(self):
        groups = self.env["debtor.followup.action"]._read_group(
            [("run_id", "in", self.ids)],
            ["run_id", "level_id", "state"],
            ["__count", "letter_attachment_id:count", "activity_id:count"],
        )
        per_run = {run: [] for run in self}
        for run, level, state, count, letters, activities in groups:
            per_run[run].append((level, state, count, letters, activities))
        email_counts = dict(self.env["debtor.followup.action"]._read_group(
            [("run_id", "in", self.ids), ("email_sent", "=", True)], ["run_id"], ["__count"]))
        failed_mails = dict(self.env["mail.notification"].sudo()._read_group(
            [("mail_message_id", "in", self.action_ids.mail_message_id.ids), ("notification_type", "=", "email"),
             ("notification_status", "in", ("exception", "bounce"))], ["mail_message_id"], ["__count"]))
        failed_by_run = dict.fromkeys(self, 0)
        for action in self.action_ids.filtered("mail_message_id"):
            failed_by_run[action.run_id] += 1 if failed_mails.get(action.mail_message_id) else 0
        for run in self:
            rows = per_run.get(run, [])
            run.email_failed_count = failed_by_run.get(run, 0)
            run.done_count = sum(r[2] for r in rows if r[1] == "done")
            run.failed_count = sum(r[2] for r in rows if r[1] == "failed")
            run.email_count = email_counts.get(run, 0)
            run.letter_count = sum(r[3] for r in rows if r[1] == "done")
            run.activity_count = sum(r[4] for r in rows if r[1] == "done")
            table = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>") % (
                    level.name, dict(self.env["debtor.followup.action"]._fields["state"].selection)[state], count)
                for level, state, count, _l, _a in sorted(rows, key=lambda r: (r[0].delay_days, r[1])))
            run.summary = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th class='text-end'>%s</th></tr>"
                "</thead><tbody>%s</tbody></table>") % (
                self.env._("Level"), self.env._("Result"), self.env._("Customers"), table) if rows else False

    # ------------------------------------------------------------------
    # The nightly run
    # ------------------------------------------------------------------
    @api.model
    def _cron_run_followup(self, batch_size=BATCH_SIZE):
        """Called from the nightly cron: run the follow-up of every company that has a follow-up policy.

        A company whose run of the day is over (done or failed) is left alone unless a run was queued for it
        (*Run Now*); a run interrupted is resumed. Each company's run is committed before its work starts and
        fails alone: the error is logged on it and the next company runs.
        """
        self = self._debtor_workflow_env()  # the run writes its own record (see _debtor_control_fields)
        today = fields.Date.context_today(self)
        companies = self.env["debtor.followup.policy"].search([("active", "=", True)]).company_id
        # the customers' usual delays move with the twelve-month window, in every company (those without follow-up
        # too: they have a cash-in forecast); a company with follow-up does it as the first step of its run
        for company in self.env["res.company"].search([("active", "=", True), ("id", "not in", companies.ids)]):
            try:
                with self.env.cr.savepoint():
                    self.env["debtor.customer"]._refresh_usual_delays(company, today=today)
            except Exception:
                _logger.warning("Usual payment delays of %s could not be refreshed", company.name, exc_info=True)
        finished_today = self.search([("run_date", "=", today), ("state", "in", ("done", "failed"))]).company_id
        queued = self.search([("state", "=", "queued")]).company_id
        for company in (companies - finished_today) | queued:
            with self._company_lock(company) as locked:
                if not locked:
                    self._wait_for_busy_company(company, today)
                    continue
                run = self._start_run(company, today)
                run._commit_batch(0)  # the run and its log exist before any work: nothing can roll them back
                if not run.batch_customer_ids:  # (a run resumed after its selection has done its steps)
                    run._run_step(self.env._("Usual payment delays"), lambda company=company: self.env[
                        "debtor.customer"]._refresh_usual_delays(company, today=today))
                finished = run._execute_safely(batch_size)
                if not finished:
                    return  # out of time: the cron calls us again as soon as it can and the run resumes
                if self.search_count([("company_id", "=", company.id), ("state", "=", "queued")], limit=1):
                    self._trigger_cron()  # queued while this run worked: it runs at the next call

    def _execute_safely(self, batch_size=BATCH_SIZE):
        """Execute this run; should it fail, log the error on it and mark it failed (the caller goes on).

        :return: False when the run stopped for lack of time, True otherwise
        """
        self = self._debtor_workflow_env()  # the run writes its own record (see _debtor_control_fields)
        self.ensure_one()
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        try:
            if in_cron:
                return self._execute(batch_size=batch_size)  # commits batch by batch itself
            with self.env.cr.savepoint():
                return self._execute(batch_size=batch_size)
        except Exception as error:
            if in_cron:
                # undo what failed since the last commit; the run record and the batches committed stay
                self.env.cr.rollback()
                self.env.invalidate_all()
            self._log_step_error(self.env._("The run of %(company)s", company=self.company_id.name), error)
            self.write({"state": "failed", "date_end": fields.Datetime.now()})
            self._commit_batch(0, 0)
            return True

    @api.model
    @contextmanager
    def _company_lock(self, company):
        """Hold the follow-up lock of ``company``, without waiting.

        A PostgreSQL advisory lock, re-entrant within one database session. In the cron job, whose run commits
        batch by batch, it is a session-level lock: it lasts across the commits, is released here, and by
        PostgreSQL should the worker die. Elsewhere (nothing is committed) it is a transaction-level lock, released
        with the transaction, whatever happens to it.

        :return: a context manager yielding whether the lock was obtained
        """
        key = SQL("%s::regclass::oid::int4, %s", self._table, company.id)
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        function = SQL("pg_try_advisory_lock") if in_cron else SQL("pg_try_advisory_xact_lock")
        self.env.cr.execute(SQL("SELECT %s(%s)", function, key))
        locked = self.env.cr.fetchone()[0]
        try:
            yield locked
        finally:
            if locked and in_cron:
                try:
                    self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s)", key))
                except psycopg2.Error:
                    # the transaction is aborted: the cron job rolls it back anyway (see _execute_safely), and the
                    # lock must not outlive the run on this session
                    self.env.cr.rollback()
                    self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s)", key))

    @api.model
    def _wait_for_busy_company(self, company, today):
        """Another session is running the follow-up of ``company``: queue a run that waits for it.

        Only a new row is written (the run at work is not touched, so the two transactions cannot collide) and
        only when no run is queued for the company yet; the cron looks again a few minutes later.
        """
        self = self._debtor_workflow_env()  # the run writes its own record (see _debtor_control_fields)
        message = self.env._(
            "%(time)s: another run of %(company)s was going on; this run waited for it.",
            time=fields.Datetime.now().strftime("%H:%M"), company=company.name)
        _logger.info("Follow-up of %s: another run is going on, the run waits", company.name)
        if not self.search_count([("company_id", "=", company.id), ("state", "=", "queued")], limit=1):
            self.create({"company_id": company.id, "run_date": today, "state": "queued", "log": message + "\n"})
        self._trigger_cron(fields.Datetime.now() + timedelta(minutes=BUSY_RETRY_MINUTES))
        self._commit_batch(0)

    @api.model
    def _trigger_cron(self, at=None):
        """Have the nightly run's cron job run (soon, or ``at``)."""
        cron = self.env.ref("debtor_followup.ir_cron_debtor_followup_run", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at)

    @api.model
    def _get_or_start_run(self, company, today, trigger="manual"):
        """The run of ``company`` for ``today`` still going on (interrupted), or a new one (in the caller's
        environment: what the run writes, it writes in its own methods)."""
        run = self.search([("company_id", "=", company.id), ("run_date", "=", today), ("state", "=", "running")],
                          limit=1)
        return run or self._debtor_workflow_create([{"company_id": company.id, "run_date": today, "trigger": trigger}])

    @api.model
    def _start_run(self, company, today):
        """The run the cron executes now for ``company``: the interrupted one, else the oldest queued one (it
        runs for ``today``), else a new one (in the caller's environment)."""
        running = self.search([("company_id", "=", company.id), ("run_date", "=", today), ("state", "=", "running")],
                              limit=1)
        if running:
            return running
        queued = self.search([("company_id", "=", company.id), ("state", "=", "queued")], order="id", limit=1)
        if queued:
            queued._debtor_workflow_write({"state": "running", "run_date": today, "date_start": fields.Datetime.now()})
            return queued
        return self._debtor_workflow_create([{"company_id": company.id, "run_date": today, "trigger": "cron"}])

    def _commit_batch(self, processed, remaining=None):
        """Commit the batch just done and report the cron's progress, when running as the cron job.

        Committing is safe here: every customer's actions and the levels they advanced are written in the same
        transaction, so a crash after a commit loses nothing done and a crash before it undoes the whole batch,
        mails included (they are queued rows, not sent). Outside the cron job (demo data, tests) nothing is
        committed: the caller's transaction stays whole.

        :param remaining: the customers left (None: unchanged)
        :return: the seconds left before the cron worker's time limit (infinite outside the cron)
        """
        if not self.env.context.get("ir_cron_progress_id"):
            return float("inf")
        return self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    def _run_step(self, step, function, default=None):
        """Run one step of the run in a savepoint: should it fail, log it on the run and return ``default``."""
        try:
            with self.env.cr.savepoint():
                return function()
        except Exception as error:
            self._log_step_error(step, error)
            return default

    def _execute(self, batch_size=BATCH_SIZE, today=None):
        """Execute this run: settle promises, refresh debtor files, execute the automatic levels due.

        Each step before the reminders is isolated: a failing template or record is logged on the run and the
        follow-up still runs. The company's lock is held throughout (see ``_company_lock``).

        :return: True when the run is finished, False when it stopped for lack of time (it stays ``running``)
        :raise UserError: when another session is running the follow-up of the company
        """
        self = self._debtor_workflow_env()  # the run writes its own record (see _debtor_control_fields)
        self.ensure_one()
        with self._company_lock(self.company_id) as locked:
            if not locked:
                raise UserError(self.env._("Another run of %(company)s is going on.", company=self.company_id.name))
            return self._execute_locked(batch_size, today or self.run_date)

    def _execute_locked(self, batch_size, today):
        """The run, top-down (see CONTRIBUTING.rst): the steps of ``_run_steps`` bring every workflow and the
        debtor files up to date; then the files due are *selected* (``_select``), and each batch is locked,
        *decided* again (``debtor.customer._compute_followup_state``), *acted* on (``_execute_batch``) and
        *logged* (the actions, the run's counts and log) and committed (``_execute_batches``, shared with the
        other cron workers: ``debtor_followup_run_workers.py``)."""
        if self.batch_customer_ids:
            # resumed (the cron's time slice ran out, or the worker died) after the selection was committed: the
            # steps are done, the batches committed are done; go on with the rest of the selection
            todo_ids = self._selection_left()
        else:
            todo_ids = self._select_and_prepare(today)
        if not self._execute_batches(todo_ids, batch_size, today):
            return False
        self.write({"state": "done", "date_end": fields.Datetime.now()})
        self._commit_batch(0, 0)
        return True

    def _select_and_prepare(self, today):
        """The first part of a run: its steps (``_run_steps``), then the selection of the files due, stored on the
        run with the steps' counts and committed, and the other cron workers called to share its batches.

        :return: the ids of the debtor files selected, in the order of their batches
        """
        results = {key: self._run_step(label, function, default) for key, label, function, default
                   in self._run_steps(today)}
        todo = self._select(results["files"])
        kept, broken = results["promises"]
        plans = results["plans"]
        self.write({
            # a run started again after failing in its steps keeps the count of its first selection
            "customer_count": self.customer_count or len(todo),
            "kept_promise_count": self.kept_promise_count + len(kept),
            "broken_promise_count": self.broken_promise_count + len(broken),
            "sla_reminder_count": self.sla_reminder_count + len(results["disputes"]),
            "plan_reminder_count": self.plan_reminder_count + plans["reminders"],
            "plan_completed_count": self.plan_completed_count + len(plans["completed"]),
            "plan_broken_count": self.plan_broken_count + len(plans["broken"]),
            "batch_customer_ids": [customer.id for customer in todo],
        })
        # the selection is committed: the other cron workers share its batches (debtor_followup_run_workers.py)
        self._commit_batch(0, len(todo))
        self._trigger_workers()
        return [debtor_file.id for debtor_file in todo]

    def _run_steps(self, today):
        """The steps of a run before the reminders, in this order; each runs in a savepoint (``_run_step``): a
        step that fails is logged on the run, which goes on with its ``default`` result. (The nightly cron also
        refreshes the usual payment delays of the company first: ``_cron_run_followup``.)

        :return: list of ``(key, label, function, default)``
        """
        company = self.company_id
        Customer = self.env["debtor.customer"].with_company(company)
        return [
            # promises kept or broken by the payments of the day
            ("promises", self.env._("Promises"),
             lambda: self.env["debtor.promise"]._check_open_promises(company, today), (self.browse(), self.browse())),
            # disputes past their deadline: a reminder to their responsible
            ("disputes", self.env._("Dispute deadlines"),
             lambda: self.env["debtor.dispute"]._remind_sla_overdue(company), self.browse()),
            # payment plans: payments allocated, installment reminders, plans completed or broken
            ("plans", self.env._("Payment plans"),
             lambda: self.env["debtor.payment.plan"]._update_plans(company, today),
             {"completed": [], "broken": [], "reminders": 0}),
            # every debtor file's figures and state (the decision); without it, the files are selected on the
            # figures stored and their levels read again under the lock
            ("files", self.env._("Debtor files"), lambda: Customer._refresh(company, today=today), None),
            # the internal credit scores
            ("scores", self.env._("Credit scores"),
             lambda: self.env["debtor.credit.check"]._recompute_scores(company, today), None),
            # the day's figures kept for the manager's trends (debtor.figure.snapshot)
            ("snapshot", self.env._("Figure snapshot"),
             lambda: self.env["debtor.figure.snapshot"]._take(company, today), None),
        ]

    def _select(self, state):
        """The debtor files of the run's company with an automatic level due now.

        :param state: the state computed by the ``files`` step (None when it failed: the stored status decides)
        :return: list of ``debtor.customer`` records
        """
        company = self.company_id
        files = self.env["debtor.customer"].with_company(company).search_fetch(
            [("company_id", "=", company.id), ("status", "=", "action"), ("reminder_mode", "=", "auto")],
            ["partner_id"], order="id",
        )
        return [debtor_file for debtor_file in files
                if state is None or self._auto_due(state.get(debtor_file.partner_id.id))]

    @staticmethod
    def _auto_due(state):
        """The levels due now that run by themselves, from a customer's computed state: ``{level: lines}``."""
        if not state:
            return {}
        return {level: lines for level, lines in state["due"].items() if level.auto_execute}

    def _skip_locked(self, customers):
        """Lock the rows of ``customers`` that no other transaction holds; return their ids."""
        self.env.cr.execute(SQL(
            "SELECT id FROM debtor_customer WHERE id IN %s FOR UPDATE SKIP LOCKED", tuple(customers.ids)))
        return {row[0] for row in self.env.cr.fetchall()}

    def _lock_batch(self, customers):
        """Lock the debtor files of a batch for this transaction and return those this run may act on.

        Files locked by another run at the same moment (a manager's "Run Now" beside the cron) are left to it;
        files gone since the selection (the customer was deleted, or merged into another one) are skipped. Both
        are noted in the run log.
        """
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT id FROM debtor_customer WHERE id IN %s", tuple(customers.ids)))
        existing = {row[0] for row in self.env.cr.fetchall()}
        locked = self._skip_locked(customers)
        notes = []
        for customer in customers:
            if customer.id not in existing:
                notes.append(self.env._("Customer file %(id)s skipped: deleted or merged during the run.",
                                        id=customer.id))
            elif customer.id not in locked:
                notes.append(self.env._("%(customer)s skipped: another run is following it up right now.",
                                        customer=customer.sudo().partner_id.display_name))
        if notes:
            _logger.info("Follow-up run %s: %s", self.id, " ".join(notes))
            self.log = (self.log or "") + "\n".join(notes) + "\n"
        # the files and their items are read again from the database, not from before the lock
        result = customers.browse([customer.id for customer in customers if customer.id in locked])
        result.invalidate_recordset()
        self.env["account.move.line"].invalidate_model(
            ["amount_residual", "reconciled", "debtor_level_id", "debtor_last_action_date", "debtor_resume_date"])
        return result

    def _log_step_error(self, step, error):
        """Record on the run that one of its steps failed (the rest of the run goes on)."""
        _logger.warning("Follow-up run %s: %s failed: %s", self.id, step, error, exc_info=True)
        self.log = (self.log or "") + self.env._("%(step)s failed: %(error)s", step=step, error=error) + "\n"

    def _execute_batch(self, batch):
        """Execute the levels due of a batch of customers, set-wise (see ``debtor.customer._execute_levels``).

        An item that fails is recorded as a failed action and noted in its customer's chatter by
        ``_execute_levels`` itself. Should the batch fail as a whole (a fault no single item explains), it is
        rolled back and executed again customer by customer, so one customer's trouble never costs the others.

        :param batch: list of ``(debtor.customer, {level: lines})``
        """
        items = [(customer, level, lines) for customer, due in batch
                 for level, lines in sorted(due.items(), key=lambda item: item[0].delay_days)]
        Customer = self.env["debtor.customer"]
        try:
            with self.env.cr.savepoint():
                Customer._execute_levels(items, run=self)
            return
        except Exception:
            _logger.warning("Follow-up run %s: a batch of %s customers failed, retrying them one by one",
                            self.id, len(batch), exc_info=True)
        for customer, due in batch:
            for level, lines in sorted(due.items(), key=lambda item: item[0].delay_days):
                try:
                    with self.env.cr.savepoint():
                        Customer._execute_levels([(customer, level, lines)], run=self, raise_on_error=True)
                except psycopg2.errors.UniqueViolation:
                    # another transaction reminded the customer of this level today in the meantime: nothing to do
                    self._log_already_done(customer, level)
                except Exception as error:
                    self._record_failure(customer, level, lines, error)

    def _log_already_done(self, customer, level):
        """Note on the run that ``customer`` was not reminded of ``level`` again: it already was today."""
        note = self.env._("%(customer)s: level %(level)s already executed today, not again.",
                          customer=customer.sudo().partner_id.display_name, level=level.name)
        _logger.info("Follow-up run %s: %s", self.id, note)
        self.log = (self.log or "") + note + "\n"

    def _record_failure(self, customer, level, lines, error):
        """Record that ``level`` could not be executed for ``customer``: a failed action and a chatter note."""
        _logger.warning("Follow-up of %s (level %s) failed: %s", customer.partner_id.display_name,
                        level.name, error, exc_info=not isinstance(error, UserError))
        message = str(error) or traceback.format_exc()
        self.env["debtor.followup.action"].sudo().create({
            "partner_id": customer.partner_id.id,
            "company_id": customer.company_id.id,
            "level_id": level.id,
            "run_id": self.id,
            "state": "failed",
            "error": message,
            "line_ids": [fields.Command.set(lines.ids)],
            "amount_due": sum(lines.mapped("amount_residual")),
        })
        customer._post_note(self.env._(
            "The follow-up could not execute level %(level)s: %(error)s", level=level.name, error=message))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def action_run_now(self):
        """Queue today's follow-up of the current company (the same as the nightly run) for the cron job.

        Nothing runs in the request: the run waits, ``queued``, and the cron's own job is triggered to execute it
        at once, beside or after whatever other run of the company is going on. A run of the day still going on
        or already queued is joined instead of queuing a second one.
        """
        self.check_access("create")
        self = self._debtor_workflow_env()  # queues a run: the run writes its own record
        company = self.env.company
        today = fields.Date.context_today(self)
        run = self.search([("company_id", "=", company.id), "|", ("state", "=", "queued"),
                           "&", ("state", "=", "running"), ("run_date", "=", today)], limit=1)
        if not run:
            run = self.create({"company_id": company.id, "run_date": today, "trigger": "manual", "state": "queued"})
        self._trigger_cron()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
        }
