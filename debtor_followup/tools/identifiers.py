"""Offline (and optionally VIES online) checks of company identifiers.

Pure Python on top of python-stdnum; nothing in here imports Odoo so the
functions can be used from models, wizards, scripts and plain unit tests.

Every ``check_*`` function returns an :class:`IdentifierResult` and never
raises on bad input:

``valid``
    ``True`` (the number passed the checks), ``False`` (it did not) or
    ``None`` (no check is known for the country, nothing can be said).
``compact``
    The minimal representation (no spaces or separators, upper case, with the
    country prefix for VAT numbers). For numbers that could not be parsed this
    is a best-effort cleaned form of the input.
``formatted``
    The display form (stdnum ``format()`` when the scheme has one).
``reason``
    An English sentence explaining why the number is not valid (empty when
    it is). Callers wrap it in their translation function.

Only the first four fields are the core contract; the remaining ones
(``kind``, ``country``, ``scheme``, ``online``, ``details``) carry context.
"""

import os
import re
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from importlib import import_module

import stdnum
from stdnum import lei as _lei
from stdnum import numdb as _numdb
from stdnum.eu import vat as _eu_vat
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import InvalidFormat
from stdnum.exceptions import InvalidLength
from stdnum.exceptions import ValidationError
from stdnum.util import get_cc_module

__all__ = [
    "IdentifierResult",
    "check_company_registry",
    "check_iban",
    "check_lei",
    "check_vat",
    "check_vat_online",
    "company_registry_countries",
    "compact_company_registry",
    "compact_lei",
    "compact_vat",
]

VALID = "valid"
INVALID = "invalid"
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class IdentifierResult:
    """Outcome of an identifier check (see the module docstring)."""

    valid: bool | None
    compact: str
    formatted: str
    reason: str = ""
    kind: str = ""  # "vat", "company_registry", "lei" or "iban"
    country: str = ""  # ISO 3166-1 alpha-2 country the number was checked for (upper case), if any
    scheme: str = ""  # stdnum module that did the check, e.g. "fr.siren"
    online: bool | None = None  # only set by check_vat_online(): True when VIES answered
    details: dict = field(default_factory=dict, compare=False)  # extra data, e.g. the VIES name/address

    @property
    def state(self):
        """``"valid"``, ``"invalid"`` or ``"unchecked"`` (no check known)."""
        if self.valid is None:
            return UNCHECKED
        return VALID if self.valid else INVALID

    @property
    def checked(self):
        """True when a check was actually performed (valid is not None)."""
        return self.valid is not None


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_SEPARATORS_RE = re.compile(r"[\s.\-/,:;_]+")


def _text(number):
    if number is None or number is False:  # Odoo gives False for empty fields
        return ""
    if not isinstance(number, str):
        number = str(number)
    return number.strip()


def _clean(number):
    """Generic compaction: upper case without whitespace and usual separators."""
    return _SEPARATORS_RE.sub("", _text(number)).upper()


def _country(country_code):
    """Normalise a country code to upper case; "" when missing or not two letters."""
    code = _text(country_code).upper()
    return code if _COUNTRY_RE.match(code) else ""


def _reason(exc, expected=""):
    """Turn a stdnum validation exception into a short English sentence."""
    suffix = f" (expected {expected})" if expected else ""
    if isinstance(exc, InvalidLength):
        return "invalid length" + suffix
    if isinstance(exc, InvalidChecksum):
        return "invalid checksum"
    if isinstance(exc, InvalidFormat):
        return "invalid format" + suffix
    if isinstance(exc, InvalidComponent):
        return "invalid component (a part such as the country, region, court or date is not valid)"
    return "invalid number"


def _safe_call(func, number, default):
    try:
        return func(number)
    except (ValidationError, ValueError, TypeError, IndexError, KeyError):
        return default


def _empty(kind, country=""):
    return IdentifierResult(False, "", "", "empty number", kind=kind, country=country)


# ---------------------------------------------------------------------------
# VAT numbers
# ---------------------------------------------------------------------------

