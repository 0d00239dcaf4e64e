from odoo import models


class AccountStatementImport(models.TransientModel):
    """Reconcile the lines of imported bank statements with the customers' open items at once, so that what was
    paid leaves the follow-up the same day."""

    _inherit = "account.statement.import"

    def _import_file(self):
        result = super()._import_file()
        statements = self.env["account.bank.statement"].browse(result["statement_ids"])
        statements.line_ids._debtor_reconcile()
        return result
