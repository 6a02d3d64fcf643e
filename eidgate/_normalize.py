"""``normalize(claims)``: one :class:`Identity` from whatever claims an eID sent.

Pure functions over a mapping; the eID-specific knowledge sits in the profile table
(``_profiles``), the value readers (``_claims``), national numbers (``_national_id``) and
levels (``_loa``). Warnings never repeat personal data: they say what, not whose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from . import _profiles
from ._claims import calendar_date, country, flag, gender, initials_of, name_case, text
from ._identity import Address, Gender, Identity, Level
from ._loa import stated_level
from ._national_id import NationalId, country_of, parse_national_id
from ._profiles import CLAIM_COUNTRY, Profile

# Default national-number type when a number is not even shaped like its country's.
_DEFAULT_TYPE = {"FI": "hetu", "DK": "cpr", "NO": "fnr", "SE": "personnummer",
                 "EE": "isikukood", "LT": "asmens_kodas", "LV": "personas_kods",
                 "BE": "rijksregisternummer"}
_YES_VERIFIED = "yes.verified."


def normalize(claims: Mapping[str, Any], profile: str = "auto", *, provider: str | None = None,
              issuer: str | None = None, scopes: Iterable[str] = (),
              today: date | None = None) -> Identity:
    """The normalised :class:`Identity` for verified ``claims`` (ID token + userinfo).

    ``profile`` names the eID (``"ftn"``, ``"idin"``, ... see docs/identity.md) or is
    ``"auto"`` to recognise it from the claims and ``scopes``. ``today`` fixes the date
    that ``age_over_18`` is computed at when the claims carry no authentication time.
    """
    prof = _profiles.detect(claims, scopes) if profile == "auto" else _profiles.get(profile)
    c: Mapping[str, Any] = _yes_verified(claims) if prof.method == "yes" else claims
    if isinstance(claims.get("verified_claims"), dict):
        # Idura nests some eIDs' attributes (iDIN) in a verified_claims object
        c = {**claims["verified_claims"], **c}
    warnings: list[str] = []
    first, last, full, initials = _names(prof, c)
    nid = _national_id(prof, c, warnings, today)
    dob = _birth_date(prof, c, nid, warnings)
    verified_at = _timestamp(c.get("auth_time")) or _timestamp(c.get("iat"))
    loa: Level | None = stated_level(c) or prof.default_loa  # type: ignore[assignment]
    sub = claims.get("sub")
    return Identity(
        subject=sub if isinstance(sub, str) else "",
        issuer=text(claims.get("iss")) or issuer, provider=provider, method=prof.method,
        first_name=first, last_name=last, full_name=full, initials=initials,
        date_of_birth=dob,
        gender=_gender(c) or (nid.gender if nid and nid.valid else None),
        national_id=nid, email=text(c.get("email")),
        email_verified=flag(c.get("email_verified")) is True, phone=text(c.get("phone_number")),
        phone_verified=flag(c.get("phone_number_verified")) is True,
        address=_address(prof, c), nationality=_nationality(prof, c), loa=loa,
        age_over_18=_adult(c, dob, verified_at, today),
        pseudonym=_pseudonym(prof, c, nid),
        verified_at=verified_at, claims=claims, warnings=tuple(warnings))


def _gender(c: Mapping[str, Any]) -> Gender | None:
    found = gender(c.get("gender"))
    if found is None:  # Idura names some claims by URI: .../claims/gender
        found = next((gender(v) for k, v in c.items() if k.endswith("/gender")), None)
    return found


def _yes_verified(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Yes: claims verified against an identity document (``yes.verified.*``) win."""
    merged = dict(claims)
    address = dict(claims["address"]) if isinstance(claims.get("address"), dict) else {}
    for key, value in claims.items():
        if key.startswith(_YES_VERIFIED):
            name = key[len(_YES_VERIFIED):]
            if name.startswith("address."):
                address[name[len("address."):]] = value
            else:
                merged[name] = value
    if address:
        merged["address"] = address
    if "nationality" not in merged and "yes.nationality" in claims:
        merged["nationality"] = claims["yes.nationality"]
    return merged


def _first(c: Mapping[str, Any], *names: str) -> str | None:
    return next((v for n in names if (v := text(c.get(n)))), None)


def _idin_names(c: Mapping[str, Any], name: str | None) -> tuple[str | None, ...]:
    """iDIN gives initials, never a first name; the last name is the legal prefix plus the
    legal last name ("de" + "Vries"), in the legacy dotted or the eID Hub's claim names."""
    initials = _first(c, "consumer.initials", "initials", "idin.consumer.initials",
                      "given_name")
    legal = _first(c, "consumer.legallastname", "idin_legal_last_name",
                   "idin.consumer.legallastname", "legallastname") or _first(c, "family_name")
    prefix = _first(c, "consumer.legallastnameprefix", "idin_legal_last_name_prefix",
                    "idin.consumer.legallastnameprefix", "legallastnameprefix")
    last = legal
    if prefix and legal and not legal.lower().startswith(prefix.lower() + " "):
        last = f"{prefix} {legal}"
    full = name or " ".join(p for p in (initials, last) if p) or None
    return None, last, full, initials