# Prefixes that are part of the VAT number itself. EU member states (Greece uses
# EL, Northern Ireland XI, EU = non-Union OSS scheme) are handled by stdnum.eu.vat,
# the others by their own country module.
_EU_PREFIXES = frozenset(cc.upper() for cc in _eu_vat.MEMBER_STATES if cc != "gr") | {"EL", "EU"}
_OTHER_VAT_MODULES = {"GB": "stdnum.gb.vat", "CH": "stdnum.ch.vat", "NO": "stdnum.no.mva"}
_VAT_PREFIXES = _EU_PREFIXES | set(_OTHER_VAT_MODULES)
# Shape of the number after the prefix, used to make length/format errors explicit.
_VAT_EXPECTED = {
    "AT": "U followed by 8 digits", "BE": "10 digits", "BG": "9 or 10 digits", "CY": "8 digits and a letter",
    "CZ": "8 to 10 digits", "DE": "9 digits", "DK": "8 digits", "EE": "9 digits", "EL": "9 digits",
    "ES": "9 characters", "FI": "8 digits", "FR": "11 characters", "HR": "11 digits", "HU": "8 digits",
    "IE": "8 or 9 characters", "IT": "11 digits", "LT": "9 or 12 digits", "LU": "8 digits", "LV": "11 digits",
    "MT": "8 digits", "NL": "9 digits, B and 2 digits", "PL": "10 digits", "PT": "9 digits", "RO": "2 to 10 digits",
    "SE": "12 digits", "SI": "8 digits", "SK": "10 digits", "GB": "9 or 12 digits", "XI": "9 or 12 digits",
    "CH": "CHE-123.456.789 MWST/TVA/IVA", "NO": "9 digits followed by MVA",
}
_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB", "EU": ""}  # VAT prefixes that are not the ISO country code


def _vat_expected(prefix):
    expected = _VAT_EXPECTED.get(prefix)
    if not expected:
        return ""
    return expected if prefix == "CH" else f"{expected} after {prefix}"


def _vat_prefix(country):
    """The prefix a VAT number of ``country`` carries (Greece uses EL)."""
    return "EL" if country == "GR" else country


def _split_vat(number, country_code):
    """Return ``(prefix, cleaned number including the prefix)``.

    The prefix comes from the number itself when it starts with a known VAT
    prefix, else from ``country_code``; ``(None, cleaned)`` when neither gives one.
    """
    cleaned = _clean(number)
    if cleaned.startswith("GR"):
        cleaned = "EL" + cleaned[2:]
    head = cleaned[:2]
    if head in _VAT_PREFIXES:
        return head, cleaned
    country = _country(country_code)
    if not country:
        return None, cleaned
    prefix = _vat_prefix(country)
    if prefix == "CH":  # Swiss numbers carry "CHE" (the UID prefix)
        return prefix, "CHE" + cleaned
    if prefix in _VAT_PREFIXES:
        return prefix, prefix + cleaned
    return prefix, cleaned


def _format_vat(prefix, module, compact):
    """Display form: the country module's format() if any, else the compact form."""
    fmt = getattr(module, "format", None) if module else None
    if not fmt:
        return compact
    formatted = _safe_call(fmt, compact, None)
    if not formatted:
        return compact
    # some formatters keep the prefix (CH, NO), others drop it (GB, PL)
    if formatted.upper().startswith(prefix):
        return formatted
    return f"{prefix} {formatted}"


