import base64
import io
from datetime import timedelta

from PIL import Image

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .common import DebtorFollowupCommon


def _jpeg_base64():
    """A small JPEG, as the web client's pdf.js thumbnail is."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


@tagged("post_install", "-at_install")
class TestReminderDocumentsInChatter(DebtorFollowupCommon, HttpCase):
    """A reminded customer's contact form shows the reminder with its statement PDF. The web client makes the PDF's
    thumbnail and stores it with ``/mail/attachment/update_thumbnail``, which needs write access on the document:
    a statement owned by the contact (which controllers and managers may not edit) answered 404, an error dialog."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.ux_customer = cls.env["res.partner"].create({
            "name": "Thumbnail Debtor BV", "is_company": True, "email": "ap@thumbnail.example.com"})
        cls._invoice(cls.ux_customer, 800.0, today - timedelta(days=40), due_date=today - timedelta(days=10))

    def _send_reminder(self):
        debtor = self._debtor(self.ux_customer).with_user(self.controller)
        wizard = self.env["debtor.followup.send"].with_user(self.controller).create({"customer_id": debtor.id})
        wizard.action_send()
        action = self.env["debtor.followup.action"].search([("partner_id", "=", self.ux_customer.id)])
        self.assertEqual(len(action), 1)
        statement = action.mail_message_id.attachment_ids.filtered(lambda a: a.name.startswith("Statement"))
        self.assertEqual(len(statement), 1, "the reminder carries the statement")
        return debtor, action, statement

    def test_statement_owned_by_debtor_file_and_listed_on_contact(self):
        debtor, action, statement = self._send_reminder()
        self.assertRecordValues(statement, [{
            "res_model": "debtor.customer", "res_id": debtor.id, "mimetype": "application/pdf"}])
        # the document is still in the customer's chatter: the reminder's message on the contact lists it
        message = action.mail_message_id
        self.assertEqual((message.model, message.res_id), ("res.partner", self.ux_customer.id))
        self.assertIn(statement, message.attachment_ids)
        for user in (self.controller, self.manager, self.invoicing_user):
            self.assertTrue(statement.with_user(user).has_access("read"), user.login)
        # controllers and managers may not edit the contact, but may write the file's documents
        for user in (self.controller, self.manager):
            self.assertFalse(self.ux_customer.with_user(user).has_access("write"), user.login)
            self.assertTrue(statement.with_user(user).has_access("write"), user.login)

    def test_roles_store_thumbnail_as_the_web_client_does(self):
        _debtor, _action, statement = self._send_reminder()
        self.assertFalse(statement.thumbnail, "no thumbnail yet: the web client will make one")
        thumbnail = _jpeg_base64()
        # an invoicing user may read the document but not write it: no error, nothing stored
        self.authenticate(self.invoicing_user.login, self.invoicing_user.login)
        self.make_jsonrpc_request("/mail/attachment/update_thumbnail",
                                  {"attachment_id": statement.id, "thumbnail": thumbnail})
        statement.invalidate_recordset(["thumbnail"])
        self.assertFalse(statement.thumbnail)
        # a controller stores it (before, with the statement on the contact, the route answered 404)
        self.authenticate(self.controller.login, self.controller.login)
        self.make_jsonrpc_request("/mail/attachment/update_thumbnail",
                                  {"attachment_id": statement.id, "thumbnail": thumbnail})
        statement.invalidate_recordset(["thumbnail", "has_thumbnail"])
        self.assertTrue(statement.has_thumbnail)
        # so does a manager
        self.authenticate(self.manager.login, self.manager.login)
        self.make_jsonrpc_request("/mail/attachment/update_thumbnail",
                                  {"attachment_id": statement.id, "thumbnail": thumbnail})
        # a statement sent before they were owned by the debtor file sits on the contact: no error either
        statement.sudo().write({"res_model": "res.partner", "res_id": self.ux_customer.id, "thumbnail": False})
        self.authenticate(self.controller.login, self.controller.login)
        self.make_jsonrpc_request("/mail/attachment/update_thumbnail",
                                  {"attachment_id": statement.id, "thumbnail": thumbnail})
        # a document of a contact the user may not edit still answers 404, as in Odoo
        other = self.env["ir.attachment"].create({
            "name": "contract.pdf", "raw": b"%PDF-1.4", "mimetype": "application/pdf",
            "res_model": "res.partner", "res_id": self.ux_customer.id})
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request("/mail/attachment/update_thumbnail",
                                      {"attachment_id": other.id, "thumbnail": thumbnail})


