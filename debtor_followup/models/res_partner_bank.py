import re

from odoo import api
from odoo import fields
from odoo import models

from ..tools import identifiers
from .res_partner import IDENTIFIER_STATES

# What an IBAN starts with: a country code and two check digits (spaces and separators removed).
IBAN_START_RE = re.compile(r"^[A-Z]{2}[0-9]{2}")


class ResPartnerBank(models.Model):
    """The IBAN check of a customer's bank account (python-stdnum, through ``tools/identifiers.py``)."""

    _inherit = "res.partner.bank"

    debtor_iban_state = fields.Selection(selection=IDENTIFIER_STATES, string="IBAN Check",
                                         compute="_compute_debtor_iban")
    debtor_iban_info = fields.Char(string="IBAN", compute="_compute_debtor_iban",
                                   help="The IBAN in its standard form when valid, else why it is not.")

    @api.depends("acc_number")
    def _compute_debtor_iban(self):
        for bank in self:
            result = bank._debtor_iban_result() if bank.acc_number else None
            bank.debtor_iban_state = result.state if result else False
            bank.debtor_iban_info = (result.formatted if result.valid else result.reason) if result else False

    def _debtor_iban_result(self):
        """Check the account number as an IBAN; a number that does not start like one (two letters, two digits) is
        a national account number and comes out unchecked.

        :return: an ``identifiers.IdentifierResult``
        """
        self.ensure_one()
        compact = re.sub(r"[\s.\-/]+", "", self.acc_number or "").upper()
        if not IBAN_START_RE.match(compact):
            return identifiers.IdentifierResult(None, compact, self.acc_number or "",
                                                "not an IBAN (national account number): not checked", kind="iban")
        return identifiers.check_iban(self.acc_number)
