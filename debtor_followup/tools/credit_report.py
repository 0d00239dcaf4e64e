"""Secure parsing of external credit reports (format 1).

The format is defined by ``data/xsd/credit_report.xsd`` (namespace
``urn:debtor-followup:credit-report:1``; the top of that file gives an
overview) and illustrated by ``data/samples/credit_report_*.xml``.

:func:`parse_credit_report` turns a report into plain Python values and
raises :class:`CreditReportError` (a ``ValueError``) for anything it will not
accept. It writes nothing, so a caller creates records only once it returned.

Security measures, in order:

* the input size is capped (:data:`MAX_REPORT_SIZE`);
* any document with a DOCTYPE is refused before parsing (and checked again
  after parsing, for encodings the byte scan cannot see), so external entities
  (XXE) and entity expansion bombs ("billion laughs") are never processed;
* the parser itself neither resolves entities, loads DTDs nor accesses the
  network, and keeps libxml2's limits on huge documents;
* the document is validated against the XSD (also loaded with a safe parser)
  before any value is read.

No Odoo import here: the module can be used and tested on its own.
"""

from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

from lxml import etree

from . import identifiers
from . import safe_xml

__all__ = [
    "EVENT_TYPES",
    "MAX_REPORT_SIZE",
    "NAMESPACE",
    "XSD_PATH",
    "CreditReportError",
    "matches_partner",
    "parse_credit_report",
]

NAMESPACE = "urn:debtor-followup:credit-report:1"
XSD_PATH = safe_xml.xsd_path("credit_report.xsd")
MAX_REPORT_SIZE = 1024 * 1024  # bytes; real reports are a few kilobytes
EVENT_TYPES = ("bankruptcy", "insolvency", "judgement", "payment_default", "other")

_NS = {"cr": NAMESPACE}


class CreditReportError(ValueError):
    """The credit report was refused.

    ``str(error)`` is a human readable English message listing every problem
    on its own line ("line 12: Element 'score': ..."); ``errors`` holds the
    same problems as ``(line, message)`` tuples (line may be None).
    """

    def __init__(self, message, errors=()):
        self.errors = list(errors)
        if self.errors:
            message = "\n".join([message, *(_format_error(line, text) for line, text in self.errors)])
        super().__init__(message)


def _format_error(line, text):
    return f"line {line}: {text}" if line else text


_SCHEMA = safe_xml.Schema(XSD_PATH)
_DOCTYPE_REFUSED = ("Credit report refused: DOCTYPE declarations are not allowed (they can define entities that "
                    "read local files or expand without limit).")


def _check_no_doctype_bytes(data):
    line = safe_xml.doctype_line(data)
    if line:
        raise CreditReportError(_DOCTYPE_REFUSED, [(line, "DOCTYPE declaration found")])


def _check_no_doctype_tree(tree):
    refusal = safe_xml.tree_refusal(tree)
    if refusal == "doctype":
        raise CreditReportError(_DOCTYPE_REFUSED)
    if refusal == "entity":
        raise CreditReportError("Credit report refused: entity references are not allowed.")


def _parse_xml(data):
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"credit report data must be bytes, not {type(data).__name__}")
    if len(data) > MAX_REPORT_SIZE:
        raise CreditReportError(
            f"Credit report refused: the file is too large ({len(data)} bytes, at most {MAX_REPORT_SIZE}).")
    if not data.strip():
        raise CreditReportError("Credit report refused: the file is empty.")
    _check_no_doctype_bytes(data)
    parser = safe_xml.safe_parser()
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise CreditReportError("Credit report refused: the file is not well-formed XML.",
                                safe_xml.syntax_errors(exc, parser))
    tree = root.getroottree()
    _check_no_doctype_tree(tree)
    return tree


def _validate(tree):
    errors = _SCHEMA.errors(tree)
    if errors:
        raise CreditReportError("Credit report refused: the file does not match the credit report schema.", errors)


# ---------------------------------------------------------------------------
# conversion to Python values (only on schema-valid trees)
# ---------------------------------------------------------------------------


def _find(node, path):
    return node.find(path, _NS) if node is not None else None


def _text(node, path=None):
    if path is not None:
        node = _find(node, path)
    if node is None or node.text is None:
        return None
    return " ".join(node.text.split())


def _converted(node, path, convert, error, what):
    """The text at ``path`` converted by ``convert`` (None when absent); refused as an invalid ``what`` when
    ``convert`` raises ``error``."""
    value = _text(node, path)
    if value is None:
        return None
    try:
        return convert(value)
    except error:
        raise CreditReportError(f"Credit report refused: invalid {what}.", [(_find(node, path).sourceline, value)])


def _date(node, path):
    return _converted(node, path, date.fromisoformat, ValueError, "date")


def _decimal(node, path):
    return _converted(node, path, Decimal, InvalidOperation, "number")


def _amount(node, path):
    element = _find(node, path)
    if element is None:
        return None, None
    return _decimal(node, path), element.get("currency")


