import json
import logging

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import split_every

from .debtor_followup_run import BATCH_SIZE

_logger = logging.getLogger(__name__)


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
    batch_done_ids = fields.Json(
        string="Customers Done", readonly=True, copy=False,
        help="Technical: the debtor files of the selection whose batch is committed, by whichever worker; a run "
             "resumed, and a worker called again, go on with the others.")

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
        """The ids of the debtor files of this run's selection that no committed batch has done yet, in order
        (read from the database: the other workers commit theirs)."""
        self.ensure_one()
        self.invalidate_recordset(["batch_customer_ids", "batch_done_ids"])
        done = set(self.batch_done_ids or [])
        return [customer_id for customer_id in self.batch_customer_ids or [] if customer_id not in done]

    def _mark_batch_done(self, customers):
        """Note in the batch's transaction that ``customers`` are done (committed with the batch). One statement
        appending to the list: workers finishing batches at the same time wait for each other's commit only."""
        if customers:
            self.env.cr.execute(SQL(
                """UPDATE debtor_followup_run
                      SET batch_done_ids = COALESCE(batch_done_ids, '[]'::jsonb) || %s::jsonb
                    WHERE id = %s""", json.dumps(customers.ids), self.id))
            self.invalidate_recordset(["batch_done_ids"])

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
        for ids in split_every(batch_size, customer_ids):
            batch = Customer.browse(ids)
            if ids and not self._skip_locked(batch):
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
            left = set(self._selection_left())
            existing = Customer.browse([customer_id for customer_id in skipped if customer_id in left]).exists()
            if existing:
                # the batches the other workers hold: wait for their commit, then act on whatever is still due
                self.env.cr.execute(SQL(
                    "SELECT id FROM debtor_customer WHERE id IN %s ORDER BY id FOR UPDATE", tuple(existing.ids)))
                left = set(self._selection_left())
                return self._execute_batches([customer_id for customer_id in existing.ids if customer_id in left],
                                             batch_size, today, wait=False)
        return True
