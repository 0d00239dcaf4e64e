from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupBatch(DebtorFollowupCommon):
    """The nightly run executes a batch of customers set-wise and still isolates each customer's trouble."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payers, cls.invoices = cls._overdue_customers(10, "Batch")
        # no PDFs: they are rendered one by one by wkhtmltopdf, which is not what is measured here
        cls.level_1.write({"attach_statement": False, "attach_invoices": False})

    def _items(self, partners):
        Customer = self.env["debtor.customer"]
        Customer._refresh(self.company, partners)
        return [(self._debtor(partner), self.level_1, self._receivable(self.invoices.filtered(
            lambda move, partner=partner: move.partner_id == partner))) for partner in partners]

    def _queries(self, partners):
        items = self._items(partners)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        actions = self.env["debtor.customer"]._execute_levels(items)
        self.env.flush_all()
        self.assertEqual(set(actions.mapped("state")), {"done"})
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_the_customers_of_a_batch(self):
        # each customer also has an open credit note: the reminder's items table shows it on its own line
        for partner in self.payers:
            self._invoice(partner, 5.0, "2025-12-20", move_type="out_refund")
        with freeze_time("2026-01-08"):
            two = self._queries(self.payers[:2])
            eight = self._queries(self.payers[2:])
        # the same statements for 2 or 8 customers: only their parameters grow
        self.assertLessEqual(eight - two, 2, f"2 customers: {two} queries, 8 customers: {eight} queries")

    def test_batch_queues_one_mail_per_customer_in_its_chatter(self):
        with freeze_time("2026-01-08"):
            run = self._run()
            actions = run.action_ids
            self.assertEqual(len(actions), 10)
            self.assertEqual(actions.partner_id, self.payers)
            for action in actions:
                partner = action.partner_id
                mail = self._mails(action)
                self.assertEqual((mail.recipient_ids, mail.state), (partner, "outgoing"))
                self.assertIn(action.line_ids.move_id.name, mail.body_html)
                self.assertIn(partner.name, mail.body_html, "the mail is rendered for its own customer")
                for other in (self.payers - partner)[:3]:
                    self.assertNotIn(other.name + ",", mail.body_html)
                message = action.mail_message_id
                self.assertIn(message, partner.message_ids)
                self.assertEqual((message.model, message.res_id, message.message_type),
                                 ("res.partner", partner.id, "comment"))
                self.assertEqual(message.notification_ids.mapped(lambda n: (n.res_partner_id, n.notification_status)),
                                 [(partner, "ready")])
                self.assertEqual(action.line_ids.debtor_level_id, self.level_1)

    def test_the_nightly_run_sends_and_signs_in_the_responsibles_name(self):
        """The cron runs as OdooBot: each reminder is authored and signed by its file's follow-up responsible (the
        customer answers a person); a file without one keeps the sender."""
        with_owner, without = self.payers[:1], self.payers[1:2]
        self._debtor(with_owner).responsible_id = self.controller
        cron_env = self.env(user=self.env.ref("base.user_root"))
        with freeze_time("2026-01-08"):
            run = cron_env["debtor.followup.run"]._get_or_start_run(self.company, self.d("2026-01-08"),
                                                                   trigger="cron")
            run._execute()
        mine = run.action_ids.filtered(lambda action: action.partner_id == with_owner)
        other = run.action_ids.filtered(lambda action: action.partner_id == without)
        self.assertEqual(mine.mail_message_id.author_id, self.controller.partner_id)
        self.assertIn("Connie Controller", self._mails(mine).body_html)
        self.assertEqual(other.mail_message_id.author_id, self.env.ref("base.user_root").partner_id)

    def test_a_template_failing_for_one_customer_spares_the_others(self):
        unlucky = self.payers[3]
        values = type(self.env["res.partner"])._debtor_followup_values

        def failing(partner):
            if partner == unlucky:
                raise ValueError("template error for this customer")
            return values(partner)

        with freeze_time("2026-01-08"), patch.object(type(self.env["res.partner"]), "_debtor_followup_values",
                                                     failing):
            run = self._run()
        failed = run.action_ids.filtered(lambda a: a.state == "failed")
        self.assertEqual(failed.partner_id, unlucky)
        self.assertIn("template error for this customer", failed.error)
        self.assertEqual(run.action_ids.filtered(lambda a: a.state == "done").partner_id, self.payers - unlucky)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", unlucky.ids)]))
        self.assertIn("could not execute level", unlucky.message_ids[0].body)
        self.assertFalse(failed.line_ids.debtor_level_id, "retried at the next run")

    def test_a_batch_that_fails_as_a_whole_is_retried_customer_by_customer(self):
        Customer = type(self.env["debtor.customer"])
        create_mails = Customer._create_reminder_mails

        def fragile(self, jobs, author):
            if len(jobs) > 1:
                raise RuntimeError("mail queue hiccup")
            return create_mails(self, jobs, author)

        with freeze_time("2026-01-08"), patch.object(Customer, "_create_reminder_mails", fragile):
            run = self._run()
        self.assertEqual(run.action_ids.mapped("state"), ["done"] * 10)
        self.assertEqual(run.action_ids.partner_id, self.payers)
        self.assertEqual(self.env["mail.mail"].search_count([("recipient_ids", "in", self.payers.ids)]), 10,
                         "one reminder each, none lost and none twice")
