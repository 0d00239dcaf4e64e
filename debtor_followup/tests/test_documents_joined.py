import io
from unittest.mock import patch

from odoo.addons.base.models import ir_actions_report
from odoo.tests import tagged
from odoo.tools import pdf

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestDocumentsJoined(DebtorFollowupCommon):
    """On wkhtmltopdf built on an unpatched Qt (one HTML document per call), a batch's documents are joined into one
    document, converted by one process per part, and split again per record: each record gets its own pages, styled
    as when rendered alone (letterhead, address)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payers, cls.invoices = cls._overdue_customers(3, "Joined")
        cls.env["debtor.customer"]._refresh(cls.company, cls.payers)
        cls.customers = cls.env["debtor.customer"].concat(*(cls._debtor(cls, partner) for partner in cls.payers))

    def setUp(self):
        super().setUp()
        if ir_actions_report._wkhtml().state != "ok":
            self.skipTest("wkhtmltopdf is not installed")
        self.calls, self.delays = [], []
        original = ir_actions_report._run_wkhtmltopdf

        def counting(args):
            self.calls.append([arg for arg in args if arg.endswith(".html")])
            self.delays.append(args[args.index("--javascript-delay") + 1])
            return original(args)

        patcher = patch.object(ir_actions_report, "_run_wkhtmltopdf", counting)
        patcher.start()
        self.addCleanup(patcher.stop)
        # the engine of the Debian package, whatever is installed here
        info = ir_actions_report._wkhtml()._replace(version="0.12.6")
        version = patch.object(ir_actions_report, "_wkhtml", lambda: info)
        version.start()
        self.addCleanup(version.stop)

    @staticmethod
    def _text(content):
        reader = pdf.PdfFileReader(io.BytesIO(content), strict=False)
        return len(reader.pages), " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    def _render(self, records, processes):
        self.env["ir.config_parameter"].sudo().set_param("debtor_followup.pdf_processes", processes)
        return self.env["ir.actions.report"].with_context(force_report_rendering=True)._debtor_render_split(
            "debtor_followup.action_report_debtor_statement", records)

    def test_statements_joined_then_split_styled(self):
        parts = self._render(self.customers, 1)
        self.assertEqual(self.calls and [len(files) for files in self.calls], [1],
                         "one wkhtmltopdf process for the three statements, one HTML document")
        self.assertEqual(set(parts), set(self.customers.ids))
        for customer in self.customers:
            pages, text = self._text(parts[customer.id])
            self.assertEqual(pages, 1)
            self.assertIn(customer.partner_id.name, text, "each record gets its own statement")
            others = self.customers - customer
            self.assertFalse([name for name in others.partner_id.mapped("name") if name in text])
            self.assertIn(self.company.name, text, "the letterhead is there")
            self.assertIn("Statement of Account", text)

    def test_a_record_listed_twice_is_rendered_once_together(self):
        """Two jobs of a batch can share an invoice: Odoo would render such a list as one unsplittable document."""
        parts = self._render(self.customers + self.customers[:1], 1)
        self.assertEqual(len(self.calls), 1, "still one process")
        self.assertEqual(set(parts), set(self.customers.ids))

    def test_no_wait_for_scripts(self):
        """Odoo waits a second (``report.print_delay``) per call for scripts; the documents have none."""
        self._render(self.customers, 1)
        self._render(self.customers[:1], 1)
        self.assertEqual(self.delays, ["0", "0"], "three statements together, then one alone, without waiting")

    def test_documents_of_several_pages_split_by_marker(self):
        """A document longer than a page keeps all its pages; the documents are converted by two processes."""
        report = self.env["ir.actions.report"].with_context(debtor_join_bodies=True)
        head = '<!DOCTYPE html><html><head><meta charset="utf-8"/></head><body class="o_body_pdf">'
        long_rows = "".join(f"<p>Line {number}</p>" for number in range(150))
        bodies = [f"{head}<h2>Document {index}</h2>{long_rows if index in (3, 11) else ''}</body></html>"
                  for index in range(20)]
        self.env["ir.config_parameter"].sudo().set_param("debtor_followup.pdf_processes", 2)
        content = report._run_wkhtmltopdf(bodies, report_ref="debtor_followup.action_report_debtor_statement")
        self.assertEqual([len(files) for files in self.calls], [1, 1], "two processes of one document each")
        reader = pdf.PdfFileReader(io.BytesIO(content), strict=False)
        root = reader.trailer["/Root"]
        node, starts = root["/Outlines"]["/First"], []
        while True:
            starts.append(root["/Dests"][node["/Dest"]][0])
            if "/Next" not in node:
                break
            node = node["/Next"]
        self.assertEqual(len(starts), 20, "one outline entry per document, as Odoo splits by")
        self.assertEqual(starts[0], 0)
        texts = [" ".join(page.extract_text().split()) for page in reader.pages]
        for index, start in enumerate(starts):
            self.assertIn(f"Document {index}", texts[start], "each entry at the first page of its document")
            end = starts[index + 1] if index + 1 < len(starts) else len(texts)
            self.assertEqual(end - start > 1, index in (3, 11), "the long documents keep all their pages")