def _to_dict(tree):
    root = tree.getroot()
    subject = _find(root, "cr:subject")
    ids = _find(subject, "cr:identifiers")
    registry = _find(ids, "cr:registryNumber")
    rating = _find(root, "cr:rating")
    limit, limit_currency = _amount(root, "cr:recommendedCreditLimit")
    behaviour = _find(root, "cr:paymentBehaviour")
    events = []
    for event in root.iterfind("cr:negativeEvents/cr:event", _NS):
        amount, currency = _amount(event, "cr:amount")
        events.append({
            "date": _date(event, "cr:date"),
            "type": _text(event, "cr:type"),
            "amount": amount,
            "currency": currency,
            "description": _text(event, "cr:description"),
        })
    return {
        "version": root.get("version") or "1",
        "report_id": _text(root, "cr:reportId"),
        "issue_date": _date(root, "cr:issueDate"),
        "agency": {"name": _text(root, "cr:agency/cr:name")},
        "subject": {"name": _text(subject, "cr:name"), "country": _text(subject, "cr:country")},
        "identifiers": {
            "vat": _text(ids, "cr:vat"),
            "registry_number": _text(registry),
            "registry_scheme": registry.get("scheme") if registry is not None else None,
            "lei": _text(ids, "cr:lei"),
        },
        "rating": _text(rating),
        "rating_scale": rating.get("scale"),
        "score": int(_text(root, "cr:score")),
        "credit_limit": {"amount": limit, "currency": limit_currency},
        "payment_behaviour": None if behaviour is None else {
            "average_days_beyond_terms": _decimal(behaviour, "cr:averageDaysBeyondTerms"),
            "late_payment_share": _decimal(behaviour, "cr:latePaymentShare"),
        },
        "negative_events": events,
    }


def parse_credit_report(data):
    """Parse and validate a credit report given as bytes; return plain Python values.

    Raises :class:`CreditReportError` when the document is empty, too large,
    has a DOCTYPE, is not well-formed or does not match the schema (the
    message lists every problem with its line number). On success returns::

        {
            "version": "1",
            "report_id": str,
            "issue_date": datetime.date,
            "agency": {"name": str},
            "subject": {"name": str, "country": "FR"},
            "identifiers": {"vat": str | None, "registry_number": str | None,
                            "registry_scheme": str | None, "lei": str | None},
            "rating": str, "rating_scale": str | None,
            "score": int,  # 0-100
            "credit_limit": {"amount": Decimal, "currency": "EUR"},
            "payment_behaviour": None | {"average_days_beyond_terms": Decimal,
                                         "late_payment_share": Decimal},  # percent
            "negative_events": [{"date": datetime.date, "type": str, "amount": Decimal | None,
                                 "currency": str | None, "description": str}, ...],
        }

    Identifier values are returned as written in the report (whitespace
    collapsed); see :func:`matches_partner` to compare them with a customer.
    """
    tree = _parse_xml(data)
    _validate(tree)
    return _to_dict(tree)


# ---------------------------------------------------------------------------
# identifier matching
# ---------------------------------------------------------------------------


def _same_registry(report_value, partner_value, country):
    if report_value == partner_value:
        return True
    if country == "FR":  # a SIRET (14 digits) starts with the company's SIREN (9 digits)
        shorter, longer = sorted((report_value, partner_value), key=len)
        return len(shorter) == 9 and len(longer) == 14 and longer.isdigit() and longer.startswith(shorter)
    return False


def matches_partner(report, vat=None, company_registry=None, lei=None):
    """Check that a parsed report is about the customer with these identifiers.

    Identifiers present on both sides are compared in compact form: case,
    spaces and separators are ignored, VAT numbers without a country prefix
    get the report subject's country (``0403019261`` equals ``BE 0403.019.261``
    for a Belgian subject, GR and EL are the same prefix) and, for France, a
    SIRET matches the SIREN it starts with.

    Returns ``(True, reason)`` when at least one identifier matches and none
    differs, else ``(False, reason)``; ``reason`` is an English sentence.
    """
    report_ids = (report or {}).get("identifiers") or {}
    country = (((report or {}).get("subject") or {}).get("country") or "").upper() or None
    checks = (
        ("VAT number", report_ids.get("vat"), vat, lambda value: identifiers.compact_vat(value, country), None),
        ("company registry number", report_ids.get("registry_number"), company_registry,
         lambda value: identifiers.compact_company_registry(value, country), _same_registry),
        ("LEI", report_ids.get("lei"), lei, identifiers.compact_lei, None),
    )
    matched, mismatched = [], []
    for label, report_value, partner_value, compact, same in checks:
        if not (_filled(report_value) and _filled(partner_value)):
            continue
        left, right = compact(report_value), compact(partner_value)
        if same(left, right, country) if same else left == right:
            matched.append(label)
        else:
            mismatched.append(f"{label} differs (report: {left}, customer: {right})")
    if mismatched:
        reason = _capitalize("; ".join(mismatched)) + "."
        if matched:
            reason += f" Only the {_join(matched)} matched."
        return False, reason
    if matched:
        return True, f"Matched on {_join(matched)}."
    return False, "No identifier to compare: the report and the customer have no identifier in common."


def _filled(value):
    return value is not None and value is not False and bool(str(value).strip())


def _capitalize(text):
    return text[:1].upper() + text[1:]


def _join(labels):
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
