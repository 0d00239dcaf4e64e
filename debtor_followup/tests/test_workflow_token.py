"""The workflow token unlocks the model whose workflow set it, not every workflow model of the environment."""

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.debtor_workflow_mixin import WORKFLOW_CONTEXT_KEY
from .common import DebtorFollowupCommon
from .test_controls import ControlsCommon


@tagged("post_install", "-at_install")
class TestWorkflowToken(ControlsCommon):

    def _refused(self, records, vals):
        before = records.read(list(vals))
        with self.assertRaises(UserError):
            records.write(vals)
        self.env.invalidate_all()
        self.assertEqual(records.with_env(self.env).read(list(vals)), before, "nothing changed")

    def test_a_run_unlocking_plans_cannot_write_a_dispute(self):
        controller_env = self.env(user=self.controller, su=False)
        plans = self.env["debtor.payment.plan"].with_env(controller_env)._debtor_workflow_env()
        self.assertIn("debtor.payment.plan", plans.env.context[WORKFLOW_CONTEXT_KEY].models)
        # the plans' token unlocks plans and their installments ...
        self.assertTrue(plans._debtor_workflow_unlocked())
        self.assertTrue(plans.env["debtor.payment.plan.line"]._debtor_workflow_unlocked())
        # ... and nothing else: a dispute, a promise or a handover written in that environment is refused
        self._refused(self.dispute.with_env(plans.env), {"state": "closed"})
        self._refused(self.promise.with_env(plans.env), {"state": "kept"})
        self._refused(self.handover.with_env(plans.env), {"state": "closed"})
        self.assertEqual(self.dispute.state, "open")
        # the nightly run's own token (it writes its run record) unlocks neither plans nor disputes
        runs = self.env["debtor.followup.run"].with_env(controller_env)._debtor_workflow_env()
        self._refused(self.plan_big.with_env(runs.env), {"state": "active"})
        self._refused(self.dispute.with_env(runs.env), {"state": "cancelled"})
        # while the workflow of the dispute itself still takes its steps
        self.dispute.with_env(controller_env).action_investigate()
        self.assertEqual(self.dispute.state, "investigation")

    def test_steps_follow_the_declared_state_machine(self):
        self.assertEqual(self.dispute.state, "open")
        with self.assertRaisesRegex(UserError, "cannot do that"):
            self.dispute.with_user(self.controller).action_close()  # close starts from resolved only
        self.assertEqual(self.dispute.state, "open")
        with self.assertRaisesRegex(UserError, "cannot do that"):
            self.plan_active.with_user(self.controller).action_propose()  # propose starts from draft only
        self.assertEqual(self.plan_active.state, "active")
        self.assertTrue(self.dispute.name.startswith("DSP/"), "named by its sequence")
        self.assertNotEqual(self.plan_big.name, "/")
        self.assertNotEqual(self.handover.name, "/")


@tagged("post_install", "-at_install")
class TestWorkflowRefresh(DebtorFollowupCommon):
    """The debtor files follow the workflow records: created, state changed or deleted."""

    def test_deleting_an_open_dispute_refreshes_the_debtor_file(self):
        invoice = self._invoice(self.customer, 500.0, "2025-11-01", due_date="2025-12-01")
        columns = ["status", "total_overdue", "next_action_date", "due_level_id"]
        with freeze_time("2026-01-08"):
            debtor = self._debtor(self.customer) or self.env["debtor.customer"]._credit_file(self.customer,
                                                                                             self.company)
            self.env["debtor.customer"]._refresh(self.company, self.customer)
            undisputed = debtor.read(columns)
            dispute = self.env["debtor.dispute"].with_user(self.controller).create({
                "move_id": invoice.id, "reason_id": self.env.ref("debtor_followup.dispute_reason_damaged").id,
                "date": "2026-01-05"})
            debtor.invalidate_recordset()
            self.assertNotEqual(debtor.read(columns), undisputed, "the new dispute refreshed the file")
            dispute.with_user(self.manager).unlink()
            debtor.invalidate_recordset()
            self.assertEqual(debtor.read(columns), undisputed, "the deletion refreshed the file back")
