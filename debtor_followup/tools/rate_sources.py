"""The official publications of the reference rates, and how their answers are read.

Pure Python (no ORM, no network): each parser takes the body of a response and returns dated values, or raises
``RateSourceError`` when the body is not the publication it expects (an HTML error page, garbage, an empty
answer). Only the standard ``csv`` module reads the bodies: no XML, so no entities to resolve.

The derivations follow the law: the Dutch commercial rate is the ECB rate on the first day of the half-year plus
8 points (art. 6:120 lid 2 BW); the German base rate moves on 1 January and 1 July by the points the ECB rate moved
since its last change (§ 247 BGB).
"""
import csv
import io
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

# ECB Data Portal, series "Main refinancing operations - fixed rate tenders (fixed rate) (date of changes)":
# one observation per change of the rate, dated the day the change took effect.
ECB_SERIES = "FM.D.U2.EUR.4F.KR.MRR_FR.LEV"
ECB_URL = "https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV?format=csvdata"

# Bank of England database, series IUDBEDR (Official Bank Rate, daily): csv.x=yes asks for CSV, CSVF=TN for a
# table without titles (header "DATE,IUDBEDR"), UsingCodes=Y for series codes as column names, VPD=Y for
# provisional data, Dateto=now up to today.
BOE_SERIES = "IUDBEDR"
BOE_DATE_FROM = date(2018, 1, 1)
BOE_URL = (
    "https://www.bankofengland.co.uk/boeapps/database/_iadb-fromshowcolumns.asp"
    "?csv.x=yes&Datefrom=01/Jan/2018&Dateto=now&SeriesCodes=IUDBEDR&CSVF=TN&UsingCodes=Y&VPD=Y&VFD=N"
)

NL_COMMERCIAL_MARGIN = Decimal("8")
MAX_BODY_BYTES = 2_000_000
# Plausible bounds of a central bank rate (%): a value outside them is a misread answer, not a rate.
RATE_BOUNDS = (Decimal("-10"), Decimal("50"))
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


class RateSourceError(ValueError):
    """The answer of a rate source is not the publication expected (nothing is read from it)."""