def check_vat(number, country_code=None):
    """Check a VAT number offline.

    The country is taken from the number's prefix (``BE0403019261``) or,
    when the number has none, from ``country_code`` (ISO 3166-1 alpha-2; ``GR``
    is mapped to the ``EL`` VAT prefix). EU member states are checked with
    :mod:`stdnum.eu.vat`, GB, CH and NO with their own modules and any other
    country with the country's stdnum ``vat`` module when stdnum has one;
    otherwise the result is unchecked (``valid=None``).
    """
    if not _text(number):
        return _empty("vat", _country(country_code))
    prefix, cleaned = _split_vat(number, country_code)
    if prefix is None:
        raw = _text(country_code)
        reason = (
            f"unknown country: {raw!r} is not an ISO 3166-1 alpha-2 country code"
            if raw
            else "unknown country: the number has no country prefix and no country was given"
        )
        return IdentifierResult(False, cleaned, cleaned, reason, kind="vat")
    country = _PREFIX_COUNTRY.get(prefix, prefix)
    if prefix in _EU_PREFIXES:
        module = _eu_vat._get_cc_module(prefix)
        validate = _eu_vat.validate
        scheme = "eu.oss" if prefix == "EU" else module.__name__.removeprefix("stdnum.")
    else:
        if prefix in _OTHER_VAT_MODULES:
            module = import_module(_OTHER_VAT_MODULES[prefix])
        else:
            module = get_cc_module(prefix.lower(), "vat")
            if module is None:
                return IdentifierResult(None, cleaned, cleaned, f"no check known for country {prefix}", kind="vat",
                                        country=country)
        validate = module.validate
        scheme = module.__name__.removeprefix("stdnum.")
    try:
        compact = validate(cleaned)
    except ValidationError as exc:
        return IdentifierResult(False, cleaned, cleaned, _reason(exc, _vat_expected(prefix)), kind="vat",
                                country=country, scheme=scheme)
    if prefix in _EU_PREFIXES:
        formatted = _format_vat(prefix, module, compact)
    elif prefix in _OTHER_VAT_MODULES:  # VAT-prefix countries: keep the prefix in the compact form
        compact = compact if compact.startswith(prefix) else prefix + compact
        formatted = _format_vat(prefix, module, compact)
    else:
        formatted = _safe_call(getattr(module, "format", str), compact, compact)
    return IdentifierResult(True, compact, formatted, kind="vat", country=country, scheme=scheme)


def compact_vat(number, country_code=None):
    """Best-effort comparable form of a VAT number (never raises).

    Upper case, no separators, with the country prefix added from
    ``country_code`` when the number has none (``GR`` and ``EL`` unify to
    ``EL``). Valid numbers get stdnum's compact form, so ``BE 403.019.261``,
    ``be0403019261`` and ``0403019261`` (with country BE) compare equal.
    """
    if not _text(number):
        return ""
    result = check_vat(number, country_code)
    if result.valid:
        return result.compact
    prefix, cleaned = _split_vat(number, country_code)
    if prefix and not cleaned.startswith(prefix):
        cleaned = prefix + cleaned
    return cleaned


def _vies_value(response, key, default=None):
    value = getattr(response, key, None)
    if value is None:
        try:
            value = response[key]
        except (KeyError, TypeError, IndexError):
            value = None
    return default if value is None else value


def _short_error(exc, limit=120):
    message = " ".join(str(exc).split()) or exc.__class__.__name__
    if len(message) > limit:
        message = message[: limit - 1] + "\u2026"
    return message


def check_vat_online(number, timeout=5, country_code=None):
    """Check a VAT number offline, then against the EU VIES service.

    Never raises: when VIES cannot be reached (network error, timeout, no
    SOAP library, service down, ...), the offline result is returned with
    ``online=False`` and ``reason="not verified online: <short error>"`` (the
    ``valid`` flag then reflects the offline check only). When VIES answers,
    ``online=True`` and ``valid`` is VIES's verdict; ``details`` holds the
    name, address and request date VIES returned.
    """
    try:
        offline = check_vat(number, country_code)
    except Exception as exc:  # defensive: never raise from here
        return IdentifierResult(
            False, _clean(number), _clean(number), f"not verified online: {_short_error(exc)}", kind="vat",
            online=False)
    if not offline.valid:
        return replace(offline, online=False)
    prefix = offline.compact[:2]
    if prefix not in _EU_PREFIXES or prefix == "EU":
        return replace(offline, online=False,
                       reason=f"not verified online: VIES does not cover country {offline.country or prefix}")
    try:
        response = _eu_vat.check_vies(offline.compact, timeout=timeout)
        valid = bool(_vies_value(response, "valid", False))
        details = {
            "name": _text(_vies_value(response, "name", "")),
            "address": _text(_vies_value(response, "address", "")),
            "request_date": _vies_value(response, "requestDate"),
        }
    except Exception as exc:  # network, SOAP fault, missing library: degrade to offline result
        return replace(offline, online=False, reason=f"not verified online: {_short_error(exc)}")
    reason = "" if valid else "not registered for intra-EU trade according to VIES"
    return replace(offline, valid=valid, online=True, reason=reason, details=details)


