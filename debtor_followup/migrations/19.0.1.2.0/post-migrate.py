from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    """19.0.1.2.0 keeps each customer's usual payment delay on its debtor file: figure it for every company now
    rather than at the next nightly run, so that the cash-in forecast does not expect every item on its due date
    until then (two queries per company).

    The index on open items that 19.0.1.1.0 created is dropped: the reports now read the open receivable items through
    Odoo's own index of unreconciled items, and every journal item paid for keeping ours.
    """
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS account_move_line_debtor_open_company_idx")
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].with_context(active_test=False).search([]):
        env["debtor.customer"]._refresh_usual_delays(company)
