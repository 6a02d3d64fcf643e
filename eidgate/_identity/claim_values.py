"""Reading single claim values the way eIDs actually send them.

Booleans come as ``true`` or ``"true"``, dates as ISO, ``YYYYMMDD`` or a Java
``Date.toString()``, genders as ``male``, ``M`` or ISO/IEC 5218 ``1``, countries as alpha-2,
alpha-3 or ICAO codes. Each reader returns None for a value it cannot read: never a guess.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal

_TRUE = {"true": True, "false": False}  # JSON booleans, or these exact words (any case)
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# ISO/IEC 5218: 1 male, 2 female (0 not known, 9 not applicable -> None).
_GENDERS: dict[str, Literal["male", "female"]] = {
    "male": "male", "m": "male", "1": "male", "man": "male",
    "female": "female", "f": "female", "2": "female", "woman": "female", "w": "female"}
# ICAO Doc 9303 codes that differ from ISO 3166 alpha-2 / alpha-3 (D for Germany), and the
# alpha-3 codes of the countries whose eIDs we normalise and their neighbours.
_COUNTRIES = {"D": "DE", "DEU": "DE", "NLD": "NL", "SWE": "SE", "NOR": "NO", "DNK": "DK",
              "FIN": "FI", "EST": "EE", "LVA": "LV", "LTU": "LT", "BEL": "BE", "AUT": "AT",
              "CHE": "CH", "FRA": "FR", "LUX": "LU", "POL": "PL", "ISL": "IS", "GBR": "GB",
              "UK": "GB", "ITA": "IT", "ESP": "ES", "PRT": "PT", "IRL": "IE", "CZE": "CZ",
              # country names as national registries write them (e.g. MitID addresses)
              "DANMARK": "DK", "DENMARK": "DK", "SVERIGE": "SE", "SWEDEN": "SE",
              "NORGE": "NO", "NOREG": "NO", "NORWAY": "NO", "SUOMI": "FI", "FINLAND": "FI",
              "DEUTSCHLAND": "DE", "GERMANY": "DE", "NEDERLAND": "NL", "NETHERLANDS": "NL",
              "BELGIË": "BE", "BELGIQUE": "BE", "BELGIUM": "BE", "EESTI": "EE",
              "ESTONIA": "EE", "LATVIJA": "LV", "LATVIA": "LV", "LIETUVA": "LT",
              "LITHUANIA": "LT",
              # nationality as the Belgian eID card writes it, in the card's language (Signicat
              # .beID `nationality` "BELG"; itsme `claim_citizenship` "Belg")
              "BELG": "BE", "BELGE": "BE", "BELGIER": "BE"}
_PARTICLES = frozenset({"von", "van", "de", "der", "den", "zu", "zum", "zur", "vom", "da",
                        "di", "du", "la", "le", "del", "della", "ter", "ten", "af", "av"})


def text(value: object) -> str | None:
    """A string claim: Unicode NFC, whitespace collapsed; None if empty or not a string."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    return cleaned or None


def first_text(claims: Mapping[str, Any], *names: str) -> str | None:
    """The first of the claims ``names`` that holds a string (as :func:`text` reads it)."""
    return next((v for n in names if (v := text(claims.get(n)))), None)


def flag(value: object) -> bool | None:
    """A boolean claim, sent as a JSON boolean or as the strings ``"true"`` / ``"false"``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _TRUE.get(value.strip().lower())
    return None


def calendar_date(value: object) -> date | None:
    """A full birth date from every form eIDs send it in, or None.

    ISO ``YYYY-MM-DD`` (time part ignored), ``YYYYMMDD`` (also as a JSON number),
    ``DD.MM.YYYY`` (the German and Nordic written form), a Java ``Date.toString()``, or a
    number of seconds (milliseconds from 10^10 on) since the epoch. The Java form
    (``Wed Aug 12 00:00:00 CEST 1964``) is read as the calendar date written: shifting it
    to UTC would make midnight births a day early.
    A partial date (see :func:`date_bounds`) is not a date: None.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 18000101 <= value <= 21001231:
        # YYYYMMDD sent as a JSON number (as seconds it would be a day in 1970): read as
        # the date it spells when it spells one
        found = calendar_date(str(value))
        if found is not None:
            return found
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch_date(value)
    if not isinstance(value, str):
        return None
    raw = value.strip()
    try:
        if len(raw) >= 10 and raw[4] == "-" and raw[7] == "-":
            return date.fromisoformat(raw[:10])
        if len(raw) == 8 and raw.isdigit():
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        if len(raw) == 10 and raw[2] == "." and raw[5] == "." and raw.replace(".", "").isdigit():
            return date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
        parts = raw.split()
        if len(parts) == 6 and parts[1][:3].lower() in _MONTHS:
            return date(int(parts[5]), _MONTHS[parts[1][:3].lower()], int(parts[2]))
    except (ValueError, OverflowError):  # a 12-digit year overflows date(): not a date
        return None
    return None


