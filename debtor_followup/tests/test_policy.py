from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestPolicy(DebtorFollowupCommon):
    """Policies and levels: defaults, overrides and their rules."""

    def test_one_default_per_company(self):
        key_accounts = self.env["debtor.followup.policy"].create({
            "name": "Key accounts", "is_default": True, "company_id": self.company.id})
        self.assertFalse(self.policy.is_default)
        self.assertEqual(self.env["debtor.followup.policy"]._get_company_default(self.company), key_accounts)
        copy = key_accounts.copy()
        self.assertFalse(copy.is_default)
        self.assertEqual(copy.name, "Key accounts (copy)")

    def test_customer_policy_override(self):
        lenient = self.env["debtor.followup.policy"].create({
            "name": "Key accounts",
            "level_ids": [(0, 0, {"name": "Gentle nudge", "delay_days": 30,
                                  "mail_template_id": self.env.ref("debtor_followup.mail_template_reminder").id})],
        })
        invoice = self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        debtor = self._debtor(self.customer)
        debtor.policy_id = lenient
        self.assertEqual(debtor.effective_policy_id, lenient)
        self.assertEqual(str(debtor.next_action_date), "2026-01-31")
        debtor.policy_id = False
        self.assertEqual(debtor.effective_policy_id, self.policy)
        self.assertEqual(str(debtor.next_action_date), "2026-01-08", "the first reminder of the standard policy")
        self.assertTrue(invoice)

    def test_level_rules(self):
        with self.assertRaisesRegex(ValidationError, "choose its email template"):
            self.env["debtor.followup.level"].create({
                "policy_id": self.policy.id, "name": "No template", "delay_days": 90, "send_email": True})
        with self.assertRaisesRegex(ValidationError, "fixed user"):
            self.env["debtor.followup.level"].create({
                "policy_id": self.policy.id, "name": "Call", "delay_days": 91, "send_email": False,
                "create_activity": True, "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "activity_user_source": "fixed"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["debtor.followup.level"].create({
                "policy_id": self.policy.id, "name": "Same day", "delay_days": 7, "send_email": False})

    def test_reached_level_cannot_be_deleted(self):
        self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        from freezegun import freeze_time
        with freeze_time("2026-01-08"):
            self._run()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.level_1.unlink()
        self.level_handover.unlink()
        self.assertEqual(len(self.policy.level_ids), 4)
