import base64
import io
import logging
import os
import re
import struct
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor

from odoo import api
from odoo import models
from odoo.addons.base.models import ir_actions_report
from odoo.exceptions import UserError
from odoo.tools import pdf

_logger = logging.getLogger(__name__)


def _marker_png(width, height):
    """A ``width`` x ``height`` PNG of white pixels (RGB, 8 bits): the page marker of ``_debtor_join_bodies``."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _row in range(height))
    return b"".join([
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
        chunk(b"IDAT", zlib.compress(rows)),
        chunk(b"IEND", b""),
    ])


# A white image of 3 x 2 pixels drawn 3 x 2 px at the top of each document of a joined rendering (invisible on the
# white page, taking no room): the PDF lists it in the resources of each page it is drawn on, that is the first page
# of each document, which is how the joined PDF is split again. No content image of a document is that small.
MARKER_SIZE = (3, 2)
MARKER_HTML = (
    f'<img alt="" src="data:image/png;base64,{base64.b64encode(_marker_png(*MARKER_SIZE)).decode()}"'
    ' style="display: block; width: 3px; height: 2px; margin: 0 0 -2px 0;"/>'
)
BODY_RE = re.compile(r"<body[^>]*>", re.IGNORECASE)
MIN_PART = 10  # documents converted side by side are at least this many per process


def _convert(args, html):
    """The PDF of ``html`` (one page), converted by wkhtmltopdf with ``args``; run outside the ORM (in a thread).
    The exit code 1 is a resource that did not load (the PDF is made), as Odoo's ``_run_wkhtmltopdf`` takes it."""
    with tempfile.TemporaryDirectory(prefix="debtor_report.") as folder:
        source, target = os.path.join(folder, "body.html"), os.path.join(folder, "report.pdf")
        with open(source, "w", encoding="utf-8") as file:
            file.write(html)
        process = ir_actions_report._run_wkhtmltopdf([*args, source, target])
        if process.returncode not in (0, 1) or not os.path.getsize(target):
            raise RuntimeError(f"error code {process.returncode}: {process.stderr[-1000:]}")
        if process.returncode:
            _logger.warning("wkhtmltopdf: %s", process.stderr[-1000:])
        with open(target, "rb") as file:
            return file.read()