_DAY = 86_400
_EVENING = 18 * 3600  # from 18:00 UTC on, the instant is midnight of the next day east of UTC


def _epoch_date(value: float) -> date | None:
    """The calendar date of a birth date sent as an epoch number.

    Java and JavaScript serialise a date as milliseconds; OIDC numbers are seconds. Values of
    10^10 and more are milliseconds (as seconds they would lie after the year 2286). A
    birth date is local midnight: in Europe (UTC+1 to UTC+3) that is the evening before in
    UTC, so a time of day from 18:00 UTC on counts as the next day; UTC midnight, noon (a
    common way to store a date) and American midnights stay on their day.
    """
    if value != value or abs(value) > 1e15:  # NaN, or beyond any date
        return None
    seconds = int(value // 1000 if abs(value) >= 1e10 else value)
    days, time_of_day = divmod(seconds, _DAY)
    try:
        return date(1970, 1, 1) + timedelta(days=days + (time_of_day >= _EVENING))
    except OverflowError:
        return None


def date_bounds(value: object) -> tuple[date, date] | None:
    """(earliest, latest) possible day of a partial birth date, or None if not partial.

    The German eID card may hold an incomplete date of birth: BSI TR-03110 / AUTHADA "unknown
    parts are filled with spaces" (``"1964    "``, ``"196408  "``); the German PID encodes an
    unknown month or day as ``00`` (``1983-00-00``); ISO 8601 reduced precision writes
    ``1964`` or ``1964-08``. Enough for an age check even without the full date.
    """
    if not isinstance(value, str) or len(value) > 12:
        return None
    raw = value.rstrip()
    digits = raw.replace("-", "")
    if not digits.isdigit() or not digits.isascii() or len(digits) not in (4, 6, 8):
        return None
    if "-" in raw and raw not in (f"{digits[:4]}-{digits[4:6]}",
                                  f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"):
        return None
    year, month, day = int(digits[:4]), int(digits[4:6] or 0), int(digits[6:] or 0)
    if day and month:
        return None  # a full date (or an impossible one): not partial
    if year < 1 or month > 12 or (day and not month):
        return None
    if not month:
        return date(year, 1, 1), date(year, 12, 31)
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)) if year < 9999 \
        else date(year, 12, 31)
    return date(year, month, 1), last


def gender(value: object) -> Literal["male", "female"] | None:
    """``male`` / ``female`` from the usual spellings; anything else is unknown."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # ISO/IEC 5218 code sent as a JSON number
    return _GENDERS.get(value.strip().lower()) if isinstance(value, str) else None


def country(value: object) -> str | None:
    """An ISO 3166 alpha-2 code from alpha-2, alpha-3 or ICAO (``D``) codes."""
    code = text(value)
    if code is None:
        return None
    code = code.upper()
    if len(code) == 2 and code.isalpha() and code.isascii():
        return "GB" if code == "UK" else code
    return _COUNTRIES.get(code)


def name_case(value: str | None) -> str | None:
    """``ERIKA MUSTERMANN`` -> ``Erika Mustermann``; names not all in capitals stay as sent.

    Name particles inside a name stay lower case (``VON DER LEYEN`` -> ``von der Leyen``);
    parts after a hyphen or apostrophe are capitalised (``SMART-ID``, ``O'BRIEN``).
    """
    if value is None or not value.isupper():
        return value
    words = value.lower().split(" ")
    out = []
    for i, word in enumerate(words):
        if len(words) > 1 and i < len(words) - 1 and word in _PARTICLES:
            out.append(word)
            continue
        chars = list(word)
        for j, ch in enumerate(chars):
            if j == 0 or chars[j - 1] in "-'\u2019":
                chars[j] = ch.upper()
        out.append("".join(chars))
    return " ".join(out)


def initials_of(given: str | None) -> str | None:
    """First letter of each given name (and hyphenated part), upper case, no dots."""
    if not given:
        return None
    letters = [part[0].upper() for word in given.split() for part in word.split("-") if part]
    return "".join(letters) or None
