from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupWorkers(DebtorFollowupCommon):
    """Two cron workers share one night: the nightly job selects and starts, an extra worker's job takes batches
    of the same run in a cursor of its own, and every customer due is reminded exactly once, in one run log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payers, cls.invoices = cls._overdue_customers(7, "Shared")
        # reminders by email only: no PDF to render
        cls.policy.level_ids.write({"attach_statement": False, "attach_invoices": False, "print_letter": False})
        cls.Run = cls.env["debtor.followup.run"]
        cls.RunClass = type(cls.Run)
        cls.cron = cls.env.ref("debtor_followup.ir_cron_debtor_followup_run")
        cls.worker = cls.env.ref("debtor_followup.ir_cron_debtor_followup_worker_2")
        # batches of two customers: the seven make four batches
        cls.cron.code = "model._cron_run_followup(batch_size=2)"
        cls.worker.code = "model._cron_help_followup(batch_size=2)"

    def test_two_cron_workers_share_one_night(self):
        original_execute = self.RunClass._execute_batch
        original_commit = self.RunClass._commit_batch
        workers = []  # (cursor of the batch, customers) per batch executed
        helped = []

        def execute_batch(run, batch):
            workers.append((run.env.cr, tuple(customer.partner_id.id for customer, _due in batch)))
            return original_execute(run, batch)

        def commit_batch(run, processed, remaining=None):
            result = original_commit(run, processed, remaining)
            if processed and not helped:
                # the nightly job committed its first batch: the extra worker, triggered by the run, starts now
                # in its own cursor and takes the batches left while the nightly job is still going on
                helped.append(True)
                self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.worker.id)]),
                                "the run triggered the extra workers")
                self.worker.with_env(run.env).method_direct_trigger()
            return result

        with freeze_time("2026-01-08"), self.enter_registry_test_mode(), \
                patch.object(self.RunClass, "_execute_batch", execute_batch), \
                patch.object(self.RunClass, "_commit_batch", commit_batch):
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

        run = self.Run.search([("run_date", "=", "2026-01-08")])
        self.assertEqual(len(run), 1, "one run log for the night")
        self.assertEqual((run.state, run.customer_count), ("done", 7))
        actions = self.env["debtor.followup.action"].search([("partner_id", "in", self.payers.ids)])
        self.assertEqual(sorted(actions.partner_id.ids), sorted(self.payers.ids),
                         "every customer due reminded exactly once")
        self.assertEqual(set(actions.mapped("state")), {"done"})
        self.assertEqual(actions.run_id, run, "the worker's reminders are in the same run log")
        for action in actions:
            self.assertEqual(len(self._mails(action)), 1, "one email each")
        cursors = {cursor for cursor, _partners in workers if _partners}
        self.assertEqual(len(cursors), 2, "both workers executed batches, each in its own cursor")
        reminded = [partner for _cursor, partners in workers for partner in partners]
        self.assertEqual(sorted(reminded), sorted(self.payers.ids), "no customer executed by both")

    def test_extra_worker_without_a_run_does_nothing(self):
        with freeze_time("2026-01-08"), self.enter_registry_test_mode():
            self.worker.method_direct_trigger()
        self.env.invalidate_all()
        self.assertFalse(self.Run.search([("run_date", "=", "2026-01-08")]))
        self.assertFalse(self.env["debtor.followup.action"].search([("partner_id", "in", self.payers.ids)]))