def _names(prof: Profile, c: Mapping[str, Any]) -> tuple[str | None, ...]:
    """(first, last, full, initials) as docs/identity.md defines them."""
    name = text(c.get("name"))
    if prof.method == "idin":
        return _idin_names(c, name)
    given = _first(c, "given_name", "npa.given_names")
    family = _first(c, "family_name", "npa.family_name")
    if name and "," in name and not (given and family):
        # "Last, First" (Norwegian BankID, Yes) when the parts are not given separately
        before, _, after = name.partition(",")
        family, given = family or text(before), given or text(after)
    # Names sent all in capitals (Personalausweis, Smart-ID, some banks) to name case.
    given, family = name_case(given), name_case(family)
    if given and family:
        full: str | None = f"{given} {family}"
    elif name and "," in name:
        full = " ".join(reversed([p.strip() for p in name.split(",", 1)]))
    else:
        full = name_case(name) if prof.capital_names else name
    return given, family, full, initials_of(given)


def _national_id(prof: Profile, c: Mapping[str, Any], warnings: list[str],
                 today: date | None) -> NationalId | None:
    for claim in prof.id_claims:
        raw = text(c.get(claim))
        if raw is None:
            continue
        where = prof.country or CLAIM_COUNTRY.get(claim) or country(
            c.get("nin_issuing_country")) or country_of(raw, _profiles.locale_country(c))
        if where is None:
            warnings.append(f"national id in {claim!r}: country unknown, not decoded")
            return None
        found = parse_national_id(raw, where, today=today)
        if found is None:
            warnings.append(f"national id in {claim!r} does not have the shape of a "
                            f"{where} number")
            return NationalId(raw, where, _DEFAULT_TYPE.get(where, "national_id"),
                              valid=False, problem="not shaped like a number of that country")
        if not found.valid:
            warnings.append(f"national id in {claim!r} is not a valid {where} number: "
                            f"{found.problem}")
        return found
    return None


def _pseudonym(prof: Profile, c: Mapping[str, Any], nid: NationalId | None) -> str | None:
    """The eID's stable person id, never the national number itself (some brokers put the
    national number in their generic id claim for some eIDs)."""
    for name in prof.pseudonym_claims:
        value = text(c.get(name))
        if value and not (nid is not None and value.replace("-", "") == nid.value.replace(
                "-", "")):
            return value
    return None


def _birth_date(prof: Profile, c: Mapping[str, Any], nid: NationalId | None,
                warnings: list[str]) -> date | None:
    for claim in ("birthdate", "npa.date_of_birth", "consumer.dateofbirth", "date_of_birth"):
        value = c.get(claim)
        if value is None:
            continue
        found = calendar_date(value)
        if found is None:
            warnings.append(f"birth date in {claim!r} could not be read")
            continue
        if nid is not None and nid.valid and nid.birth_date and nid.birth_date != found:
            warnings.append("birth date claim differs from the one in the national id")
        return found
    return nid.birth_date if nid is not None and nid.valid else None


def _address(prof: Profile, c: Mapping[str, Any]) -> Address | None:
    raw = c.get("address")
    parts: dict[str, str | None] = {}
    if isinstance(raw, dict):
        # OIDC Core 5.1.1; keys compared case-insensitively (the eID Hub sends "Formatted")
        lower = {str(k).lower(): v for k, v in raw.items()}
        parts = {"street": text(lower.get("street_address")),
                 "postal_code": text(lower.get("postal_code")),
                 "city": _city(lower), "region": text(lower.get("region")),
                 "country": country(lower.get("country")),
                 "formatted": _lines(lower.get("formatted"))}
    elif isinstance(raw, str):
        parts = {"formatted": _lines(raw)}
    elif isinstance(c.get("mitid.address"), str):  # Signicat Express MitID
        parts = {"formatted": _lines(c["mitid.address"])}
    if prof.method == "idin":
        street = " ".join(p for p in (_first(c, "consumer.street"),
                                      _first(c, "consumer.houseno"),
                                      _first(c, "consumer.housenosuf")) if p)
        parts.update({k: v for k, v in (
            ("street", street or None), ("postal_code", _first(c, "consumer.postalcode")),
            ("city", _first(c, "consumer.city")),
            ("country", country(c.get("consumer.country")))) if v})
    elif prof.method == "npa" and isinstance(c.get("npa.place_of_residence"), str):
        # "D:null:51147:KÖLN:HEIDESTRASSE 17": country:region:postcode:city:street
        fields = [None if p.strip() in ("", "null") else p.strip()
                  for p in c["npa.place_of_residence"].split(":", 4)]
        if len(fields) == 5:
            parts.update({k: v for k, v in zip(
                ("country", "region", "postal_code", "city", "street"),
                (country(fields[0]), *(text(f) for f in fields[1:])), strict=True) if v})
    if not any(parts.values()):
        return None
    return Address(**parts)


def _city(address: Mapping[str, Any]) -> str | None:
    """OIDC ``locality``; a placeholder like "(Lokalitet ukendt)" gives way to ``city``."""
    locality = text(address.get("locality"))
    if locality is None or locality.startswith("("):
        return text(address.get("city")) or locality
    return locality


def _lines(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    lines = [" ".join(line.split()) for line in value.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line) or None


def _nationality(prof: Profile, c: Mapping[str, Any]) -> str | None:
    found = country(c.get("nationality")) or country(c.get("npa.nationality"))
    if found is None and prof.method == "npa" and c.get("npa.document_type") == "ID":
        return "DE"  # the Personalausweis (document type ID) is issued to Germans only
    return found


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _adult(c: Mapping[str, Any], dob: date | None, at: datetime | None,
           today: date | None) -> bool | None:
    stated = flag(c.get("eighteen_or_older"))
    if stated is not None:
        return stated
    if dob is None:
        return None
    when = at.date() if at else today or date.today()
    return (when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))) >= 18
