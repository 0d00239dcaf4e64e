import base64
import io
from datetime import timedelta

from PIL import Image

from odoo import fields
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
        # a document of a contact the user may not edit still answers 404, as in Odoo
        other = self.env["ir.attachment"].create({
            "name": "contract.pdf", "raw": b"%PDF-1.4", "mimetype": "application/pdf",
            "res_model": "res.partner", "res_id": self.ux_customer.id})
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request("/mail/attachment/update_thumbnail",
                                      {"attachment_id": other.id, "thumbnail": thumbnail})
