from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL


class DebtorCustomerDocuments(models.Model):
    """The invoices' PDFs the reminders attach, made once in an invoice's life and kept as Odoo's own invoice PDF;
    those the next reminders will need are made ahead, during the day, so that the nightly run finds them."""

    _inherit = "debtor.customer"

    # Invoices rendered per call of the preparing cron (one wkhtmltopdf rendering, see ir.actions.report).
    _PREPARE_CHUNK = 100

    @api.model
    def _keep_invoice_pdfs(self, moves):
        """Render the PDF of each of these posted invoices that has none, in one rendering per company, and keep it
        as Odoo's own invoice PDF (``invoice_pdf_report_id``, what Odoo's send flow makes), so that every later
        reminder, and Odoo itself, reuses it."""
        missing = moves.filtered(lambda move: move.is_invoice() and move.state == "posted"
                                 and not move.invoice_pdf_report_id)
        missing = missing.browse(list(dict.fromkeys(missing.ids)))  # a batch's jobs can share an invoice
        for company, company_moves in missing.grouped("company_id").items():
            contents = self.env["ir.actions.report"].with_company(company)._debtor_render_split(
                "account.account_invoices", company_moves)
            created = self.env["ir.attachment"].sudo().create([{
                "name": move._get_invoice_report_filename(),
                "raw": contents[move.id],
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": move.id,
                "res_field": "invoice_pdf_report_file",  # what Odoo's send flow does: it becomes the invoice's PDF
            } for move in company_moves])
            for move, attachment in zip(company_moves, created, strict=True):
                move.sudo().message_main_attachment_id = attachment
            company_moves.invalidate_recordset(["invoice_pdf_report_id", "invoice_pdf_report_file"])
        return missing

    @api.model
    def _invoices_to_prepare(self, company, until):
        """The posted invoices without a PDF that the reminders due by ``until`` will attach: the open overdue
        invoices of the customers whose next automatic action, by then, is a level that attaches invoices."""
        files = self.sudo().search_fetch([
            ("company_id", "=", company.id),
            ("next_action_date", "<=", until),
            ("reminder_mode", "=", "auto"),
            ("due_level_id.attach_invoices", "=", True),
            ("due_level_id.invoice_links", "=", False),  # a level linking its invoices attaches none
            ("due_level_id.auto_execute", "=", True),
        ], ["partner_id"])
        if not files:
            return self.env["account.move"]
        lines = self.env["account.move.line"].sudo().search_fetch(
            self._open_lines_domain(company, files.partner_id)
            + [("amount_residual", ">", 0), ("date_maturity", "<", until),
               ("move_id.move_type", "in", self.env["account.move"].get_invoice_types())],
            ["move_id"])
        moves = lines.move_id
        if not moves:
            return moves
        # those with Odoo's invoice PDF, in one query (the cron asks again at each call: no per-invoice reads)
        self.env["ir.attachment"].flush_model(["res_model", "res_field", "res_id"])
        self.env.cr.execute(SQL(
            """SELECT res_id FROM ir_attachment
                WHERE res_model = 'account.move' AND res_field = 'invoice_pdf_report_file' AND res_id = ANY(%s)""",
            moves.ids))
        kept = {row[0] for row in self.env.cr.fetchall()}
        return moves.browse([move_id for move_id in moves.ids if move_id not in kept])

    @api.model
    def _cron_prepare_invoice_pdfs(self, days=1):
        """Make, ahead of the nightly run, the PDFs of the invoices the reminders of the next ``days`` days will
        attach, a chunk per commit: on a first night (a new installation, a migration) the run would otherwise
        render thousands of them. Invoices whose PDF Odoo already made (sent invoices) are left alone."""
        until = fields.Date.context_today(self) + timedelta(days=days)
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        Run = self.env["debtor.followup.run"].sudo()
        for company in self.env["res.company"].search([("active", "=", True)]):
            if Run.search_count([("company_id", "=", company.id), ("state", "=", "running")], limit=1):
                continue  # the run renders what it needs itself: two renderings of one invoice would make two PDFs
            todo = self._invoices_to_prepare(company, until)
            while todo:
                chunk, todo = todo[:self._PREPARE_CHUNK], todo[self._PREPARE_CHUNK:]
                self._keep_invoice_pdfs(chunk)
                if in_cron and self.env["ir.cron"]._commit_progress(len(chunk), remaining=len(todo)) <= 0:
                    return
