"""The one safe XML parser (``tools/safe_xml.py``) behind the credit report import and the handover file."""

from lxml import etree

from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools import credit_report
from ..tools import handover_file
from ..tools import safe_xml

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<r>&x;</r>
"""


@tagged("post_install", "-at_install")
class TestSafeXml(BaseCase):

    def test_parser_reads_no_entity_and_no_dtd(self):
        tree = etree.fromstring(EXTERNAL_ENTITY, parser=safe_xml.safe_parser()).getroottree()
        self.assertNotIn("root:", etree.tostring(tree, encoding="unicode"), "the file was not read")
        self.assertEqual(safe_xml.tree_refusal(tree), "doctype")
        self.assertEqual(safe_xml.doctype_line(EXTERNAL_ENTITY), 2)
        utf16 = EXTERNAL_ENTITY.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"').decode()
        self.assertEqual(safe_xml.doctype_line(utf16.encode("utf-16")), 2, "the byte scan sees UTF-16 too")
        self.assertIsNone(safe_xml.doctype_line(b"<r/>"))
        self.assertIsNone(safe_xml.tree_refusal(etree.fromstring(b"<r/>", parser=safe_xml.safe_parser())
                                                .getroottree()))

    def test_both_formats_share_it(self):
        # one schema object per XSD, loaded once
        self.assertIsInstance(credit_report._SCHEMA, safe_xml.Schema)
        self.assertIsInstance(handover_file._SCHEMA, safe_xml.Schema)
        with self.assertRaises(credit_report.CreditReportError) as caught:
            credit_report.parse_credit_report(EXTERNAL_ENTITY)
        self.assertIn("DOCTYPE declarations are not allowed", str(caught.exception))
        self.assertIn("line 2: DOCTYPE declaration found", str(caught.exception))
        with self.assertRaises(handover_file.HandoverFileError) as caught:
            handover_file.validate_xml(EXTERNAL_ENTITY)
        self.assertIn("does not match the handover schema", str(caught.exception))
        self.assertNotIn("root:", str(caught.exception))
