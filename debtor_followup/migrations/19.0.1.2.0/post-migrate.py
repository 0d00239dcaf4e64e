from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    """19.0.1.2.0 keeps each customer's usual payment delay on its debtor file: figure it for every company now
    rather than at the next nightly run, so that the cash-in forecast does not expect every item on its due date
    until then (one query per company).

    The index on open items that 19.0.1.1.0 created is dropped: the reports now read the open receivable items through
    Odoo's own index of unreconciled items, and every journal item paid for keeping ours.
    """
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS account_move_line_debtor_open_company_idx")
    env = api.Environment(cr, SUPERUSER_ID, {})
    Customer = env["debtor.customer"].with_context(active_test=False)
    for company in env["res.company"].search([]):
        delays = Customer._usual_delays(company)
        customers = Customer.search_fetch([("company_id", "=", company.id)], ["partner_id"])
        Customer._bulk_write({"usual_delay_days": "int4"},
                             [[customer.id, delays.get(customer.partner_id.id, 0)] for customer in customers])