class IrActionsReport(models.Model):
    """Render many documents of one report in one wkhtmltopdf call and split the result per record."""

    _inherit = "ir.actions.report"

    @api.model
    def _debtor_render_split(self, report_ref, records):
        """The document of each of ``records``, rendered together (one wkhtmltopdf call, about a second, instead of
        one per record), then split per record the way Odoo's own invoice sending does (by page, else by the
        documents' top headings). When the result cannot be split, each record is rendered on its own.

        wkhtmltopdf built on an unpatched Qt (Debian's) converts one HTML document per call: there the documents are
        joined into one (``_run_wkhtmltopdf``), and the document outline Odoo splits by is added to the result.

        :param report_ref: the report's xml id or name
        :param records: records of the report's model, of one company
        :return: ``{record id: bytes}`` (PDF; HTML while tests run, as Odoo renders reports then)
        """
        if not records:
            return {}
        # once each: Odoo renders a list with duplicates as one document it cannot split
        records = records.browse(list(dict.fromkeys(records.ids)))
        report = self.with_company(records[:1].company_id.id or self.env.company.id).with_context(
            debtor_join_bodies=True)
        try:
            content, kind = report._pre_render_qweb_pdf(report_ref, res_ids=records.ids)
            parts = report._get_splitted_report(report_ref, content, kind)
        except UserError as error:
            if len(records) == 1:
                raise
            _logger.info("%s: %d documents could not be rendered together (%s)", report_ref, len(records), error)
            parts = {}
        if len(records) > 1 and set(parts) != set(records.ids):
            _logger.info("%s: rendering %d documents one by one", report_ref, len(records))
            parts = {}
            for record in records:
                content, kind = report._pre_render_qweb_pdf(report_ref, res_ids=record.ids)
                parts[record.id] = next(iter(report._get_splitted_report(report_ref, content, kind).values()))
        return parts

    @api.model
    def _build_wkhtmltopdf_args(self, paperformat_id, landscape, specific_paperformat_args=None,
                                set_viewport_size=False):
        """No wait for scripts (``report.print_delay``, a second per call) when the page has none to run."""
        args = super()._build_wkhtmltopdf_args(
            paperformat_id, landscape, specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size)
        if self.env.context.get("debtor_no_script") and "--javascript-delay" in args:
            args[args.index("--javascript-delay") + 1] = "0"
        return args

    @api.model
    def _run_wkhtmltopdf(self, bodies, report_ref=False, header=None, footer=None, landscape=False,
                         specific_paperformat_args=None, set_viewport_size=False):
        """For ``_debtor_render_split`` on a wkhtmltopdf built on an unpatched Qt, which refuses several documents
        in one call: convert the documents joined into one HTML document, each starting on a new page, then give
        the PDF the outline Odoo splits it by (one entry per document, at its first page). The header and footer
        are left out as that engine does anyway."""
        bodies = [str(body) for body in bodies]  # Markup would escape the tags searched for
        joined = self.env.context.get("debtor_join_bodies") and len(bodies) > 1 and self._debtor_joinable(bodies)
        if not joined:
            # one document of ours on that engine: no wait for scripts either when it has none
            alone = (self.env.context.get("debtor_join_bodies") and len(bodies) == 1 and "<script" not in bodies[0]
                     and "(with patched qt)" not in ir_actions_report._wkhtml().version)
            return super(IrActionsReport, self.with_context(debtor_no_script=alone))._run_wkhtmltopdf(
                bodies, report_ref=report_ref, header=header, footer=footer, landscape=landscape,
                specific_paperformat_args=specific_paperformat_args, set_viewport_size=set_viewport_size)
        # the documents in a few parts converted side by side (the engine uses one core), in order
        workers = max(1, int(self.env["ir.config_parameter"].sudo().get_param(
            "debtor_followup.pdf_processes", min(2, os.cpu_count() or 1))))
        size = -(-len(bodies) // min(workers, max(1, len(bodies) // MIN_PART)))
        parts = [bodies[start:start + size] for start in range(0, len(bodies), size)]
        htmls = [self._debtor_join_bodies(part) for part in parts]
        report = self.with_context(debtor_no_script=all("<script" not in html for html in htmls))
        if len(htmls) == 1:
            contents = [super(IrActionsReport, report)._run_wkhtmltopdf(
                htmls, report_ref=report_ref, landscape=landscape,
                specific_paperformat_args=specific_paperformat_args, set_viewport_size=set_viewport_size)]
        else:
            paperformat = self._get_report(report_ref).get_paperformat() if report_ref else self.get_paperformat()
            args = report._build_wkhtmltopdf_args(
                paperformat, landscape, specific_paperformat_args=specific_paperformat_args,
                set_viewport_size=set_viewport_size)
            try:
                with ThreadPoolExecutor(len(htmls)) as pool:
                    contents = list(pool.map(lambda html: _convert(args, html), htmls))
            except RuntimeError as error:
                raise UserError(self.env._("Wkhtmltopdf failed (%(error)s)", error=error)) from error
        return self._debtor_outline_documents(contents, len(bodies))

    @api.model
    def _debtor_joinable(self, bodies):
        """Whether ``bodies`` (whole HTML pages of one report) can be converted as one: the engine takes one page
        per call, and the pages share their head and body attributes (language direction, report)."""
        if "(with patched qt)" in ir_actions_report._wkhtml().version:
            return False
        heads = {body.partition("<body")[0] for body in bodies}
        tags = {match.group(0) if (match := BODY_RE.search(body)) else None for body in bodies}
        return len(heads) == 1 and len(tags) == 1 and None not in tags and all("</body>" in body for body in bodies)

    @api.model
    def _debtor_join_bodies(self, bodies):
        """One HTML page holding the content of ``bodies``, each on new page(s), starting with the page marker."""
        first = bodies[0]
        start = BODY_RE.search(first)
        parts = []
        for index, body in enumerate(bodies):
            inner = body[BODY_RE.search(body).end():body.rindex("</body>")]
            style = ' style="page-break-before: always;"' if index else ""
            parts.append(f"<div class=\"o_debtor_joined\"{style}>{MARKER_HTML}{inner}</div>")
        return first[:start.end()] + "".join(parts) + "</body></html>"

    @api.model
    def _debtor_outline_documents(self, contents, count):
        """One PDF of ``contents`` (the PDFs of ``count`` joined documents, in order) with an outline entry at the
        first page of each document (the pages showing the marker), the outline Odoo splits a PDF of several
        records by. Without it when the marker is not found on exactly ``count`` pages, the first included: Odoo
        then renders the documents one by one."""
        readers = [pdf.PdfFileReader(io.BytesIO(content), strict=False) for content in contents]
        pages = [page for reader in readers for page in reader.pages]
        starts = []
        for index, page in enumerate(pages):
            images = (page.get("/Resources") or {}).get("/XObject") or {}
            if any((image.get_object().get("/Width"), image.get_object().get("/Height")) == MARKER_SIZE
                   for image in images.values()):
                starts.append(index)
        if len(contents) == 1 and (len(starts) != count or starts[0] != 0):
            _logger.info("joined documents: %d markers found for %d documents", len(starts), count)
            return contents[0]
        writer = pdf.PdfFileWriter()
        for page in pages:
            writer.add_page(page)
        if len(starts) != count or starts[0] != 0:
            _logger.info("joined documents: %d markers found for %d documents", len(starts), count)
            stream = io.BytesIO()
            writer.write(stream)
            return stream.getvalue()
        generic = pdf.generic
        outlines = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Outlines")})
        outlines_ref = writer._add_object(outlines)
        dests = generic.DictionaryObject()
        items = []
        for number, page_index in enumerate(starts):
            name = generic.NameObject(f"/debtor_document_{number}")
            # what wkhtmltopdf writes and Odoo reads: the destination's first element is the page's index
            dests[name] = generic.ArrayObject([
                generic.NumberObject(page_index), generic.NameObject("/XYZ"),
                generic.NullObject(), generic.NullObject(), generic.NumberObject(0)])
            items.append(generic.DictionaryObject({
                generic.NameObject("/Title"): pdf.create_string_object(str(number + 1)),
                generic.NameObject("/Parent"): outlines_ref,
                generic.NameObject("/Dest"): name,
            }))
        refs = [writer._add_object(item) for item in items]
        for item, previous_ref, next_ref in zip(items, [None, *refs[:-1]], [*refs[1:], None], strict=True):
            if previous_ref:
                item[generic.NameObject("/Prev")] = previous_ref
            if next_ref:
                item[generic.NameObject("/Next")] = next_ref
        outlines.update({
            generic.NameObject("/First"): refs[0],
            generic.NameObject("/Last"): refs[-1],
            generic.NameObject("/Count"): generic.NumberObject(len(refs)),
        })
        root = writer._root_object
        root[generic.NameObject("/Outlines")] = outlines_ref
        root[generic.NameObject("/Dests")] = writer._add_object(dests)
        stream = io.BytesIO()
        writer.write(stream)
        return stream.getvalue()
