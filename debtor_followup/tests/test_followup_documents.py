from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import sql_db
from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.base.models.ir_qweb import IrQweb
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupDocuments(DebtorFollowupCommon):
    """A batch's documents are rendered together (one wkhtmltopdf call per kind), and an invoice's PDF once in its
    life, kept as Odoo's own invoice PDF."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payers, cls.invoices = cls._overdue_customers(3, "Docs")
        cls.level_final.print_letter = True

    def _count_renders(self):
        calls = []
        original = IrActionsReport._pre_render_qweb_pdf

        def counting(report, report_ref, res_ids=None, data=None):
            calls.append((report_ref, tuple(res_ids or ())))
            return original(report, report_ref, res_ids=res_ids, data=data)

        return calls, patch.object(IrActionsReport, "_pre_render_qweb_pdf", counting)

    def _items(self, level):
        self.env["debtor.customer"]._refresh(self.company, self.payers)
        return [(self._debtor(partner), level, self._receivable(self.invoices.filtered(
            lambda move, partner=partner: move.partner_id == partner))) for partner in self.payers]

    def test_statements_and_invoices_rendered_once_per_batch_and_kept(self):
        calls, patcher = self._count_renders()
        with freeze_time("2026-01-08"), patcher:
            self.assertFalse(self.invoices.invoice_pdf_report_id)
            actions = self.env["debtor.customer"]._execute_levels(self._items(self.level_1))
            self.assertEqual(set(actions.mapped("state")), {"done"})
            self.assertEqual(sorted(ref for ref, _ids in calls),
                             ["account.account_invoices", "debtor_followup.action_report_debtor_statement"],
                             "one rendering for the three statements, one for the three invoices")
            for action, invoice in zip(actions, self.invoices, strict=True):
                mail = self._mails(action)
                self.assertEqual(len(mail.attachment_ids), 2, "its own statement and its own invoice")
                self.assertIn(action.partner_id.name, "".join(mail.attachment_ids.mapped("name")))
                pdf = mail.attachment_ids.filtered(lambda attachment: attachment.res_model == "account.move")
                self.assertEqual(pdf.res_id, invoice.id)
                self.assertEqual(pdf.raw, invoice.invoice_pdf_report_id.raw, "a copy of the invoice's own PDF")
                self.assertIn(invoice.name.encode(), pdf.raw, "the invoice's own document, not another's")
            self.assertEqual(len(self.invoices.invoice_pdf_report_id), 3, "kept as Odoo's invoice PDF")
        calls.clear()
        with freeze_time("2026-01-22"), patcher:
            self.env["debtor.customer"]._execute_levels(self._items(self.level_2))
            self.assertEqual([ref for ref, _ids in calls], ["debtor_followup.action_report_debtor_statement"],
                             "the invoices' PDFs are not rendered again")

    def test_statements_of_a_batch_read_their_items_together(self):
        """The items tables of a batch's statements are read at once: one items query for all the statements."""
        Customer = self.env["debtor.customer"]
        with freeze_time("2026-01-08"):
            Customer._refresh(self.company, self.payers)
            files = Customer.concat(*(self._debtor(partner) for partner in self.payers))
            self.env.invalidate_all()
            queries = []
            original = sql_db.Cursor.execute

            def execute(cursor, query, params=None, log_exceptions=True):
                queries.append(str(getattr(query, "code", query)))
                return original(cursor, query, params, log_exceptions)

            with patch.object(sql_db.Cursor, "execute", execute):
                attachments = files._statement_attachments()
        self.assertEqual(len(attachments), 3)
        items_queries = [query for query in queries if "amount_open_currency" in query]
        self.assertEqual(len(items_queries), 1, "the three statements' items read in one query")

    def test_letters_rendered_together(self):
        calls, patcher = self._count_renders()
        self.level_final.write({"attach_statement": False, "attach_invoices": False})
        with freeze_time("2026-02-05"), patcher:
            actions = self.env["debtor.customer"]._execute_levels(self._items(self.level_final))
            self.assertEqual([ref for ref, _ids in calls], ["debtor_followup.action_report_debtor_letter"])
            self.assertEqual(len(calls[0][1]), 3)
            for action in actions:
                self.assertEqual(action.letter_attachment_id.res_id, action.id)
                self.assertIn(action.partner_id.name.encode(), action.letter_attachment_id.raw)

    def test_a_document_that_fails_fails_its_customer_only(self):
        original = IrActionsReport._pre_render_qweb_pdf
        broken = self.invoices[1]

        def failing(report, report_ref, res_ids=None, data=None):
            if report_ref == "account.account_invoices" and broken.id in (res_ids or ()):
                raise ValueError("wkhtmltopdf crashed")
            return original(report, report_ref, res_ids=res_ids, data=data)

        with freeze_time("2026-01-08"), patch.object(IrActionsReport, "_pre_render_qweb_pdf", failing):
            actions = self.env["debtor.customer"]._execute_levels(self._items(self.level_1))
        self.assertEqual(actions.mapped("state"), ["done", "failed", "done"])
        self.assertIn("wkhtmltopdf crashed", actions[1].error)
        self.assertEqual(len(self._mails(actions[0]).attachment_ids), 2)
        self.assertFalse(self._mails(actions[1]), "nothing is sent without its documents")

    def test_reminders_of_a_batch_compiled_once(self):
        compiled = []
        original = IrQweb._generate_code_uncached

        def counting(qweb, template):
            if not isinstance(template, (int, str)):  # an inline body, not a view (views are compiled once, cached)
                compiled.append(template)
            return original(qweb, template)

        Customer = self.env["debtor.customer"]
        with freeze_time("2026-01-08"):
            items = [(customer, lines) for customer, _level, lines in self._items(self.level_1)]
            with patch.object(IrQweb, "_generate_code_uncached", counting):
                together = Customer._render_reminders(self.level_1, items)
            self.assertEqual(len(compiled), 1, "one compilation of the body for the three customers")
            one_by_one = [Customer._render_reminders(self.level_1, [item])[0] for item in items]
        for batch, single, invoice in zip(together, one_by_one, self.invoices, strict=True):
            self.assertEqual(batch["body"].strip(), single["body"].strip(), "the same email as rendered alone")
            self.assertEqual(batch["subject"], single["subject"])
            self.assertIn(invoice.name, batch["body"])

    def test_an_engine_that_converts_one_document_per_call_still_sends_everything(self):
        """Debian's wkhtmltopdf (unpatched Qt) outside the HTTP server: Odoo refuses several documents in one call."""
        original = IrActionsReport._pre_render_qweb_pdf
        calls = []

        def one_at_a_time(report, report_ref, res_ids=None, data=None):
            calls.append(len(res_ids or ()))
            if len(res_ids or ()) > 1:
                raise UserError(report.env._("Tried to convert multiple documents in wkhtmltopdf using unpatched QT"))
            return original(report, report_ref, res_ids=res_ids, data=data)

        with freeze_time("2026-01-08"), patch.object(IrActionsReport, "_pre_render_qweb_pdf", one_at_a_time):
            actions = self.env["debtor.customer"]._execute_levels(self._items(self.level_1))
        self.assertEqual(set(actions.mapped("state")), {"done"})
        self.assertEqual(calls, [3, 1, 1, 1, 3, 1, 1, 1], "the batch is tried, then each document on its own")
        for action in actions:
            self.assertEqual(len(self._mails(action).attachment_ids), 2)

    def test_invoices_linked_instead_of_attached(self):
        """A level that links the invoices: no invoice PDF rendered, each invoice's portal page in the email."""
        self.level_1.invoice_links = True
        calls, patcher = self._count_renders()
        with freeze_time("2026-01-08"), patcher:
            actions = self.env["debtor.customer"]._execute_levels(self._items(self.level_1))
        self.assertEqual([ref for ref, _ids in calls], ["debtor_followup.action_report_debtor_statement"],
                         "the statement only: the invoices are not rendered")
        self.assertFalse(self.invoices.invoice_pdf_report_id)
        for action, invoice in zip(actions, self.invoices, strict=True):
            mail = self._mails(action)
            self.assertEqual(len(mail.attachment_ids), 1, "the statement alone")
            self.assertNotIn("account.move", mail.attachment_ids.mapped("res_model"), "no invoice PDF")
            self.assertTrue(invoice.access_token)
            self.assertIn(f"/my/invoices/{invoice.id}?access_token={invoice.access_token}", mail.body_html)
            self.assertIn("View online", mail.body_html, "no payment provider: the link views the invoice")

    def test_invoice_pdfs_prepared_during_the_day_for_the_nights_reminders(self):
        Customer = self.env["debtor.customer"]
        later = self.env["res.partner"].create({"name": "Not Yet Due Ltd", "is_company": True,
                                                "email": "ap@notyetdue.example.com"})
        later_invoice = self._invoice(later, 80.0, "2025-12-20", due_date="2026-03-01")
        with freeze_time("2026-01-02"):
            Customer._refresh(self.company)
            night = self._debtor(self.payers[0]).next_action_date
        self.assertEqual(self._debtor(self.payers[0]).due_level_id, self.level_1)
        calls, patcher = self._count_renders()
        with freeze_time(night - timedelta(days=1)), patcher:
            Customer._refresh(self.company)
            self.level_1.invoice_links = True
            Customer._cron_prepare_invoice_pdfs()
            self.assertEqual(calls, [], "a level that links its invoices instead attaches none: nothing to make")
            self.level_1.invoice_links = False
            Customer._cron_prepare_invoice_pdfs()
            self.assertEqual([ref for ref, _ids in calls], ["account.account_invoices"],
                             "the three invoices of tomorrow's reminders, in one rendering")
            self.assertEqual(len(self.invoices.invoice_pdf_report_id), 3, "kept as Odoo's own invoice PDFs")
            self.assertFalse(later_invoice.invoice_pdf_report_id, "not reminded tomorrow: left alone")
            calls.clear()
            Customer._cron_prepare_invoice_pdfs()
            self.assertEqual(calls, [], "nothing left to prepare")
        with freeze_time(night), patcher:
            actions = Customer._execute_levels(self._items(self.level_1))
            self.assertEqual(set(actions.mapped("state")), {"done"})
            self.assertEqual([ref for ref, _ids in calls], ["debtor_followup.action_report_debtor_statement"],
                             "the night renders the statements only: the invoices' PDFs are there")
            for action, invoice in zip(actions, self.invoices, strict=True):
                pdf = self._mails(action).attachment_ids.filtered(lambda a: a.res_model == "account.move")
                self.assertEqual(pdf.raw, invoice.invoice_pdf_report_id.raw)
