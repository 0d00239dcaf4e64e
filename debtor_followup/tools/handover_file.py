"""The file a debt is handed over to a collection agency with: XML (format 1) or CSV.

The XML format is defined by ``data/xsd/debtor_handover.xsd`` (namespace
``urn:debtor-followup:handover:1``; the top of that file gives an overview and
the README describes it element by element). :func:`build_xml` builds the
document with lxml element by element (lxml escapes ``&``, ``<`` and ``>`` in
text and attributes) and validates it against the XSD before returning it, so
a file that leaves this module always matches the schema. :func:`build_csv`
gives the same content as one row per invoice.

Both take the plain Python values described in :func:`build_xml`; nothing in
here imports Odoo, so the module can be used and tested on its own.
"""

import csv
import io
import re
from decimal import ROUND_HALF_UP
from decimal import Decimal

from lxml import etree

from . import safe_xml

__all__ = [
    "CSV_COLUMNS",
    "NAMESPACE",
    "XSD_PATH",
    "HandoverFileError",
    "build_csv",
    "build_xml",
    "totals",
    "validate_xml",
]

NAMESPACE = "urn:debtor-followup:handover:1"
XSD_PATH = safe_xml.xsd_path("debtor_handover.xsd")
IDENTIFIER_ELEMENTS = {"vat": "vat", "registry": "registryNumber", "lei": "lei"}
CSV_COLUMNS = [
    "handover_reference", "handover_date", "agency", "agency_reference", "creditor_name", "creditor_vat",
    "debtor_name", "debtor_kind", "debtor_vat", "debtor_registry_number", "debtor_lei", "debtor_street",
    "debtor_street2", "debtor_postal_code", "debtor_city", "debtor_country", "debtor_email", "debtor_phone",
    "invoice_number", "invoice_date", "due_date", "currency", "original_amount", "principal", "interest", "costs",
    "total", "follow_up_level", "reminder_count", "last_reminder_date", "final_notice_date",
]

# Characters XML 1.0 cannot carry at all (lxml refuses them): control characters but tab, LF and CR.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A spreadsheet reads a cell starting with one of these as a formula ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE_RE = re.compile(r"^[+-]?[\d\s().,/-]+$")  # "+32 2 555 12 12": a phone number, not a formula


class HandoverFileError(ValueError):
    """The handover file could not be built: ``errors`` lists the schema's complaints (English)."""

    def __init__(self, message, errors=()):
        self.errors = list(errors)
        if self.errors:
            message = "\n".join([message, *self.errors])
        super().__init__(message)


_SCHEMA = safe_xml.Schema(XSD_PATH)


def _clean(value):
    """Text as XML can carry it: control characters dropped, surrounding whitespace stripped; None when empty."""
    if value is None or value is False:
        return None
    text = _NOT_XML_RE.sub("", str(value)).strip()
    return text or None


