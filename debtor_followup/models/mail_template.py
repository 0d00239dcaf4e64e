import secrets

from markupsafe import Markup

from odoo import api
from odoo import models


class MailTemplate(models.Model):
    """Reminder emails of a batch rendered with one compilation of the template.

    Odoo compiles a mail template's QWeb body again for every record it renders (``_render_template_qweb`` parses
    the source per record). For the follow-up's batches (context key ``debtor_followup``), the body is wrapped in a
    loop over the batch's records, compiled and rendered once, and the result split back per record; Odoo's
    ``_render_field`` still groups the records by language, so this happens once per batch and language.
    """

    _inherit = "mail.template"

    @api.model
    def _render_template_qweb(self, template_src, model, res_ids, add_context=None, options=None):
        if not (self.env.context.get("debtor_followup") and template_src and res_ids and len(res_ids) > 1):
            return super()._render_template_qweb(template_src, model, res_ids, add_context=add_context,
                                                 options=options)
        separator = Markup(f"<!--debtor-split-{secrets.token_hex(8)}-->")
        batch_src = (
            '<t t-foreach="debtor_batch_records" t-as="object"><t t-out="debtor_batch_separator"/>'
            f"{template_src}</t>"
        )
        context = {**(add_context or {}), "debtor_batch_records": self.env[model].browse(res_ids),
                   "debtor_batch_separator": separator}
        rendered = super()._render_template_qweb(batch_src, model, res_ids[:1], add_context=context,
                                                 options=options)[res_ids[0]]
        parts = str(rendered).split(str(separator))[1:]
        if len(parts) != len(res_ids):  # the body itself printed the separator: render record by record
            return super()._render_template_qweb(template_src, model, res_ids, add_context=add_context,
                                                 options=options)
        return {res_id: Markup(part) for res_id, part in zip(res_ids, parts, strict=True)}