# ---------------------------------------------------------------------------
# Company registration numbers
# ---------------------------------------------------------------------------


def _group(*sizes, sep=" "):
    def formatter(number):
        parts, pos = [], 0
        for size in sizes:
            parts.append(number[pos:pos + size])
            pos += size
        if number[pos:]:
            parts.append(number[pos:])
        return sep.join(p for p in parts if p)

    return formatter


@dataclass(frozen=True)
class _Registry:
    code: str  # our scheme code, also accepted as scheme alias
    label: str  # human name of the number
    module: str  # stdnum module path below "stdnum."
    expected: str  # length hint for error messages
    aliases: tuple = ()
    formatter: object = None  # used when the stdnum module has no format()


# Company registration numbers stdnum can check, per country. When a country has
# several schemes they are tried in order (or picked with the ``scheme`` argument).
# Not available in stdnum 1.19: NL KvK number, GB Companies House number, IE CRO,
# IT REA, ... (those countries give an "unchecked" result).
_REGISTRIES = {
    "AT": (_Registry("at.businessid", "Firmenbuchnummer", "at.businessid", "digits followed by a letter",
                     ("FN", "FIRMENBUCH", "FIRMENBUCHNUMMER")),),
    "AU": (_Registry("au.acn", "ACN", "au.acn", "9 digits"),
           _Registry("au.abn", "ABN", "au.abn", "11 digits")),
    "BE": (_Registry("be.vat", "enterprise number", "be.vat", "10 digits",
                     ("KBO", "BCE", "CBE", "ONDERNEMINGSNUMMER", "ENTERPRISE"), _group(4, 3, 3, sep=".")),),
    "BR": (_Registry("br.cnpj", "CNPJ", "br.cnpj", "14 digits"),),
    "CH": (_Registry("ch.uid", "UID", "ch.uid", "CHE followed by 9 digits", ("CHE", "IDE", "IDI")),),
    "DE": (_Registry("de.handelsregisternummer", "Handelsregisternummer", "de.handelsregisternummer",
                     "court, register type and number, e.g. Aachen HRB 12345",
                     ("HR", "HRA", "HRB", "HANDELSREGISTER", "REGISTERNUMMER")),),
    "DK": (_Registry("dk.cvr", "CVR number", "dk.cvr", "8 digits", ("CVR",)),),
    "EE": (_Registry("ee.registrikood", "registrikood", "ee.registrikood", "8 digits", ("REGISTRIKOOD",)),),
    "ES": (_Registry("es.cif", "CIF", "es.cif", "9 characters", ("CIF", "NIF")),),
    "FI": (_Registry("fi.ytunnus", "Y-tunnus", "fi.ytunnus", "8 digits", ("YTUNNUS", "Y-TUNNUS", "BUSINESSID")),),
    "FR": (_Registry("fr.siren", "SIREN", "fr.siren", "9 digits", ("SIREN",), _group(3, 3, 3)),
           _Registry("fr.siret", "SIRET", "fr.siret", "14 digits", ("SIRET",))),
    "IL": (_Registry("il.hp", "company number", "il.hp", "9 digits"),),
    "MD": (_Registry("md.idno", "IDNO", "md.idno", "13 digits", ("IDNO",)),),
    "NO": (_Registry("no.orgnr", "organisation number", "no.orgnr", "9 digits", ("ORGNR", "ORGANISASJONSNUMMER")),),
    "PL": (_Registry("pl.regon", "REGON", "pl.regon", "9 or 14 digits", ("REGON",)),),
    "RO": (_Registry("ro.onrc", "ONRC number", "ro.onrc", "e.g. J52/750/2012", ("ONRC", "NRC")),
           _Registry("ro.cui", "CUI", "ro.cui", "2 to 10 digits", ("CUI", "CIF"))),
    "SE": (_Registry("se.orgnr", "organisation number", "se.orgnr", "10 digits",
                     ("ORGNR", "ORGANISATIONSNUMMER")),),
    "SI": (_Registry("si.maticna", "registration number", "si.maticna", "7 or 10 digits", ("MATICNA",)),),
}


