from lxml import etree

from odoo import models
from odoo.addons.debtor_followup.tools import safe_xml
from odoo.exceptions import UserError


class AccountStatementImportCamtParser(models.AbstractModel):
    """Bank statements are read as safely as every other XML the debtor follow-up reads.

    OCA's CAMT parser reads the file with lxml's defaults (``recover=True``, entities resolved): a file with a
    DOCTYPE could make it read local files or expand without limit. A bank never sends one, so such a file is
    refused before OCA parses it, with a message, and nothing is imported.
    """

    _inherit = "account.statement.import.camt.parser"

    def parse(self, data):
        refused = safe_xml.doctype_line(data) is not None
        if not refused:
            try:
                refused = safe_xml.tree_refusal(etree.fromstring(data, parser=safe_xml.safe_parser()).getroottree())
            except etree.XMLSyntaxError:
                refused = False  # not our call: OCA's parser says what is wrong with it (or another format reads it)
        if refused:
            raise UserError(self.env._(
                "This bank statement declares a DOCTYPE or entities, which no bank statement needs: it is refused "
                "and nothing was imported."))
        return super().parse(data)
