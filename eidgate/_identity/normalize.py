"""``normalize(claims)``: one :class:`Identity` from whatever claims an eID sent.

Pure functions over a mapping, and no eID named here: what each eID sends, and where it
departs from the OpenID Connect claims, is in the profile table (``profiles``); values are
read by ``claim_values``, national numbers by ``national_id``, levels by ``levels``.
Warnings never repeat personal data: they say what, not whose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from .._json import parse_json
from . import profiles as _profiles
from .claim_values import (
    calendar_date,
    country,
    date_bounds,
    first_text,
    flag,
    gender,
    initials_of,
    name_case,
    text,
)
from .levels import stated_level
from .model import Address, Gender, Identity
from .national_id import NUMBER_TYPES, NationalId, country_of, parse_national_id
from .profiles import (
    ADDRESS_TEXT_CLAIMS,
    AGE_CLAIMS,
    BIRTH_DATE_CLAIMS,
    CLAIM_COUNTRY,
    FAMILY_NAME_CLAIMS,
    GIVEN_NAME_CLAIMS,
    NATIONALITY_CLAIMS,
    Names,
    Profile,
)


def normalize(claims: Mapping[str, Any], profile: str = "auto", *, provider: str | None = None,
              issuer: str | None = None, scopes: Iterable[str] = (),
              today: date | None = None) -> Identity:
    """The normalised :class:`Identity` for verified ``claims`` (ID token + userinfo).

    ``profile`` names the eID (``"ftn"``, ``"idin"``, ... see docs/identity.md) or is
    ``"auto"`` to recognise it from the claims and ``scopes``. ``today`` fixes the date
    that ``age_over_18`` is computed at when the claims carry no authentication time.
    """
    prof = _profiles.detect(claims, scopes, issuer) if profile == "auto" else \
        _profiles.get(profile)
    c: Mapping[str, Any] = prof.prepare(claims) if prof.prepare else claims
    if "verified_claims" in claims:
        c = _verified_claims(claims["verified_claims"], c)
    warnings: list[str] = []
    verified_at = _timestamp(c.get("auth_time")) or _timestamp(c.get("iat"))
    first, last, full, initials = _names(prof, c)
    # A number "born in the future", and the century of a Swedish 10-digit number, are judged
    # at the login (FOL 18 §: the sign is the one of the day the number is written).
    nid = _national_id(prof, c, warnings, today or (verified_at.date() if verified_at else None))
    dob, bounds = _birth_date(prof, c, nid, warnings)
    loa = stated_level(c) or prof.default_loa
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
        age_over_18=_adult(c, bounds, verified_at, today),
        pseudonym=_pseudonym(prof, c, nid),
        verified_at=verified_at, claims=claims, warnings=tuple(warnings),
        # OIDC Core 2: auth_time is the ID token's own, top-level claim (what max_age is
        # judged by); not iat, nor a time inside verified_claims or a profile's mapping
        auth_time=_timestamp(claims.get("auth_time")))


def _gender(c: Mapping[str, Any]) -> Gender | None:
    found = gender(c.get("gender"))
    if found is None:  # Idura names some claims by URI: .../claims/gender
        found = next((gender(v) for k, v in c.items() if k.endswith("/gender")), None)
    return found


def _verified_claims(value: object, c: Mapping[str, Any]) -> Mapping[str, Any]:
    """Claims verified against evidence win over the plain ones of the same name.

    OpenID Connect for Identity Assurance 1.0 (5.1): ``verified_claims`` is an object (or an
    array of them) whose ``claims`` member holds the verified claims, e.g. Yes' ``given_name``,
    ``birthdate``, ``address``, ``nationalities``. Idura puts iDIN attributes flat in one
    ``verified_claims`` object instead (``bin``, ``legallastname``); those only fill gaps.
    """
    found: dict[str, Any] = {}
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            continue
        inner = item.get("claims")
        if isinstance(inner, dict):
            found.update(inner)
        elif "verification" not in item:
            return {**item, **c}  # Idura's flat shape
    return {**c, **found} if found else c


def _names(prof: Profile, c: Mapping[str, Any]) -> Names:
    """(first, last, full, initials) as docs/identity.md defines them."""
    name = text(c.get("name"))
    if prof.names:
        return prof.names(c, name)
    given = first_text(c, *GIVEN_NAME_CLAIMS)
    family = first_text(c, *FAMILY_NAME_CLAIMS)
    middle = text(c.get("middle_name"))  # OIDC Core 5.1: middle name(s), apart from given
    if name and "," in name and not (given and family):
        # "Last, First" (Norwegian BankID, Yes) when the parts are not given separately
        before, _, after = name.partition(",")
        family, given = family or text(before), given or text(after)
    elif name and given == name and family and name.endswith(f" {family}"):
        # the whole name sent as the given name (Signicat .beID): the given part is before
        # the family name
        given = text(name[:-len(family) - 1])
    elif name and bool(given) != bool(family):
        # Only one part sent beside the full name: the other is what the name adds to it.
        given, family = _other_part(name, given, middle, family)
    # Names sent all in capitals (Personalausweis, Smart-ID, some banks) to name case.
    given, middle, family = name_case(given), name_case(middle), name_case(family)
    forenames = f"{given} {middle}" if given and middle else given
    if given and family:
        full: str | None = f"{forenames} {family}"
    elif name and "," in name:
        full = " ".join(reversed([p.strip() for p in name.split(",", 1)]))
    else:
        full = name_case(name) if prof.capital_names else name
    return given, family, full, initials_of(forenames)


def _other_part(name: str, given: str | None, middle: str | None,
                family: str | None) -> tuple[str | None, str | None]:
    """(given, family) with the missing one read off the full name, when the name is exactly
    the known part and more (``Anna Svensson`` with given ``Anna``: family ``Svensson``)."""
    if given:
        head = f"{given} {middle} " if middle else f"{given} "
        rest = name[len(head):] if name.startswith(head) else None
        return given, text(rest)
    tail = f" {family}"
    rest = name[:-len(tail)] if name.endswith(tail) else None
    if rest and middle and rest.endswith(f" {middle}"):
        rest = rest[:-len(middle) - 1]
    return text(rest), family


def _national_id(prof: Profile, c: Mapping[str, Any], warnings: list[str],
                 today: date | None) -> NationalId | None:
    for claim in prof.id_claims:
        raw = text(c.get(claim))
        if raw is None:
            continue
        if raw[:3].upper() in ("PAS", "IDC") and raw[5:6] == "-" and raw[3:5].isalpha():
            # ETSI EN 319 412-1 5.1.3 semantics identifiers: PAS = passport number, IDC =
            # identity card number (Smart-ID may identify a person so): a document's number,
            # not a personal code.
            warnings.append(f"{claim!r} holds a passport or identity card number, "
                            "not a national id")
            return None
        where = prof.country or CLAIM_COUNTRY.get(claim) or country(
            c.get("nin_issuing_country")) or country_of(raw, _profiles.locale_country(c))
        if where is None:
            warnings.append(f"national id in {claim!r}: country unknown, not decoded")
            return None
        found = parse_national_id(raw, where, today=today)
        if found is None:
            warnings.append(f"national id in {claim!r} does not have the shape of a "
                            f"{where} number")
            return NationalId(raw, where, NUMBER_TYPES.get(where, "national_id"),
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
                warnings: list[str]) -> tuple[date | None, tuple[date, date] | None]:
    """The birth date, and the (earliest, latest) days it can be (one day when known).

    A partial date (the German eID card can hold one) gives no ``date_of_birth`` but still
    bounds the age; a valid national number then gives the full date if it has one.
    """
    bounds: tuple[date, date] | None = None
    for claim in BIRTH_DATE_CLAIMS:
        value = c.get(claim)
        if value is None:
            continue
        found = calendar_date(value)
        if found is None:
            partial = date_bounds(value)
            if partial is not None:
                bounds = bounds or partial
                warnings.append(f"birth date in {claim!r} is incomplete")
            else:
                warnings.append(f"birth date in {claim!r} could not be read")
            continue
        if nid is not None and nid.valid and nid.birth_date and nid.birth_date != found:
            warnings.append("birth date claim differs from the one in the national id")
        return found, (found, found)
    if nid is not None and nid.valid and nid.birth_date:
        return nid.birth_date, (nid.birth_date, nid.birth_date)
    return None, bounds


def _address(prof: Profile, c: Mapping[str, Any]) -> Address | None:
    raw = c.get("address")
    if isinstance(raw, str) and raw.lstrip().startswith("{"):
        raw = _json_object(raw) or raw  # some brokers send the OIDC object as a JSON string
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
    elif (line := next((v for n in ADDRESS_TEXT_CLAIMS if isinstance(v := c.get(n), str)),
                       None)) is not None:
        parts = {"formatted": _lines(line)}
    if prof.address:
        parts.update(prof.address(c))
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
    found = next((n for claim in NATIONALITY_CLAIMS if (n := country(c.get(claim)))), None)
    if found is None and isinstance(c.get("nationalities"), list) and c["nationalities"]:
        found = country(c["nationalities"][0])  # OIDC4IDA 4.1: an array of country codes
    if found is None and prof.nationality:
        return prof.nationality(c)
    return found


def _json_object(raw: str) -> dict[str, Any] | None:
    if len(raw) > 4096:
        return None
    try:
        value = parse_json(raw)  # strict: no NaN, no duplicate keys (a hostile provider)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, str) and value.isdigit() and value.isascii() and len(value) < 12:
        value = int(value)  # some brokers send NumericDate claims as strings
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _adult(c: Mapping[str, Any], bounds: tuple[date, date] | None, at: datetime | None,
           today: date | None) -> bool | None:
    """``eighteen_or_older`` when stated; else from the birth date (also a partial one, when
    every day it can be gives the same answer) at the login; else from a stated ``age``."""
    stated = flag(c.get("eighteen_or_older"))
    if stated is not None:
        return stated
    if bounds is None:
        age = next((v for n in AGE_CLAIMS if (v := c.get(n)) is not None), None)
        if isinstance(age, str) and age.strip().isdigit() and age.strip().isascii():
            age = int(age)
        return age >= 18 if isinstance(age, int) and not isinstance(age, bool) else None
    when = at.date() if at else today or date.today()
    earliest, latest = bounds
    if _age(latest, when) >= 18:
        return True
    if _age(earliest, when) < 18:
        return False
    return None


def _age(born: date, when: date) -> int:
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))
