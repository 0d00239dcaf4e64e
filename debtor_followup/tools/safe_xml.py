"""Safe XML parsing and schema validation, shared by every XML the addon reads or checks.

* :func:`safe_parser`: a parser that never resolves entities, loads a DTD or touches the network, and keeps
  libxml2's limits on huge documents (``huge_tree`` off);
* :func:`doctype_line` and :func:`tree_refusal`: a DOCTYPE (which can define entities that read local files or
  expand without limit) found in the raw bytes, or left in a parsed tree;
* :class:`Schema`: an XSD, loaded once (thread-safe) with the safe parser, that validates a tree and returns its
  complaints as ``(line, message)``, namespaces stripped from the messages.

No Odoo import here: the module can be used and tested on its own.
"""

import os
import re
import threading

from lxml import etree

__all__ = ["Schema", "doctype_line", "safe_parser", "syntax_errors", "tree_refusal", "xsd_path"]

_DOCTYPE_RE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_NS_PREFIX_RE = re.compile(r"\{(?:urn|https?):[^{}\s]*\}")  # "{urn:...}score" -> "score" in messages


def xsd_path(name):
    """The path of the schema ``name`` shipped in the addon's ``data/xsd``."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "xsd", name)


def safe_parser():
    """A parser that never resolves entities, reads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def doctype_line(data):
    """The line of the first DOCTYPE declaration in ``data`` (bytes), or None.

    NUL bytes are dropped first, which makes UTF-16 and UTF-32 encoded markup visible to the scan as well.
    """
    scan = data.replace(b"\x00", b"")
    match = _DOCTYPE_RE.search(scan)
    return scan.count(b"\n", 0, match.start()) + 1 if match else None


def tree_refusal(tree):
    """What a parsed ``tree`` holds that a safe document must not: ``"doctype"``, ``"entity"`` or None.

    The second line of defence, for encodings the byte scan of :func:`doctype_line` cannot see.
    """
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return "doctype"
    if any(isinstance(node, etree._Entity) for node in tree.iter()):
        return "entity"
    return None


def syntax_errors(exc, parser):
    """The errors of a failed parse: ``[(line or None, message)]``, each once."""
    errors = []
    for entry in parser.error_log:
        if entry.level >= etree.ErrorLevels.ERROR:
            item = (entry.line or None, entry.message.strip())
            if item not in errors:
                errors.append(item)
    if not errors:
        errors.append((getattr(exc, "lineno", None), getattr(exc, "msg", None) or str(exc)))
    return errors


class Schema:
    """An XSD file, loaded on first use with the safe parser and kept (one per process)."""

    def __init__(self, path):
        self.path = path
        self._schema = None
        self._lock = threading.Lock()

    def _get(self):
        # callers hold self._lock
        if self._schema is None:
            with open(self.path, "rb") as xsd_file:
                self._schema = etree.XMLSchema(etree.parse(xsd_file, parser=safe_parser()))
        return self._schema

    def errors(self, tree):
        """Validate ``tree``.

        :return: the schema's complaints as ``[(line or None, message)]``, empty when the tree is valid
        """
        with self._lock:
            schema = self._get()
            if schema.validate(tree):
                return []
            return [(entry.line or None, _NS_PREFIX_RE.sub("", entry.message.strip())) for entry in schema.error_log]
