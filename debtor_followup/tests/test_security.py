from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestSecurity(DebtorFollowupCommon):
    """Who can do what, and no company sees another's debtors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        cls.debtor = cls.env["debtor.customer"].search([("partner_id", "=", cls.customer.id)])

    def test_groups_are_implied(self):
        self.assertTrue(self.controller.has_group("account.group_account_invoice"))
        self.assertFalse(self.controller.has_group("debtor_followup.group_debtor_manager"))
        self.assertTrue(self.manager.has_group("debtor_followup.group_debtor_controller"))
        accountant = new_test_user(self.env, login="acc_admin", groups="account.group_account_manager")
        self.assertTrue(accountant.has_group("debtor_followup.group_debtor_manager"))

    def test_menu_visibility(self):
        menu = self.env.ref("debtor_followup.debtor_menu_root")
        config = self.env.ref("debtor_followup.debtor_config_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.controller)._visible_menu_ids())
        self.assertNotIn(config.id, Menu.with_user(self.controller)._visible_menu_ids())
        self.assertIn(config.id, Menu.with_user(self.manager)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.invoicing_user)._visible_menu_ids())

    def test_invoicing_user_reads_but_cannot_act(self):
        debtor = self.debtor.with_user(self.invoicing_user)
        self.assertEqual(debtor.status, "action")
        self.assertEqual(self.customer.with_user(self.invoicing_user).debtor_total_due, 100.0)
        with self.assertRaises(AccessError):
            debtor.write({"responsible_id": self.invoicing_user.id})
        with self.assertRaises(AccessError):
            self.env["debtor.promise"].with_user(self.invoicing_user).create({
                "partner_id": self.customer.id, "date": "2099-01-01", "amount": 10.0,
                "line_ids": [Command.set(self._receivable(self.invoice).ids)]})
        with self.assertRaises(AccessError):
            self.env["debtor.followup.send"].with_user(self.invoicing_user).create({"customer_id": self.debtor.id})
        with self.assertRaises(AccessError):
            self.env["debtor.followup.run"].with_user(self.invoicing_user).search([])
        with self.assertRaises(AccessError):
            self.policy.with_user(self.invoicing_user).name = "Mine"
        self.assertEqual(self.policy.name, "Standard")

    def test_controller_works_but_does_not_configure(self):
        self.debtor.with_user(self.controller).responsible_id = self.controller
        self.assertEqual(self.debtor.responsible_id, self.controller)
        with self.assertRaises(AccessError):
            self.policy.with_user(self.controller).write({"name": "Lenient"})
        with self.assertRaises(AccessError):
            self.level_1.with_user(self.controller).delay_days = 30
        with self.assertRaises(AccessError):
            self.env["debtor.followup.run"].with_user(self.controller).action_run_now()
        with self.assertRaises(AccessError):
            self.debtor.with_user(self.controller).unlink()

    def test_manager_configures_and_runs(self):
        self.policy.with_user(self.manager).name = "Strict"
        self.assertEqual(self.policy.name, "Strict")
        action = self.env["debtor.followup.run"].with_user(self.manager).action_run_now()
        run = self.env["debtor.followup.run"].browse(action["res_id"])
        self.assertEqual(run.state, "queued", "queued for the cron job: nothing runs in the request")
        self.assertEqual(run.trigger, "manual")

    def test_company_isolation(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self._invoice(self.customer, 70.0, "2025-12-01", due_date="2026-01-01", company=other)
        other_debtor = self.env["debtor.customer"].search(
            [("partner_id", "=", self.customer.id), ("company_id", "=", other.id)])
        self.assertTrue(other_debtor)
        Customer = self.env["debtor.customer"].with_user(self.controller)
        self.assertEqual(Customer.search([("partner_id", "=", self.customer.id)]), self.debtor)
        with self.assertRaises(AccessError):
            other_debtor.with_user(self.controller).read(["total_due"])
        other_policy = self.env["debtor.followup.policy"]._get_company_default(other)
        with self.assertRaises(AccessError):
            other_policy.with_user(self.manager).read(["name"])
        # the partner form shows the current company's figures only
        self.assertEqual(self.customer.with_user(self.controller).debtor_total_due, 100.0)
        self.assertEqual(self.customer.with_company(other).debtor_total_due, 70.0)