def company_registry_countries():
    """Country codes for which :func:`check_company_registry` performs a check."""
    return sorted(_REGISTRIES)


def _registry_module(registry):
    return import_module(f"stdnum.{registry.module}")


def _pick_registries(country, scheme):
    registries = _REGISTRIES.get(country, ())
    if not scheme:
        return registries
    wanted = _clean(scheme)
    if ":" in _text(scheme):  # "FR:SIREN" style
        wanted = _clean(_text(scheme).split(":", 1)[1])
    matching = tuple(
        r for r in registries
        if wanted in {_clean(r.code), _clean(r.label), *(_clean(a) for a in r.aliases)}
    )
    return matching or registries


def _format_registry(registry, module, compact):
    fmt = getattr(module, "format", None) or registry.formatter
    return _safe_call(fmt, compact, compact) if fmt else compact


def check_company_registry(number, country_code, scheme=None):
    """Check a company registration number for ``country_code``.

    ``scheme`` optionally narrows the check when the country has several
    numbers (``"SIREN"``/``"SIRET"`` or ``"FR:SIRET"``, ``"ONRC"``/``"CUI"``);
    unknown scheme names fall back to trying all of the country's schemes.
    Countries without a stdnum check give ``valid=None`` and the reason
    ``"no check known for country XX"``.
    """
    country = _country(country_code)
    if not _text(number):
        return _empty("company_registry", country)
    cleaned = _clean(number)
    if not country:
        raw = _text(country_code)
        reason = (f"unknown country: {raw!r} is not an ISO 3166-1 alpha-2 country code" if raw
                  else "unknown country: no country was given")
        return IdentifierResult(False, cleaned, cleaned, reason, kind="company_registry")
    registries = _pick_registries(country, scheme)
    if not registries:
        return IdentifierResult(None, cleaned, _text(number), f"no check known for country {country}",
                                kind="company_registry", country=country)
    failures = []
    for registry in registries:
        module = _registry_module(registry)
        try:
            compact = module.validate(_text(number))
        except ValidationError as exc:
            failures.append((registry, module, exc))
            continue
        return IdentifierResult(True, compact, _format_registry(registry, module, compact),
                                kind="company_registry", country=country, scheme=registry.code)
    # Report the most telling failure: a checksum or component error means the
    # number had the right shape for that scheme, so prefer it over shape errors.
    specific = [f for f in failures if isinstance(f[2], (InvalidChecksum, InvalidComponent))]
    if specific:
        registry, module, exc = specific[0]
        reason, scheme_code = _reason(exc), registry.code
    elif len(failures) == 1:
        registry, module, exc = failures[0]
        reason, scheme_code = _reason(exc, registry.expected), registry.code
    else:
        registry, module, exc = failures[0]
        expected = " or ".join(f"{r.expected} for {r.label}" for r, _m, _e in failures)
        if not all(isinstance(e, InvalidLength) for _r, _m, e in failures):
            exc = InvalidFormat()
        reason, scheme_code = _reason(exc, expected), ""
    compact = _safe_call(module.compact, _text(number), cleaned)
    return IdentifierResult(False, compact, compact, reason, kind="company_registry", country=country,
                            scheme=scheme_code)


