"""Reading single claim values the way eIDs actually send them.

Booleans come as ``true`` or ``"true"``, dates as ISO, ``YYYYMMDD`` or a Java
``Date.toString()``, genders as ``male``, ``M`` or ISO/IEC 5218 ``1``, countries as alpha-2,
alpha-3 or ICAO codes. Each reader returns None for a value it cannot read: never a guess.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Literal

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
              "LITHUANIA": "LT"}
_PARTICLES = frozenset({"von", "van", "de", "der", "den", "zu", "zum", "zur", "vom", "da",
                        "di", "du", "la", "le", "del", "della", "ter", "ten", "af", "av"})


def text(value: object) -> str | None:
    """A string claim: Unicode NFC, whitespace collapsed; None if empty or not a string."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    return cleaned or None


def flag(value: object) -> bool | None:
    """A boolean claim, sent as a JSON boolean or as the strings ``"true"`` / ``"false"``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _TRUE.get(value.strip().lower())
    return None


def calendar_date(value: object) -> date | None:
    """ISO ``YYYY-MM-DD`` (time part ignored), ``YYYYMMDD``, or a Java ``Date.toString()``.

    The Java form (``Wed Aug 12 00:00:00 CEST 1964``) is read as the calendar date written:
    shifting it to UTC would make midnight births a day early.
    """
    if not isinstance(value, str):
        return None
    raw = value.strip()
    try:
        if len(raw) >= 10 and raw[4] == "-" and raw[7] == "-":
            return date.fromisoformat(raw[:10])
        if len(raw) == 8 and raw.isdigit():
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        parts = raw.split()
        if len(parts) == 6 and parts[1][:3].lower() in _MONTHS:
            return date(int(parts[5]), _MONTHS[parts[1][:3].lower()], int(parts[2]))
    except ValueError:
        return None
    return None


def gender(value: object) -> Literal["male", "female"] | None:
    """``male`` / ``female`` from the usual spellings; anything else is unknown."""
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
