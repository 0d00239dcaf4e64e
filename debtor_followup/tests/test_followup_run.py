from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupRun(DebtorFollowupCommon):
    """The nightly run: right level, right day, once."""

    def test_standard_policy_levels(self):
        self.assertEqual(
            [(lvl.delay_days, lvl.auto_execute, lvl.send_email) for lvl in self.policy._sorted_levels()],
            [(-3, True, True), (7, True, True), (21, True, True), (35, True, True), (60, False, False)],
        )
        self.assertTrue(self.level_final.is_final_notice)
        self.assertTrue(self.level_final.print_letter)

    def test_pre_due_courtesy_reminder_once(self):
        invoice = self._invoice(self.customer, 500.0, "2026-03-01", due_date="2026-03-10")
        with freeze_time("2026-03-06"):
            run = self._run()
            self.assertFalse(run.action_ids, "4 days before the due date nothing is due yet")
        with freeze_time("2026-03-07"):
            run = self._run()
            action = run.action_ids
            self.assertEqual(action.level_id, self.level_courtesy)
            self.assertEqual(action.line_ids.move_id, invoice)
            self.assertEqual(action.amount_due, 500.0)
            mail = self._mails(action)
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.state, "outgoing", "queued, not sent inline")
            self.assertEqual(mail.recipient_ids, self.customer)
            self.assertIn("invoices due soon", mail.subject)
            self.assertIn(invoice.name, mail.body_html)
            self.assertEqual(action.mail_template_id, self.env.ref("debtor_followup.mail_template_courtesy"))
            # the courtesy level attaches the invoice but no statement
            self.assertEqual(len(mail.attachment_ids), 1)
            self.assertNotIn("Statement", mail.attachment_ids.name)
            self.assertEqual(invoice.debtor_level_id, self.level_courtesy)
            self.assertEqual(str(invoice.debtor_last_action_date), "2026-03-07")
            # a second run the same day changes nothing
            run.sudo().state = "done"  # as the run would have ended it
            mails_before = self.env["mail.mail"].search_count([])
            rerun = self._run()
            self.assertNotEqual(rerun, run)
            self.assertFalse(rerun.action_ids)
            self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    def test_levels_advance_day_by_day(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        debtor = self._debtor(self.customer)
        debtor.responsible_id = self.controller
        with freeze_time("2026-01-07"):
            self.assertFalse(self._run().action_ids, "the first reminder comes 7 days after the due date")
            debtor.invalidate_recordset()
            self.assertEqual(debtor.status, "overdue")
            self.assertEqual(str(debtor.next_action_date), "2026-01-08")
        with freeze_time("2026-01-08"):
            action = self._run().action_ids
            self.assertEqual(action.level_id, self.level_1, "the courtesy level is skipped once overdue")
            mail = self._mails(action)
            self.assertEqual(mail.recipient_ids, self.customer)
            self.assertIn("payment reminder", mail.subject)
            self.assertEqual(len(mail.attachment_ids), 2, "statement and invoice")
            self.assertTrue(any(name.startswith("Statement") for name in mail.attachment_ids.mapped("name")))
            self.assertIn(action.mail_message_id, self.customer.message_ids, "posted in the customer's chatter")
            debtor.invalidate_recordset()
            self.assertEqual(debtor.status, "overdue")
            self.assertEqual(debtor.level_id, self.level_1)
            self.assertEqual(str(debtor.next_action_date), "2026-01-22")
            self.assertEqual(debtor.total_overdue, 1000.0)
            self.assertEqual(debtor.oldest_overdue_days, 7)
        with freeze_time("2026-01-15"):
            self.assertFalse(self._run().action_ids)
        with freeze_time("2026-01-22"):
            action = self._run().action_ids
            self.assertEqual(action.level_id, self.level_2)
            activity = self.customer.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
            self.assertEqual(activity.user_id, self.controller, "assigned to the follow-up responsible")
            self.assertEqual(action.activity_id, activity)
        with freeze_time("2026-02-05"):
            action = self._run().action_ids
            self.assertEqual(action.level_id, self.level_final)
            self.assertTrue(action.letter_attachment_id, "the final notice prints a letter")
            self.assertEqual(action.letter_attachment_id.res_model, "debtor.followup.action")
            self.assertIn("final notice", self._mails(action).subject)
        with freeze_time("2026-03-02"):
            run = self._run()
            self.assertFalse(run.action_ids, "the handover level waits for a person")
            debtor.invalidate_recordset()
            self.assertEqual(debtor.status, "action")
            self.assertEqual(debtor.due_level_id, self.level_handover)
        self.assertEqual(invoice.debtor_level_id, self.level_final)

    def test_late_start_does_not_fire_a_level_a_night(self):
        self._invoice(self.customer, 300.0, "2025-09-01", due_date="2025-10-01")
        with freeze_time("2026-01-10"):
            action = self._run().action_ids
            self.assertEqual(action.level_id, self.level_1, "a late start begins with the first reminder")
        with freeze_time("2026-01-11"):
            self.assertFalse(self._run().action_ids)
        debtor = self._debtor(self.customer)
        self.assertEqual(str(debtor.next_action_date), "2026-01-24", "14 days, the gap between levels 1 and 2")
        with freeze_time("2026-01-24"):
            self.assertEqual(self._run().action_ids.level_id, self.level_2)

    def test_one_message_per_customer_and_level(self):
        inv1 = self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        inv2 = self._invoice(self.customer, 250.0, "2025-12-05", due_date="2026-01-01")
        inv3 = self._invoice(self.customer_b, 80.0, "2025-12-05", due_date="2026-01-01")
        with freeze_time("2026-01-08"):
            run = self._run()
        self.assertEqual(len(run.action_ids), 2)
        grouped = run.action_ids.filtered(lambda a: a.partner_id == self.customer)
        self.assertEqual(grouped.line_ids.move_id, inv1 | inv2)
        self.assertEqual(grouped.amount_due, 350.0)
        self.assertEqual(len(self._mails(grouped)), 1)
        other = run.action_ids - grouped
        self.assertEqual(other.line_ids.move_id, inv3)
        self.assertEqual(self._mails(other).recipient_ids, self.customer_b)
        self.assertEqual(run.done_count, 2)
        self.assertEqual(run.email_count, 2)
        self.assertEqual(run.customer_count, 2)
        self.assertIn(self.level_1.name, run.summary)

    def test_bad_email_is_logged_and_the_run_goes_on(self):
        self.customer_b.email = "not an email"
        good = self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        self._invoice(self.customer_b, 200.0, "2025-12-01", due_date="2026-01-01")
        with freeze_time("2026-01-08"):
            run = self._run()
            self.assertEqual(run.state, "done")
            done = run.action_ids.filtered(lambda a: a.state == "done")
            failed = run.action_ids.filtered(lambda a: a.state == "failed")
            self.assertEqual(done.partner_id, self.customer)
            self.assertEqual(done.line_ids.move_id, good)
            self.assertEqual(failed.partner_id, self.customer_b)
            self.assertIn("no valid email address", failed.error)
            self.assertEqual((run.done_count, run.failed_count), (1, 1))
            self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", self.customer_b.ids)]))
            self.assertIn("could not execute level", self.customer_b.message_ids[0].body)
            # the failed customer's items did not advance: it is retried, the good one is not re-sent
            self.assertFalse(failed.line_ids.debtor_level_id)
            run.sudo().state = "done"  # as the run would have ended it
            rerun = self._run()
            self.assertEqual(rerun.action_ids.partner_id, self.customer_b)
            self.assertEqual(rerun.action_ids.state, "failed")

    def test_installments_followed_up_on_their_own_due_date(self):
        term = self.env["account.payment.term"].create({
            "name": "30% now, 70% in 60 days",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60}),
            ],
        })
        invoice = self._invoice(self.customer, 1000.0, "2026-01-01", payment_term=term)
        first, second = self._receivable(invoice)
        self.assertEqual((first.amount_residual, second.amount_residual), (300.0, 700.0))
        with freeze_time("2026-01-08"):
            action = self._run().action_ids
            self.assertEqual(action.line_ids, first)
            self.assertEqual(action.amount_due, 300.0)
        self.assertEqual(first.debtor_level_id, self.level_1)
        self.assertFalse(second.debtor_level_id)
        with freeze_time("2026-02-27"):  # three days before the second installment falls due (2026-03-02)
            run = self._run()
            courtesy = run.action_ids.filtered(lambda a: a.level_id == self.level_courtesy)
            self.assertEqual(courtesy.line_ids, second)

    def test_paid_credited_and_no_followup_items_are_never_reminded(self):
        paid = self._invoice(self.customer, 400.0, "2025-12-01", due_date="2026-01-01")
        self._pay(paid, 400.0, "2025-12-20")
        credited = self._invoice(self.customer, 150.0, "2025-12-01", due_date="2026-01-01")
        credited._reverse_moves([{"invoice_date": "2025-12-10"}], cancel=True)
        self.assertEqual(credited.payment_state, "reversed")
        blocked = self._invoice(self.customer_b, 90.0, "2025-12-01", due_date="2026-01-01")
        self._receivable(blocked).no_followup = True
        with freeze_time("2026-03-01"):
            run = self._run()
        self.assertFalse(run.action_ids)
        self.assertEqual(self._debtor(self.customer).status, "none")
        self.assertEqual(self._debtor(self.customer_b).status, "none")
        self.assertEqual(self._debtor(self.customer_b).total_due, 90.0, "still owed, just not followed up")

    def test_open_credits_offset_what_is_overdue(self):
        self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        credit_note = self._invoice(self.customer, 150.0, "2026-01-05", due_date="2026-01-05", move_type="out_refund")
        self._invoice(self.customer_b, 100.0, "2025-12-01", due_date="2026-01-01")
        self._invoice(self.customer_b, 40.0, "2026-01-05", due_date="2026-01-05", move_type="out_refund")
        with freeze_time("2026-01-08"):
            run = self._run()
            debtor, debtor_b = self._debtor(self.customer), self._debtor(self.customer_b)
            # overdue is what is owed past its due date; the credits offset the total due, and a customer whose
            # credits cover its overdue items is not chased
            self.assertEqual((debtor.total_due, debtor.total_overdue, debtor.status), (-50.0, 100.0, "none"),
                             "a customer in credit is not chased")
            self.assertEqual((debtor_b.total_due, debtor_b.total_overdue, debtor_b.status), (60.0, 100.0, "overdue"))
            self.assertEqual(run.action_ids.partner_id, self.customer_b)
        self.assertTrue(credit_note)

    def test_partial_payment_keeps_the_rest_followed_up(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        self._pay(invoice, 600.0, "2026-01-05")
        debtor = self._debtor(self.customer)
        self.assertEqual(debtor.total_due, 400.0, "refreshed when the payment was reconciled")
        with freeze_time("2026-01-08"):
            action = self._run().action_ids
        self.assertEqual(action.amount_due, 400.0)

    def test_manual_mode_postponed_and_excluded_customers(self):
        self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        other = self._invoice(self.customer_b, 100.0, "2025-12-01", due_date="2026-01-01")
        debtor = self._debtor(self.customer)
        debtor.reminder_mode = "manual"
        with freeze_time("2026-01-08"):
            run = self._run()
            self.assertEqual(run.action_ids.partner_id, self.customer_b, "manual customers wait for a person")
            self.assertEqual(debtor.status, "action")
        other_debtor = self._debtor(self.customer_b)
        with freeze_time("2026-01-21"):
            other_debtor.postponed_until = "2026-01-25"
            self.assertEqual(str(other_debtor.next_action_date), "2026-01-25")
        with freeze_time("2026-01-22"):
            self.assertFalse(self._run().action_ids.filtered(lambda a: a.partner_id == self.customer_b))
        with freeze_time("2026-01-25"):
            self.assertEqual(self._run().action_ids.filtered(
                lambda a: a.partner_id == self.customer_b).level_id, self.level_2)
            self.assertFalse(other_debtor.postponed_until, "a postponement ends once acted on")
        other_debtor.exclusion_note = "Bankruptcy filed"
        other_debtor.action_exclude()
        self.assertEqual(other_debtor.status, "excluded")
        with freeze_time("2026-03-01"):
            self.assertFalse(self._run().action_ids.filtered(lambda a: a.partner_id == self.customer_b))
        other_debtor.action_include()
        self.assertEqual(other_debtor.status, "action")
        self.assertEqual(other.debtor_level_id, self.level_2)

    def test_invoice_excluded_by_hand(self):
        excluded = self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        kept = self._invoice(self.customer, 70.0, "2025-12-01", due_date="2026-01-01")
        excluded.debtor_excluded = True
        receivable = self._receivable(excluded)
        with freeze_time("2026-01-08"):
            self.assertEqual(receivable.debtor_exclusion_reason, "manual")
            action = self._run().action_ids
        self.assertEqual(action.line_ids.move_id, kept)

    def test_cron_runs_every_company_and_logs(self):
        other_company = self.setup_other_company(name="Second Co")["company"]
        self.assertTrue(self.env["debtor.followup.policy"]._get_company_default(other_company),
                        "a new company gets the standard policy")
        self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        self._invoice(self.customer, 55.0, "2025-12-01", due_date="2026-01-01", company=other_company)
        with freeze_time("2026-01-08"):
            self.env["debtor.followup.run"]._cron_run_followup()
        runs = self.env["debtor.followup.run"].search([("run_date", "=", "2026-01-08")])
        self.assertEqual(runs.company_id, self.company | other_company)
        self.assertTrue(all(run.state == "done" and run.done_count == 1 for run in runs))
        self.assertEqual(runs.filtered(lambda r: r.company_id == other_company).action_ids.amount_due, 55.0)

    def test_foreign_currency_invoice(self):
        eur = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        invoice = self._invoice(self.customer, 500.0, "2025-12-01", due_date="2026-01-01", currency=eur)
        debtor = self._debtor(self.customer)
        self.assertEqual(debtor.total_due, 250.0, "in company currency")
        with freeze_time("2026-01-08"):
            action = self._run().action_ids
        self.assertEqual(action.line_ids.move_id, invoice)
        body = self._mails(action).body_html
        self.assertIn("500.00", body, "the customer sees its own currency")

    def test_a_failing_step_is_logged_and_the_run_goes_on(self):
        self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        with freeze_time("2026-01-08"), patch.object(
                type(self.env["debtor.promise"]), "_check_open_promises", side_effect=ValueError("broken template")):
            run = self._run()
        self.assertIn("broken template", run.log)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.action_ids.partner_id, self.customer, "the reminders still went out")

    def test_figures_are_not_set_by_hand(self):
        self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        debtor = self._debtor(self.customer)
        with self.assertRaisesRegex(AccessError, "computed by the follow-up"):
            debtor.with_user(self.controller).write({"status": "none", "oldest_overdue_days": 0})
        with self.assertRaisesRegex(AccessError, "computed by the follow-up"):
            debtor.with_user(self.controller).credit_score = 100
        debtor.with_user(self.controller).responsible_id = self.controller

    def test_only_the_customers_own_items_can_be_reminded(self):
        mine = self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        theirs = self._invoice(self.customer_b, 100.0, "2025-12-01", due_date="2026-01-01")
        debtor = self._debtor(self.customer)
        with self.assertRaisesRegex(UserError, "Only the open receivable items"):
            debtor.with_user(self.controller)._execute_level(
                self.level_1, self._receivable(mine | theirs), manual=True)
        self.assertFalse(self._receivable(theirs).debtor_level_id)
        self.assertFalse(self.env["debtor.followup.action"].search([]))

    def test_a_lower_level_sent_by_hand_does_not_move_items_down(self):
        invoice = self._invoice(self.customer, 100.0, "2025-12-01", due_date="2026-01-01")
        with freeze_time("2026-01-22"):
            self._receivable(invoice).sudo().write({"debtor_level_id": self.level_2.id,
                                             "debtor_last_action_date": "2026-01-22"})
            self._debtor(self.customer)._execute_level(self.level_1, self._receivable(invoice), manual=True)
            self.assertEqual(invoice.debtor_level_id, self.level_2)
