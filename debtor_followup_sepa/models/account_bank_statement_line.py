import re

from stdnum import iso11649

from odoo import fields
from odoo import models

# ISO 11649 structured creditor references, compact or printed in groups of four (validated by rf_references)
RF_REFERENCE = re.compile(r"\bRF\d{2}(?: ?(?!RF\d\d)[0-9A-Z]{1,4}){1,6}\b")
TOKEN_SEPARATORS = re.compile(r"[\s,;]+")


def rf_references(text):
    """The valid ISO 11649 references in ``text``, compact; a printed one followed by a short word ("... 001 THX")
    is cut back to its valid prefix.

    :rtype: set
    """
    found = set()
    for match in RF_REFERENCE.findall(text.upper()):
        groups = match.split(" ")
        while groups:
            candidate = "".join(groups)
            if iso11649.is_valid(candidate):
                found.add(candidate)
                break
            groups.pop()
    return found


class AccountBankStatementLine(models.Model):
    """Incoming bank statement lines matched with what the customers owe, through OCA's reconciliation.

    The bank's booking of a direct debit of an installment (it quotes the installment's RF reference, the
    end-to-end identification of the pain.008 transaction) is matched with that payment's outstanding (in-transit)
    entry, never with the invoices again; a negative line quoting it is the bank returning the debit, recorded as
    such (``account.payment._debtor_sdd_return``) and matched with the return's in-transit entry. Any other imported
    line (``account.statement.import``) that quotes an invoice (its number or payment reference), a
    payment plan installment's RF reference or a payment plan's number pays those items, earliest due first. A line
    of a known customer that quotes nothing we know is booked on the customer's receivable account as an unapplied
    payment, a credit the debtor file shows and sets off the way ``debtor.customer._debtor_items_query`` defines.
    """

    _inherit = "account.bank.statement.line"

    def _debtor_reconcile(self):
        """Reconcile these statement lines with the customers' open items (see the class docstring), then settle
        the promises to pay and refresh the debtor files of the customers paid.

        :return: the lines reconciled
        """
        lines = self.filtered(lambda line: not line.is_reconciled and line.amount)
        for line in lines:
            debits = line._debtor_direct_debits()
            if debits:
                line._debtor_reconcile_direct_debit(debits)
                continue
            if line.amount < 0:
                continue
            items = line._debtor_matching_items()
            partner = items.partner_id.commercial_partner_id[:1] or line.partner_id.commercial_partner_id
            if not partner:
                continue
            if line.partner_id.commercial_partner_id != partner:
                line.partner_id = partner
            line._debtor_reconcile_with(items)
        # also those OCA's own auto-reconciliation matched when the lines were created
        done = self.filtered("is_reconciled")
        if done:
            today = fields.Date.context_today(self)
            # as the superuser: whoever imports statements (an accountant) need not be a credit controller
            for company in done.company_id:
                self.env["debtor.promise"].sudo()._check_open_promises(company, today)
            self.env["debtor.customer"].sudo()._refresh_for(done)
        return done

    def _debtor_text(self):
        return " ".join(filter(None, [self.payment_ref, self.ref, self.narration and str(self.narration)]))

    def _debtor_direct_debits(self):
        """The direct-debit payments of installments (sent to the bank, not returned) this line quotes by their RF
        reference and amount: what the bank collected (positive line) or returns (negative line).

        :return: ``account.payment`` records
        """
        self.ensure_one()
        references = rf_references(self._debtor_text())
        if not references:
            return self.env["account.payment"]
        payments = self.env["account.payment"].sudo().search([
            ("company_id", "=", self.company_id.id), ("state", "in", ("in_process", "paid")),
            ("payment_line_ids.debtor_installment_id.reference", "in", list(references))])
        payments = payments.filtered(lambda payment: not payment.debtor_returned)
        currency = self.company_id.currency_id
        if currency.compare_amounts(sum(payments.mapped("amount_signed")), abs(self.amount)) != 0:
            return self.env["account.payment"]
        return payments.sudo(False)

    def _debtor_reconcile_direct_debit(self, payments):
        """Match this line with the outstanding entries of the direct debits ``payments``: their collection, or, on
        a negative line, their return (recorded first, the line's text as the reason)."""
        self.ensure_one()
        if self.amount < 0:
            payments._debtor_sdd_return(reason=(self.payment_ref or "").strip()[:64] or None, return_date=self.date)
            moves = payments.move_id.reversal_move_ids.filtered(lambda move: move.state == "posted")
        else:
            moves = payments.move_id
        accounts = payments.outstanding_account_id
        items = moves.line_ids.filtered(lambda line: line.account_id in accounts and not line.reconciled)
        if self.partner_id.commercial_partner_id != payments.partner_id.commercial_partner_id[:1]:
            self.partner_id = payments.partner_id.commercial_partner_id[:1]
        return self._debtor_reconcile_with(items)

    def _debtor_matching_items(self):
        """The open receivable items this line's references point to, earliest due first: the items of the invoices
        it quotes (number or payment reference), and those of the invoices of the payment plans whose installment
        reference (RF...) or number it quotes.

        :return: ``account.move.line`` records (one customer's; none when the references name several customers)
        """
        self.ensure_one()
        text = self._debtor_text()
        if not text:
            return self.env["account.move.line"]
        tokens = {token for token in TOKEN_SEPARATORS.split(text) if len(token) >= 3}
        references = rf_references(text)
        plans = self.env["debtor.payment.plan"].sudo().search([
            ("company_id", "=", self.company_id.id), ("state", "in", ("active", "broken", "completed")),
            "|", ("name", "in", list(tokens)), ("line_ids.reference", "in", list(references))])
        moves = self.env["account.move"].search([
            ("company_id", "=", self.company_id.id), ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_receipt")),
            "|", ("name", "in", list(tokens)), ("payment_reference", "in", list(tokens))])
        items = (moves | plans.move_ids.sudo(False)).line_ids.filtered(
            lambda item: item.account_type == "asset_receivable" and not item.reconciled
            and item.amount_residual > 0)
        if len(items.partner_id.commercial_partner_id) > 1:
            return self.env["account.move.line"]
        return items.sorted(lambda item: (item.date_maturity or item.date, item.id))

    def _debtor_reconcile_with(self, items):
        """Reconcile this line with ``items`` up to its amount, earliest first, through OCA's reconciliation data;
        what is left over goes to the customer's receivable account as an unapplied payment.

        :return: whether the line was reconciled
        """
        self.ensure_one()
        liquidity_lines, _suspense_lines, _other_lines = self._seek_for_lines()
        data = []
        auxiliary_id = 1
        for liquidity in liquidity_lines:
            auxiliary_id, vals = self._get_reconcile_line(
                liquidity, "liquidity", reconcile_auxiliary_id=auxiliary_id, move=True)
            data += vals
        sign = 1 if self.amount > 0 else -1
        remaining = abs(self.amount)
        currency = self.company_id.currency_id
        for item in items:
            if currency.compare_amounts(remaining, 0.0) <= 0:
                break
            auxiliary_id, vals = self._get_reconcile_line(
                item, "other", is_counterpart=True, max_amount=sign * remaining,
                reconcile_auxiliary_id=auxiliary_id, move=True)
            data += vals
            remaining = currency.round(remaining - min(abs(item.amount_residual), remaining))
        self.reconcile_data_info = self._recompute_suspense_line(data, auxiliary_id, self.manual_reference)
        if not self.reconcile_data_info.get("can_reconcile"):
            return False
        self.reconcile_bank_line()
        return True
