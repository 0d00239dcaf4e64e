import logging

from odoo import api
from odoo import models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class IrActionsReport(models.Model):
    """Render many documents of one report in one wkhtmltopdf call and split the result per record."""

    _inherit = "ir.actions.report"

    @api.model
    def _debtor_render_split(self, report_ref, records):
        """The document of each of ``records``, rendered together (one wkhtmltopdf call, about a second, instead of
        one per record), then split per record the way Odoo's own invoice sending does (by page, else by the
        documents' top headings). When the result cannot be split, each record is rendered on its own.

        :param report_ref: the report's xml id or name
        :param records: records of the report's model, of one company
        :return: ``{record id: bytes}`` (PDF; HTML while tests run, as Odoo renders reports then)
        """
        if not records:
            return {}
        report = self.with_company(records[:1].company_id.id or self.env.company.id)
        try:
            content, kind = report._pre_render_qweb_pdf(report_ref, res_ids=records.ids)
            parts = report._get_splitted_report(report_ref, content, kind)
        except UserError as error:
            if len(records) == 1:
                raise
            # wkhtmltopdf built on an unpatched Qt (Debian's) converts one document per call when it cannot reach
            # the HTTP server for the styles (a run outside the server): Odoo refuses several then
            _logger.info("%s: %d documents could not be rendered together (%s)", report_ref, len(records), error)
            parts = {}
        if len(records) > 1 and set(parts) != set(records.ids):
            _logger.info("%s: rendering %d documents one by one", report_ref, len(records))
            parts = {}
            for record in records:
                content, kind = report._pre_render_qweb_pdf(report_ref, res_ids=record.ids)
                parts[record.id] = next(iter(report._get_splitted_report(report_ref, content, kind).values()))
        return parts
