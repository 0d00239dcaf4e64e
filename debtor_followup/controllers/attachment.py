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
        if (attachment and attachment.sudo().res_model in DEBTOR_DOCUMENT_MODELS
                and attachment.has_access("read") and not attachment.has_access("write")):
            return None
        return super().mail_attachement_update_thumbnail(attachment_id, thumbnail=thumbnail, access_token=access_token)
