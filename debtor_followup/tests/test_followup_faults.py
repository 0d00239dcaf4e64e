from unittest.mock import MagicMock
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo import api
from odoo import fields
from odoo import sql_db
from odoo.tests import BaseCase
from odoo.tests import get_db_name
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupFaults(DebtorFollowupCommon):
    """The nightly run under faults: killed, run twice at once, mail server down, customers vanishing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payers, cls.invoices = cls._overdue_customers(4, "Fault")
        cls.level_1.write({"attach_statement": False, "attach_invoices": False})
        cls.Run = cls.env["debtor.followup.run"]
        cls.RunClass = type(cls.Run)

    def _start(self):
        return self.Run._get_or_start_run(self.company, fields.Date.today(), trigger="cron")

    def _reminders(self, partner):
        """The done actions and the queued emails of ``partner`` at level 1."""
        actions = self.env["debtor.followup.action"].search(
            [("partner_id", "=", partner.id), ("level_id", "=", self.level_1.id), ("state", "=", "done")])
        mails = self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])
        return actions, mails

    def test_run_killed_after_a_batch_resumes_without_sending_twice(self):
        original_commit = self.RunClass._commit_batch
        calls = []

        def killed_after_first_batch(run, processed, remaining):
            calls.append(processed)
            result = original_commit(run, processed, remaining)
            if processed and len(list(filter(None, calls))) == 1:  # (the selection is committed first, 0 done)
                # the first batch is committed (the cron commits here), then the worker dies
                raise KeyboardInterrupt("worker killed")
            return result

        with freeze_time("2026-01-08"):
            run = self._start()
            # (not assertRaises: it would roll back what the first batch did, which the cron has committed)
            killed = False
            with patch.object(self.RunClass, "_commit_batch", killed_after_first_batch):
                try:
                    run._execute(batch_size=2)
                except KeyboardInterrupt:
                    killed = True
            self.assertTrue(killed)
            self.assertEqual(run.state, "running", "a killed run stays open for the next call")
            self.assertEqual(len(run.action_ids), 2, "the first batch is done")
            # the cron is called again the same night: the same run goes on
            resumed = self._start()
            self.assertEqual(resumed, run)
            self.assertTrue(resumed._execute(batch_size=2))
            self.assertEqual(run.state, "done")
            self.assertEqual(run.customer_count, 4, "the count of the first selection is kept")
            self.assertEqual(len(run.action_ids), 4)
            for partner in self.payers:
                actions, mails = self._reminders(partner)
                self.assertEqual((len(actions), len(mails)), (1, 1), f"{partner.name} reminded exactly once")

    def test_a_run_out_of_time_goes_on_at_the_next_call_without_its_steps_again(self):
        """Odoo gives a cron call about ten seconds, then calls it again while it reports work left: past that,
        every batch ends the call. Each new call goes on with the batches left; the steps before the reminders
        (promises, plans, every file's figures, the credit scores) ran once, in the first call."""
        customer_class = type(self.env["debtor.customer"])
        steps, delays = [], []
        original_steps = self.RunClass._run_steps
        original_delays = customer_class._refresh_usual_delays

        def count_steps(run, today):
            steps.append(run.id)
            return original_steps(run, today)

        def count_delays(customers, company, partners=None, today=None):
            delays.append(company.id)
            return original_delays(customers, company, partners=partners, today=today)

        with freeze_time("2026-01-08"), \
                patch.object(self.RunClass, "_commit_batch", lambda run, processed, remaining=None: 0.0), \
                patch.object(self.RunClass, "_run_steps", count_steps), \
                patch.object(customer_class, "_refresh_usual_delays", count_delays):
            calls = 0
            while calls < 10:
                calls += 1
                self.Run._cron_run_followup(batch_size=1)
                if calls == 1:
                    first_call_delays = delays.count(self.company.id)
                run = self.Run.search([("company_id", "=", self.company.id), ("run_date", "=", "2026-01-08")])
                self.assertEqual(len(run), 1, "one run log, however many calls")
                if run.state == "done":
                    break
                self.assertEqual(run.state, "running")
            self.assertEqual(calls, 4, "one batch of one customer per call once out of time")
            self.assertEqual(len(steps), 1, "the steps ran in the first call only")
            self.assertTrue(first_call_delays)
            self.assertEqual(delays.count(self.company.id), first_call_delays, "the usual delays in the first call")
            self.assertEqual(run.customer_count, 4)
            self.assertEqual(self.env["debtor.customer"].browse(run.batch_customer_ids).last_run_id, run,
                             "each file selected noted as examined by the run")
            for partner in self.payers:
                actions, mails = self._reminders(partner)
                self.assertEqual((len(actions), len(mails)), (1, 1), f"{partner.name} reminded exactly once")

    def test_two_runs_at_once_do_not_act_on_the_same_customer(self):
        original_lock = self.RunClass._lock_batch
        with freeze_time("2026-01-08"):
            first = self._start()
            # a manager's "Run Now" started beside the cron: a second run of the same company and day
            second = self.Run.sudo().create({"company_id": self.company.id, "run_date": fields.Date.today(),
                                      "trigger": "manual"})
            state = {"interleaved": False}

            def other_run_first(run, customers):
                # the first run has made its selection; the second one goes through everything before it locks
                if run == first and not state["interleaved"]:
                    state["interleaved"] = True
                    second._execute()
                return original_lock(run, customers)

            with patch.object(self.RunClass, "_lock_batch", other_run_first):
                first._execute()
            self.assertTrue(state["interleaved"])
            self.assertEqual(second.action_ids.partner_id, self.payers)
            self.assertEqual(first.customer_count, 4, "the first run had selected them all")
            self.assertFalse(first.action_ids, "what is due is read again under the lock: nothing is left")
            for partner in self.payers:
                actions, mails = self._reminders(partner)
                self.assertEqual((len(actions), len(mails)), (1, 1), f"{partner.name} reminded exactly once")

    def test_a_customer_locked_by_another_run_is_left_to_it(self):
        with freeze_time("2026-01-08"):
            self.env["debtor.customer"]._refresh(self.company)
            busy = self._debtor(self.payers[1])
            original = self.RunClass._skip_locked

            def held_elsewhere(run, customers):
                # another transaction holds this file's row: SKIP LOCKED leaves it out
                return original(run, customers - busy)

            with patch.object(self.RunClass, "_skip_locked", held_elsewhere):
                run = self._run()
            self.assertEqual(run.action_ids.partner_id, self.payers - self.payers[1])
            self.assertIn("Fault Customer 1 skipped: another run is following it up right now.", run.log)
            self.assertFalse(self._reminders(self.payers[1])[0])

    def test_a_customer_merged_during_the_run_is_skipped_with_a_log_line(self):
        original_lock = self.RunClass._lock_batch
        source, target = self.payers[1], self.payers[2]

        def merge_first(run, customers):
            wizard = self.env["base.partner.merge.automatic.wizard"].sudo()
            wizard._merge((source | target).ids, target, extra_checks=False)
            return original_lock(run, customers)

        with freeze_time("2026-01-08"):
            self.env["debtor.customer"]._refresh(self.company)
            source_file = self._debtor(source)
            with patch.object(self.RunClass, "_lock_batch", merge_first):
                run = self._run()
            self.assertEqual(run.state, "done")
            self.assertFalse(source.exists(), "merged away")
            self.assertFalse(source_file.exists())
            self.assertIn(f"Customer file {source_file.id} skipped: deleted or merged during the run.", run.log)
            self.assertEqual(run.action_ids.partner_id, self.payers - source)
            merged = run.action_ids.filtered(lambda action: action.partner_id == target)
            self.assertEqual(merged.line_ids.move_id, self.invoices[1:3],
                             "the merged customer's invoices are reminded once, under the customer kept")

    def test_mail_server_failure_leaves_reminders_queued_and_the_run_log_honest(self):
        server_class = type(self.env["ir.mail_server"])

        def down(*args, **kwargs):
            raise ConnectionRefusedError("mail server down")

        with freeze_time("2026-01-08"), patch.object(server_class, "_connect__", down):
            run = self._run()
            self.assertEqual((run.state, run.done_count, run.failed_count), ("done", 4, 0))
            mails = self.env["mail.mail"].search([("mail_message_id", "in", run.action_ids.mail_message_id.ids)])
            self.assertEqual(mails.mapped("state"), ["outgoing"] * 4, "queued: the run sends nothing itself")
            self.assertEqual(set(run.action_ids.mapped("delivery_state")), {"queued"})
            self.assertEqual((run.email_count, run.email_failed_count), (4, 0))
            # the mail queue then runs against the dead server
            mails.send()
            self.assertEqual(mails.mapped("state"), ["exception"] * 4)
            run.invalidate_recordset()
            run.action_ids.invalidate_recordset()
            self.assertEqual(set(run.action_ids.mapped("delivery_state")), {"failed"})
            self.assertEqual((run.email_count, run.email_failed_count, run.done_count), (4, 4, 4))
        # the server is back: retried from the queue, the run log follows
        with freeze_time("2026-01-09"):
            mails.mark_outgoing()
            with patch.object(server_class, "_disable_send", return_value=False), \
                    patch.object(server_class, "_connect__", return_value=MagicMock()), \
                    patch.object(server_class, "send_email", return_value="<sent@fault.example.com>") as sent:
                mails.send()
            self.assertEqual(sent.call_count, 4)
            run.invalidate_recordset()
            run.action_ids.invalidate_recordset()
            self.assertEqual(set(run.action_ids.mapped("delivery_state")), {"sent"},
                             mails.exists().mapped("failure_reason"))
            self.assertEqual(run.email_failed_count, 0)
            # and the next night does not remind the same level again
            self.assertFalse(self._run().action_ids)


@tagged("post_install", "-at_install")
class TestFollowupLockTwoConnections(BaseCase):
    """Two database connections, as two runs in two workers: a debtor file one holds is skipped by the other.

    The rows are committed by a third connection (a test transaction cannot show uncommitted rows to another
    connection) and removed at the end.
    """

    def test_a_file_locked_by_another_connection_is_skipped(self):
        database = sql_db.db_connect(get_db_name())
        with database.cursor() as setup:
            setup.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
            company_id = setup.fetchone()[0]
            setup.execute("""INSERT INTO res_partner (name, active, autopost_bills)
                             VALUES ('Lock Test A', true, 'ask'), ('Lock Test B', true, 'ask') RETURNING id""")
            partner_ids = [row[0] for row in setup.fetchall()]
            setup.execute("""INSERT INTO debtor_customer (partner_id, company_id, reminder_mode, status)
                             SELECT unnest(%s::int[]), %s, 'auto', 'none' RETURNING id""", [partner_ids, company_id])
            file_ids = [row[0] for row in setup.fetchall()]
            setup.commit()
        try:
            with database.cursor() as first_run, database.cursor() as second_run:
                first = api.Environment(first_run, SUPERUSER_ID, {})
                second = api.Environment(second_run, SUPERUSER_ID, {})
                # the first run locks the batch it works on
                taken = first["debtor.followup.run"]._skip_locked(first["debtor.customer"].browse(file_ids[:1]))
                self.assertEqual(taken, set(file_ids[:1]))
                # the second run, at the same moment, gets only what the first does not hold, without waiting
                taken = second["debtor.followup.run"]._skip_locked(second["debtor.customer"].browse(file_ids))
                self.assertEqual(taken, set(file_ids[1:]))
                first_run.rollback()
                second_run.rollback()
                # once the first run's batch is committed (here: ended), the file is free again
                taken = second["debtor.followup.run"]._skip_locked(second["debtor.customer"].browse(file_ids))
                self.assertEqual(taken, set(file_ids))
                second_run.rollback()
        finally:
            with database.cursor() as cleanup:
                cleanup.execute("DELETE FROM debtor_customer WHERE id = ANY(%s)", [file_ids])
                cleanup.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partner_ids])
                cleanup.commit()