@tagged("post_install", "-at_install")
class TestWorkQueueLanding(DebtorFollowupCommon):
    """Credit controllers and managers land on the work queue (their home action), unless they chose another."""

    def test_home_action_for_the_groups(self):
        queue = self.env.ref("debtor_followup.debtor_customer_action").id
        self.assertEqual(self.controller.action_id.id, queue, "set when a controller is created")
        self.assertEqual(self.manager.action_id.id, queue, "managers are controllers")
        self.assertFalse(self.invoicing_user.action_id, "an invoicing user keeps Odoo's default")
        # a user who gets the group later lands on the queue too
        controllers = self.env.ref("debtor_followup.group_debtor_controller")
        self.invoicing_user.group_ids = [fields.Command.link(controllers.id)]
        self.assertEqual(self.invoicing_user.action_id.id, queue)

    def test_home_action_chosen_is_kept(self):
        queue = self.env.ref("debtor_followup.debtor_customer_action").id
        chosen = self.env.ref("base.action_res_users").id
        user = self.env["res.users"].create({
            "name": "Chooser", "login": "debtor_chooser", "action_id": chosen,
            "group_ids": [fields.Command.link(self.env.ref("debtor_followup.group_debtor_controller").id)]})
        self.assertEqual(user.action_id.id, chosen)
        # the group given from the group's side: a user without a home action gets the queue, the other keeps his
        other = self.env["res.users"].create({"name": "Other", "login": "debtor_other"})
        self.assertFalse(other.action_id)
        self.env.ref("debtor_followup.group_debtor_manager").user_ids = [
            fields.Command.link(other.id), fields.Command.link(user.id)]
        self.assertEqual(other.action_id.id, queue)
        self.assertEqual(user.action_id.id, chosen)
        # on install or update: everyone of the groups without a home action, nobody else
        self.controller.action_id = False
        self.env["res.users"]._debtor_set_home_action_all()
        self.assertEqual(self.controller.action_id.id, queue)
        self.assertFalse(self.invoicing_user.action_id)