def compact_company_registry(number, country_code=None):
    """Best-effort comparable form of a company registration number (never raises)."""
    if not _text(number):
        return ""
    country = _country(country_code)
    if country:
        result = check_company_registry(number, country)
        if result.valid:
            return _clean(result.compact)
        for registry in _REGISTRIES.get(country, ()):
            compact = _safe_call(_registry_module(registry).compact, _text(number), None)
            if compact:
                return _clean(compact)
    return _clean(number)


# ---------------------------------------------------------------------------
# LEI and IBAN
# ---------------------------------------------------------------------------


def check_lei(number):
    """Check a Legal Entity Identifier (ISO 17442, 20 characters, ISO 7064 mod 97-10)."""
    if not _text(number):
        return _empty("lei")
    cleaned = _safe_call(_lei.compact, _text(number), _clean(number))
    try:
        if cleaned.isalnum() and len(cleaned) != 20:  # stdnum checks the checksum first
            raise InvalidLength()
        compact = _lei.validate(_text(number))
    except ValidationError as exc:
        return IdentifierResult(False, cleaned, cleaned, _reason(exc, "20 letters and digits"), kind="lei",
                                scheme="lei")
    return IdentifierResult(True, compact, compact, kind="lei", scheme="lei")


def compact_lei(number):
    """Best-effort comparable form of a LEI (never raises)."""
    return _clean(number)


# Odoo 19 installs a lazy monkey-patching import hook (odoo/_monkeypatches) that
# replaces the loader of the ``stdnum`` package with a plain namespace object, so
# ``importlib.resources.files("stdnum")`` cannot open the package's data files
# ("Can't open orphan path"). stdnum.iban reads iban.dat (and stdnum.be.iban reads
# be/banks.dat) that way, so inside Odoo they fail unless the databases are
# already loaded: load them from the package folder first.
_IBAN_DATABASES = ("iban", "be/banks")


def _preload_stdnum_databases(names):
    opened = getattr(_numdb, "_open_databases", None)
    if opened is None:  # other stdnum version: rely on its own loading
        return
    folder = os.path.dirname(os.path.abspath(stdnum.__file__))
    for name in names:
        if name in opened:
            continue
        try:
            with open(os.path.join(folder, *name.split("/")) + ".dat", encoding="utf-8") as data:
                opened[name] = _numdb.read(data)
        except OSError:
            continue  # let stdnum try (and report) itself


def _iban_module():
    _preload_stdnum_databases(_IBAN_DATABASES)
    return import_module("stdnum.iban")


def _iban_expected_length(compact):
    """Length of an IBAN of this country from stdnum's IBAN registry.

    0 when the country does not use IBAN, None when unknown (the registry
    is private stdnum API, so this is only used for nicer messages).
    """
    iban = _iban_module()
    try:
        info = iban._ibandb.info(compact)
        structure = info[0][1].get("bban", "")
        sizes = [int(size) for size, _kind in iban._struct_re.findall(structure)]
    except Exception:
        return None
    return 4 + sum(sizes) if sizes else 0


def check_iban(number):
    """Check an IBAN (country structure, ISO 7064 mod 97-10 and country-specific checks)."""
    if not _text(number):
        return _empty("iban")
    iban = _iban_module()
    compact = _safe_call(iban.compact, _text(number), _clean(number))
    country = compact[:2] if _COUNTRY_RE.match(compact[:2]) else ""
    try:
        compact = iban.validate(_text(number))
    except ValidationError as exc:
        expected = _iban_expected_length(compact)
        if not country:
            reason = "invalid format (an IBAN starts with a two-letter country code)"
        elif expected == 0:
            reason = f"unknown country: {country} does not use IBAN"
        elif expected and len(compact) != expected:
            reason = _reason(InvalidLength(), f"{expected} characters for a {country} IBAN")
        else:
            reason = _reason(exc)
        return IdentifierResult(False, compact, compact, reason, kind="iban", country=country, scheme="iban")
    return IdentifierResult(True, compact, iban.format(compact), kind="iban", country=country, scheme="iban")