def amount(value, decimals=2):
    """``value`` rounded half up to ``decimals`` places, as a ``Decimal``."""
    return Decimal(repr(float(value or 0.0))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def totals(data):
    """The totals of ``data``'s invoices: ``{"principal", "interest", "costs", "total"}`` as ``Decimal``."""
    decimals = data.get("decimals", 2)
    result = {key: Decimal(0).quantize(Decimal(1).scaleb(-decimals)) for key in ("principal", "interest", "costs")}
    for invoice in data["invoices"]:
        for key in result:
            result[key] += amount(invoice[key], decimals)
    result["total"] = result["principal"] + result["interest"] + result["costs"]
    return result


def _sub(parent, tag, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    for name, value in attributes.items():
        value = _clean(value)
        if value is not None:
            element.set(name, value)
    if text is not None:
        element.text = str(text)
    return element


def _optional(parent, tag, value):
    value = _clean(value)
    if value is not None:
        _sub(parent, tag, value)


def _address(parent, party):
    address = _sub(parent, "address")
    _optional(address, "street", party.get("street"))
    _optional(address, "street2", party.get("street2"))
    _optional(address, "postalCode", party.get("zip"))
    _optional(address, "city", party.get("city"))
    _optional(address, "country", party.get("country"))


def validate_xml(content):
    """Check ``content`` (bytes) against the handover schema, parsed safely.

    :raise HandoverFileError: when it is not well-formed or does not match the schema, with every problem
    """
    try:
        tree = etree.fromstring(content, parser=safe_xml.safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise HandoverFileError("The handover file is not well-formed XML.", [str(exc)])
    errors = [f"line {line or 0}: {text}" for line, text in _SCHEMA.errors(tree)]
    if errors:
        raise HandoverFileError("The handover file does not match the handover schema.", errors)


def build_xml(data):
    """Build the XML handover file of ``data`` and validate it against the XSD.

    ``data`` holds plain values (dates are ``datetime.date``, amounts floats or Decimals)::

        {
            "reference": "HND/2026/0001", "date": date, "currency": "EUR", "decimals": 2,
            "agency": {"name": str, "reference": str | None},
            "creditor": {"name", "vat", "registry", "street", "street2", "zip", "city", "country", "email",
                         "phone"},
            "debtor": {"name", "kind": "company" | "person",
                       "identifiers": [{"kind": "vat" | "registry" | "lei", "value": str,
                                        "status": "valid" | "unchecked", "scheme": str | None}],
                       "street", "street2", "zip", "city", "country", "email", "phone"},
            "invoices": [{"number", "invoice_date", "due_date", "original", "principal", "interest", "costs",
                          "level": str | None}],
            "reminders": [{"date", "level", "final_notice": bool, "channels": ["email", "letter"],
                           "invoices": [invoice number, ...]}],
        }

    Missing optional values (None, False, "") leave their element out.

    :return: the document as UTF-8 bytes with an XML declaration
    :raise HandoverFileError: when the document does not match the schema (e.g. a value too long)
    """
    decimals = data.get("decimals", 2)
    root = etree.Element(f"{{{NAMESPACE}}}collectionHandover", nsmap={None: NAMESPACE}, version="1")
    _sub(root, "reference", _clean(data["reference"]))
    _sub(root, "handoverDate", data["date"].isoformat())
    _sub(root, "currency", data["currency"])

    agency = _sub(root, "agency")
    _sub(agency, "name", _clean(data["agency"]["name"]))
    _optional(agency, "caseReference", data["agency"].get("reference"))

    creditor_data = data["creditor"]
    creditor = _sub(root, "creditor")
    _sub(creditor, "name", _clean(creditor_data["name"]))
    _optional(creditor, "vat", creditor_data.get("vat"))
    _optional(creditor, "registryNumber", creditor_data.get("registry"))
    _address(creditor, creditor_data)
    _optional(creditor, "email", creditor_data.get("email"))
    _optional(creditor, "phone", creditor_data.get("phone"))

    debtor_data = data["debtor"]
    debtor = _sub(root, "debtor")
    _sub(debtor, "name", _clean(debtor_data["name"]))
    _sub(debtor, "kind", debtor_data["kind"])
    found = {item["kind"]: item for item in debtor_data.get("identifiers") or []}
    if found:
        identifiers = _sub(debtor, "identifiers")
        for kind, tag in IDENTIFIER_ELEMENTS.items():  # the schema's order
            if kind in found:
                item = found[kind]
                _sub(identifiers, tag, _clean(item["value"]), status=item["status"], scheme=item.get("scheme"))
    _address(debtor, debtor_data)
    _optional(debtor, "email", debtor_data.get("email"))
    _optional(debtor, "phone", debtor_data.get("phone"))

    invoices = _sub(root, "invoices")
    for invoice_data in data["invoices"]:
        invoice = _sub(invoices, "invoice")
        _sub(invoice, "number", _clean(invoice_data["number"]))
        _sub(invoice, "invoiceDate", invoice_data["invoice_date"].isoformat())
        _sub(invoice, "dueDate", invoice_data["due_date"].isoformat())
        figures = {key: amount(invoice_data[key], decimals) for key in ("original", "principal", "interest", "costs")}
        _sub(invoice, "originalAmount", figures["original"])
        _sub(invoice, "principal", figures["principal"])
        _sub(invoice, "interest", figures["interest"])
        _sub(invoice, "costs", figures["costs"])
        _sub(invoice, "total", figures["principal"] + figures["interest"] + figures["costs"])
        _optional(invoice, "followUpLevel", invoice_data.get("level"))

    summed = totals(data)
    totals_element = _sub(root, "totals")
    for key in ("principal", "interest", "costs", "total"):
        _sub(totals_element, key, summed[key])

    history = _sub(root, "reminderHistory")
    for reminder_data in data.get("reminders") or []:
        reminder = _sub(history, "reminder")
        _sub(reminder, "date", reminder_data["date"].isoformat())
        _sub(reminder, "level", _clean(reminder_data["level"]))
        _sub(reminder, "finalNotice", "true" if reminder_data.get("final_notice") else "false")
        for channel in reminder_data["channels"]:
            _sub(reminder, "channel", channel)
        for number in reminder_data["invoices"]:
            _sub(reminder, "invoiceNumber", _clean(number))

    content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate_xml(content)
    return content


def _cell(value):
    """A text cell that a spreadsheet will not run as a formula."""
    text = _clean(value) or ""
    if text.startswith(_FORMULA_START) and not _NUMBER_LIKE_RE.match(text):
        return "'" + text
    return text


def build_csv(data):
    """The CSV handover file of ``data`` (see :func:`build_xml`): a header row (:data:`CSV_COLUMNS`) and one row
    per invoice repeating the handover, creditor and debtor columns; comma separated, UTF-8, amounts with a
    decimal point and ``decimals`` places, dates as YYYY-MM-DD. Text starting like a formula gets a leading
    apostrophe.

    :return: bytes
    """
    decimals = data.get("decimals", 2)
    debtor = data["debtor"]
    found = {item["kind"]: item["value"] for item in debtor.get("identifiers") or []}
    reminders = data.get("reminders") or []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for invoice in data["invoices"]:
        mine = [r for r in reminders if invoice["number"] in r["invoices"]]
        finals = [r["date"] for r in mine if r.get("final_notice")]
        figures = {key: amount(invoice[key], decimals) for key in ("original", "principal", "interest", "costs")}
        writer.writerow([
            _cell(data["reference"]), data["date"].isoformat(), _cell(data["agency"]["name"]),
            _cell(data["agency"].get("reference")), _cell(data["creditor"]["name"]),
            _cell(data["creditor"].get("vat")),
            _cell(debtor["name"]), debtor["kind"], _cell(found.get("vat")), _cell(found.get("registry")),
            _cell(found.get("lei")), _cell(debtor.get("street")), _cell(debtor.get("street2")),
            _cell(debtor.get("zip")), _cell(debtor.get("city")), _cell(debtor.get("country")),
            _cell(debtor.get("email")), _cell(debtor.get("phone")),
            _cell(invoice["number"]), invoice["invoice_date"].isoformat(), invoice["due_date"].isoformat(),
            data["currency"], figures["original"], figures["principal"], figures["interest"], figures["costs"],
            figures["principal"] + figures["interest"] + figures["costs"], _cell(invoice.get("level")),
            len(mine), max(r["date"] for r in mine).isoformat() if mine else "",
            max(finals).isoformat() if finals else "",
        ])
    return buffer.getvalue().encode("utf-8")
