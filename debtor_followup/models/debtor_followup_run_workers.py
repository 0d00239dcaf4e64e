import logging
import time

import psycopg2

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import split_every

from .debtor_followup_run import BATCH_SIZE

_logger = logging.getLogger(__name__)
# seconds between two looks of the run that selected at the batches other workers still hold
WAIT_SECONDS = 0.5


class DebtorFollowupRun(models.Model):
    """Several cron workers share one night's run.

    Odoo runs one cron job in one worker at a time, so the nightly job alone cannot use a second worker. The run
    selects the customers due, stores the selection on itself and commits it, then triggers the *extra worker*
    cron jobs (``ir_cron_debtor_followup_worker_*``, as many as wanted): each worker of any Odoo server on the
    database (``--max-cron-threads``) that picks one up takes batches of the same selection. A batch belongs to
    whoever locks its debtor files first (``FOR UPDATE SKIP LOCKED``, held until the batch is committed) and what
    is due is read again under the lock, so a customer is reminded once whatever the number of workers. The run
    that selected waits at the end for the batches others still hold, then closes the one run log.
    """

    _inherit = "debtor.followup.run"

    batch_customer_ids = fields.Json(
        string="Customers Selected", readonly=True, copy=False,
        help="Technical: the debtor files the run selected, in the order of its batches, shared by the workers.")

    @api.model
    def _cron_help_followup(self, batch_size=BATCH_SIZE):
        """Called from the extra workers' cron jobs: take batches of the runs of the day going on (see the class).

        Commits batch by batch (through ``_execute_batches``); returns when no batch is left or the worker is out
        of time (the run that selected finishes the rest).
        """
        self = self._debtor_workflow_env()  # the run writes its own record (see _debtor_control_fields)
        today = fields.Date.context_today(self)
        runs = self.search([("state", "=", "running"), ("run_date", "=", today)], order="id")
        for run in runs.filtered("batch_customer_ids"):
            try:
                if not run._execute_batches(run._selection_left(), batch_size, today, wait=False):
                    return
            except Exception:
                # the batch under way is rolled back; its customers are left to the run that selected them
                _logger.warning("Follow-up run %s: an extra worker failed", run.id, exc_info=True)
                self.env.cr.rollback()
                self.env.invalidate_all()

    def _trigger_workers(self):
        """Have the extra workers' cron jobs run now (those that are active)."""
        workers = self.env["ir.cron"].sudo().search([
            ("model_id.model", "=", self._name), ("code", "ilike", "_cron_help_followup")])
        for worker in workers:
            worker._trigger()

    def _selection_left(self):
        """The ids of the debtor files of this run's selection that no committed batch has examined yet, in the
        order of the selection (read from the database: the other workers commit theirs)."""
        self.ensure_one()
        self.invalidate_recordset(["batch_customer_ids"])
        selection = self.batch_customer_ids or []
        if not selection:
            return []
        self.env["debtor.customer"].flush_model(["last_run_id"])
        self.env.cr.execute(SQL(
            "SELECT id FROM debtor_customer WHERE id = ANY(%s) AND last_run_id IS DISTINCT FROM %s",
            selection, self.id))
        left = {row[0] for row in self.env.cr.fetchall()}
        return [customer_id for customer_id in selection if customer_id in left]

    def _mark_batch_done(self, customers):
        """Note on the debtor files of a batch, in the batch's transaction (committed with it), that this run has
        examined them. The batch holds their rows locked: no other worker writes them meanwhile."""
        if customers:
            self.env.cr.execute(SQL("UPDATE debtor_customer SET last_run_id = %s WHERE id IN %s",
                                    self.id, tuple(customers.ids)))
            customers.invalidate_recordset(["last_run_id"])

    def _execute_batches(self, customer_ids, batch_size, today, wait=True):
        """Execute the levels due of ``customer_ids`` (debtor files of this run's company) batch by batch, each
        committed, skipping the batches another worker holds.

        :param wait: wait at the end for the batches skipped, then act on what they left (the run that selected);
            an extra worker leaves them
        :return: False when out of time (the rest is left to the next call), True otherwise
        """
        self.ensure_one()
        company = self.company_id
        Customer = self.env["debtor.customer"].with_company(company)
        remaining = len(customer_ids)
        skipped = []
        # in the cron job, each batch locks its files in a transaction of its own (Odoo's transactions are
        # REPEATABLE READ: a file another worker changed after this transaction began cannot be locked in it)
        self._commit_batch(0, None)
        for ids in split_every(batch_size, customer_ids):
            batch = Customer.browse(ids)
            if ids and not self._skip_locked_safely(batch):
                skipped.extend(ids)  # another worker is at it
            else:
                locked = self._lock_batch(batch)
                if locked:
                    # what is due is read again under the lock: another worker may have done it since the selection
                    fresh = Customer._compute_followup_state(company, locked.partner_id, today)
                    self._execute_batch([(customer, due) for customer in locked
                                         if (due := self._auto_due(fresh.get(customer.partner_id.id)))])
                    Customer._refresh(company, locked.partner_id, today=today)
                    self._mark_batch_done(locked)
            # what a batch read stays out of the next ones: the memory of a run does not grow with its size
            self.env.invalidate_all()
            remaining -= len(ids)
            if not self._commit_batch(len(ids), remaining) and remaining:
                _logger.info("Follow-up run %s out of time, %s customers left", self.id, remaining)
                return False
        if skipped and wait:
            return self._wait_for_workers(skipped, batch_size, today)
        return True

    def _skip_locked_safely(self, customers):
        """``_skip_locked``, where a file another worker committed since this transaction began counts as taken
        (it is done, or left to the run's wait)."""
        try:
            with self.env.cr.savepoint():
                return self._skip_locked(customers)
        except psycopg2.errors.SerializationFailure:
            return set()

    def _wait_for_workers(self, skipped, batch_size, today):
        """The run that selected, at the end: wait for the batches other workers hold, then execute whatever of
        them they left (a worker that died leaves its files unlocked and not examined).

        :return: False when out of time (the next call of the cron job goes on), True otherwise
        """
        skipped = set(skipped)
        if not self.env.context.get("ir_cron_progress_id"):
            # one transaction (tests, a run by hand in a shell): wait on the locks themselves
            existing = self.env["debtor.customer"].browse(
                [customer_id for customer_id in self._selection_left() if customer_id in skipped]).exists()
            if existing:
                self.env.cr.execute(SQL(
                    "SELECT id FROM debtor_customer WHERE id IN %s ORDER BY id FOR UPDATE", tuple(existing.ids)))
                left = set(self._selection_left())
                return self._execute_batches([customer_id for customer_id in existing.ids if customer_id in left],
                                             batch_size, today, wait=False)
            return True
        while True:
            # each look in a new transaction, which sees the batches the others committed meanwhile
            out_of_time = not self._commit_batch(0, None)
            left = [customer_id for customer_id in self._selection_left() if customer_id in skipped]
            if not left:
                return True
            if self._skip_locked_safely(self.env["debtor.customer"].browse(left)):
                # some are free: executed now (what is due is read again under the lock), the rest waited for
                return self._execute_batches(left, batch_size, today, wait=True)
            time.sleep(WAIT_SECONDS)
            if out_of_time:
                return False  # the next call of the cron job waits on
