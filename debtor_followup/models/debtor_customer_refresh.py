from odoo import fields
from odoo import models


class DebtorCustomerRefresh(models.Model):
    """A customer whose debtor file Odoo's own flows changed, waiting for its refresh.

    Posting, reconciling and registering payments only note the customer here, when their transaction commits (one
    insert); the files are refreshed set-based after it: by the *refresh debtor files* cron, woken at once, or
    sooner by the first transaction that reads the files' figures (see ``debtor.customer._debtor_process_queue``).
    Only the system writes these rows.
    """

    _name = "debtor.customer.refresh"
    _description = "Debtor File Waiting for its Refresh"
    _log_access = False

    company_id = fields.Many2one(comodel_name="res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one(comodel_name="res.partner", required=True, ondelete="cascade")

    _unique_customer = models.Constraint(
        "UNIQUE(company_id, partner_id)", "A customer waits for the refresh of its debtor file once per company.")