@tagged("post_install", "-at_install")
class TestDebtorFilePage(DebtorFollowupCommon):
    """The work queue's flags and the debtor file's chatter and call outcomes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.today = fields.Date.today()
        issued, due = today - timedelta(days=40), today - timedelta(days=10)
        cls.invoice_a = cls._invoice(cls.customer, 500.0, issued, due_date=due)
        cls.invoice_b = cls._invoice(cls.customer, 300.0, issued, due_date=due)
        cls.invoice_c = cls._invoice(cls.customer_b, 200.0, issued, due_date=due)

    def test_queue_flags(self):
        debtor, other = self._debtor(self.customer), self._debtor(self.customer_b)
        self.assertFalse(debtor.queue_flags)
        self.assertFalse(other.queue_flags)
        # a promise on the first invoice, a dispute on the second, a manual hold
        self.env["debtor.promise.wizard"].with_user(self.controller).create({
            "customer_id": debtor.id, "date": self.today + timedelta(days=5),
            "line_ids": [fields.Command.set(self._receivable(self.invoice_a).ids)]}).action_confirm()
        self.env["debtor.dispute"].create({
            "move_id": self.invoice_b.id, "reason_id": self.env.ref("debtor_followup.dispute_reason_damaged").id})
        debtor.sudo().credit_hold = True
        (debtor | other).invalidate_recordset()
        self.assertRecordValues(debtor | other, [
            {"credit_on_hold": True, "dispute_count": 1, "open_promise_count": 1, "active_plan_count": 0,
             "queue_flags": "On hold · Dispute · Promise"},
            {"credit_on_hold": False, "dispute_count": 0, "open_promise_count": 0, "active_plan_count": 0,
             "queue_flags": False},
        ])

    def test_log_call_posts_on_file_and_promised_opens_promise(self):
        debtor = self._debtor(self.customer).with_user(self.controller)
        partner_messages = self.customer.message_ids
        log = self.env["debtor.followup.log"].with_user(self.controller).create({
            "customer_id": debtor.id, "kind": "call", "outcome": "promised", "note": "Pays Friday"})
        action = log.action_confirm()
        # the call is in the file's chatter, by the controller
        note = debtor.message_ids[:1]
        self.assertIn("Promised to pay", note.body)
        self.assertIn("Pays Friday", note.body)
        self.assertEqual(note.author_id, self.controller.partner_id)
        self.assertEqual(self.customer.message_ids, partner_messages, "not posted twice on the contact")
        # and the promise wizard opens on the same file, the note carried over
        self.assertEqual((action["res_model"], action["target"]), ("debtor.promise.wizard", "new"))
        self.assertEqual(action["context"]["default_customer_id"], debtor.id)
        Wizard = self.env["debtor.promise.wizard"].with_user(self.controller)
        wizard = Wizard.with_context(**action["context"]).create({"date": self.today + timedelta(days=3)})
        self.assertEqual(wizard.note, "Pays Friday")
        self.assertEqual(wizard.line_ids, self._receivable(self.invoice_a | self.invoice_b))
        wizard.action_confirm()
        promise = self.env["debtor.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{"state": "open", "amount": 800.0, "date": self.today + timedelta(days=3)}])
        # any other outcome just closes
        other = self.env["debtor.followup.log"].with_user(self.controller).create({
            "customer_id": debtor.id, "kind": "call", "outcome": "no_answer"}).action_confirm()
        self.assertEqual(other, {"type": "ir.actions.act_window_close"})
        self.assertIn("No answer", debtor.message_ids[:1].body)

    def test_file_chatter_shows_the_contacts_conversation(self):
        """The reminders and replies on the contact and the calls on the file are one conversation on the file."""
        debtor = self._debtor(self.customer)
        reminder = self.customer.message_post(body="Reminder sent", message_type="comment",
                                              subtype_xmlid="mail.mt_comment")
        other = self.customer_b.message_post(body="Not this customer", message_type="comment",
                                             subtype_xmlid="mail.mt_comment")
        self.env["debtor.followup.log"].with_user(self.controller).create({
            "customer_id": debtor.id, "kind": "call", "outcome": "no_answer"}).action_confirm()
        call = debtor.message_ids[:1]
        Message = self.env["mail.message"].with_user(self.controller)
        fetched = Message._message_fetch(None, thread=debtor.with_user(self.controller))["messages"]
        self.assertIn(reminder, fetched)
        self.assertIn(call, fetched)
        self.assertNotIn(other, fetched)
        # a plain invoicing user reads it as the contact's messages allow
        fetched = self.env["mail.message"].with_user(self.invoicing_user)._message_fetch(
            None, thread=debtor.with_user(self.invoicing_user))["messages"]
        self.assertIn(reminder, fetched)

    def test_refresh_makes_files_without_chatter_noise(self):
        debtor = self._debtor(self.customer)
        self.assertTrue(debtor)
        self.assertFalse(debtor.message_ids, "the files the refresh makes get no creation message")
        self.assertFalse(debtor.message_follower_ids)


@tagged("post_install", "-at_install")
class TestReminderWizardPersonal(DebtorFollowupCommon):
    """The reminder a controller sends by hand: a personal line, contacts in copy, the documents listed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.invoice = cls._invoice(cls.customer, 640.0, today - timedelta(days=40), due_date=today - timedelta(days=10))
        cls.accountant = cls.env["res.partner"].create({
            "name": "Aline Accountant", "email": "aline@slowpayer.example.com"})

    def test_personal_line_cc_and_attachments(self):
        debtor = self._debtor(self.customer)
        self.level_1.write({"attach_statement": True, "attach_invoices": True})
        wizard = self.env["debtor.followup.send"].with_user(self.controller).create({
            "customer_id": debtor.id, "personal_note": "As discussed with <Jane> on the phone.",
            "cc_partner_ids": [fields.Command.set(self.accountant.ids)]})
        self.assertEqual(wizard.level_id, self.level_1)
        self.assertEqual(wizard.attachment_names.splitlines(), [
            "Statement - Slow Payer Ltd.pdf", self.invoice._get_invoice_report_filename()])
        escaped = "As discussed with &lt;Jane&gt; on the phone."
        self.assertIn(escaped, wizard.body, "the preview shows the line")
        wizard.action_send()
        action = self.env["debtor.followup.action"].search([("partner_id", "=", self.customer.id)])
        mail = self._mails(action)
        self.assertEqual(len(mail), 1)
        self.assertIn("aline@slowpayer.example.com", mail.email_cc)
        html = str(mail.body_html)
        self.assertIn(escaped, html)
        self.assertLess(html.index(escaped), html.index(self.invoice.name), "the line comes above the level's text")
        self.assertEqual(html.count(escaped), 1)
        self.assertFalse(html.lstrip().startswith("<p>As discussed"), "inside the layout, not before it")
        self.assertIn(escaped, str(action.mail_message_id.body))
        # what the wizard listed is what the email carries
        self.assertEqual(sorted(action.mail_message_id.attachment_ids.mapped("name")),
                         sorted(wizard.attachment_names.splitlines()))

    def test_cc_needs_an_address(self):
        self.accountant.email = False
        wizard = self.env["debtor.followup.send"].with_user(self.controller).create({
            "customer_id": self._debtor(self.customer).id, "cc_partner_ids": [fields.Command.set(self.accountant.ids)]})
        with self.assertRaisesRegex(UserError, "no email address"):
            wizard.action_send()
        self.assertFalse(self.env["debtor.followup.action"].search([("partner_id", "=", self.customer.id)]))