def _text(body):
    """The body as text, refused when it cannot be the CSV of a publication."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body or not body.strip():
        raise RateSourceError("empty answer")
    if len(body) > MAX_BODY_BYTES:
        raise RateSourceError(f"answer too large ({len(body)} bytes)")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RateSourceError("answer is not UTF-8 text") from exc
    if text.lstrip().startswith("<"):
        raise RateSourceError("answer is an HTML or XML page, not CSV")
    return text


def _rate(value, where):
    try:
        rate = Decimal(value.strip())
    except (InvalidOperation, AttributeError) as exc:
        raise RateSourceError(f"{where}: {value!r} is not a rate") from exc
    if not rate.is_finite() or not RATE_BOUNDS[0] <= rate <= RATE_BOUNDS[1]:
        raise RateSourceError(f"{where}: {value!r} is not a plausible rate")
    return rate


def _sorted_unique(observations, where):
    result = {}
    for day, rate in observations:
        if day in result and result[day] != rate:
            raise RateSourceError(f"{where}: two values for {day}")
        result[day] = rate
    if not result:
        raise RateSourceError(f"{where}: no observations")
    return sorted(result.items())


def parse_ecb_csv(body):
    """The changes of the ECB main refinancing rate from the Data Portal's ``format=csvdata`` answer.

    :param body: the response body (bytes or str)
    :return: ``[(date, Decimal or None), ...]`` sorted by date; ``None`` where the series has no value (no fixed
        rate from that day: the variable rate tenders of 2000-2008)
    :raise RateSourceError: when the body is not that CSV
    """
    reader = csv.DictReader(io.StringIO(_text(body)))
    fields = reader.fieldnames or []
    if "TIME_PERIOD" not in fields or "OBS_VALUE" not in fields:
        raise RateSourceError("ECB: no TIME_PERIOD and OBS_VALUE columns")
    observations = []
    try:
        for line, row in enumerate(reader, start=2):
            where = f"ECB line {line}"
            if "KEY" in row and row["KEY"] != ECB_SERIES:
                raise RateSourceError(f"{where}: series {row['KEY']!r}, not {ECB_SERIES}")
            try:
                day = date.fromisoformat((row["TIME_PERIOD"] or "").strip())
            except ValueError as exc:
                raise RateSourceError(f"{where}: {row['TIME_PERIOD']!r} is not a date") from exc
            value = (row["OBS_VALUE"] or "").strip()
            observations.append((day, None if value in ("", "NaN") else _rate(value, where)))
    except csv.Error as exc:
        raise RateSourceError(f"ECB: malformed CSV ({exc})") from exc
    return _sorted_unique(observations, "ECB")


def _boe_date(value, where):
    parts = value.strip().split()
    try:
        day, month, year = parts
        return date(int(year), _MONTHS[month[:3].lower()], int(day))
    except (ValueError, KeyError) as exc:
        raise RateSourceError(f"{where}: {value!r} is not a date") from exc


def parse_boe_csv(body):
    """The daily Bank Rate from the Bank of England database's CSV answer (``CSVF=TN``, ``UsingCodes=Y``).

    :param body: the response body (bytes or str): a header ``DATE,IUDBEDR``, then ``02 Jan 2018,0.5`` rows
    :return: ``[(date, Decimal), ...]`` sorted by date (days without a value are left out)
    :raise RateSourceError: when the body is not that CSV
    """
    rows = csv.reader(io.StringIO(_text(body)))
    try:
        header = [cell.strip().upper() for cell in next(rows, [])]
        if header[:2] != ["DATE", BOE_SERIES]:
            raise RateSourceError(f"BoE: header {header[:2]!r}, not ['DATE', '{BOE_SERIES}']")
        observations = []
        for line, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            where = f"BoE line {line}"
            if len(row) < 2:
                raise RateSourceError(f"{where}: {row!r} has no value")
            value = row[1].strip()
            if value in ("", ".."):
                continue
            observations.append((_boe_date(row[0], where), _rate(value, where)))
    except csv.Error as exc:
        raise RateSourceError(f"BoE: malformed CSV ({exc})") from exc
    return _sorted_unique(observations, "BoE")


def changes(observations):
    """The days a series changed value: the first observation only sets the starting value.

    :param observations: ``[(date, rate), ...]`` sorted by date
    :return: ``[(date, rate), ...]`` of the observations whose rate differs from the one before
    """
    return [(day, rate) for (_day, previous), (day, rate) in zip(observations, observations[1:], strict=False)
            if rate != previous]


def rate_in_force(observations, on_date):
    """The rate of the last observation on or before ``on_date`` (``None`` when there is none)."""
    rate = None
    for day, value in observations:
        if day > on_date:
            break
        rate = value
    return rate


def half_year_starts(date_from, date_to):
    """1 January and 1 July from ``date_from`` up to ``date_to`` (both included)."""
    starts = []
    for year in range(date_from.year, date_to.year + 1):
        starts += [day for day in (date(year, 1, 1), date(year, 7, 1)) if date_from <= day <= date_to]
    return starts


def previous_half_year(day):
    """The first day of the half-year before the one starting on ``day``."""
    return date(day.year, 1, 1) if day.month == 7 else date(day.year - 1, 7, 1)


def half_year_rates(observations, date_from, date_to):
    """The rate in force on each 1 January and 1 July from ``date_from`` to ``date_to``.

    :return: ``{date: Decimal}`` (half-years before the first observation or without a value are left out)
    """
    result = {}
    for start in half_year_starts(date_from, date_to):
        rate = rate_in_force(observations, start)
        if rate is not None:
            result[start] = rate
    return result


def nl_commercial_rate(ecb_rate):
    """Art. 6:120 lid 2 BW: the ECB rate on the first day of the half-year plus 8 points."""
    return Decimal(ecb_rate) + NL_COMMERCIAL_MARGIN


def de_base_rate(previous_base, previous_ecb, ecb_rate):
    """§ 247 BGB: the base rate moves by the points the ECB rate moved since the previous half-year.

    The base rate changes whenever the ECB rate before 1 January or 1 July differs from the one at its last change;
    when it did not change, that ECB rate is the previous half-year's, so the change always counts from there.
    """
    return Decimal(previous_base) + Decimal(ecb_rate) - Decimal(previous_ecb)
