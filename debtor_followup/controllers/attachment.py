from odoo.addons.mail.controllers.attachment import AttachmentController
from odoo.http import request
from odoo.http import route

# The models whose records own the follow-up's documents (statements, letters).
DEBTOR_DOCUMENT_MODELS = ("debtor.customer", "debtor.followup.action")


class DebtorAttachmentController(AttachmentController):
    """The web client makes the thumbnail of a PDF shown in a chatter that has none yet and stores it with
    ``/mail/attachment/update_thumbnail``, which answers 404 (an error dialog) to a user who may read the document
    but not write it. The follow-up's documents are owned by records that controllers and managers may write (the
    debtor file, the follow-up action), so they store it; a user who may only read such a document (an invoicing
    user opening a reminded customer) is not shown an error for a preview that the next writer will store."""

    @route()
    def mail_attachement_update_thumbnail(self, attachment_id, thumbnail=None, access_token=None):
        attachment = request.env["ir.attachment"].browse(int(attachment_id)).exists()
        if (attachment and attachment.has_access("read") and not attachment.has_access("write")
                and self._debtor_is_followup_document(attachment.sudo())):
            return None
        return super().mail_attachement_update_thumbnail(attachment_id, thumbnail=thumbnail, access_token=access_token)

    def _debtor_is_followup_document(self, attachment):
        """Whether ``attachment`` is a document of the follow-up: owned by one of its records, or sent with a
        reminder (statements made before they were owned by the debtor file are on the contact)."""
        return attachment.res_model in DEBTOR_DOCUMENT_MODELS or bool(request.env["debtor.followup.action"].sudo()
            .search_count([("mail_message_id.attachment_ids", "in", attachment.ids)], limit=1))
