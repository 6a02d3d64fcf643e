"""What the `eidgate.normalize` tests share: the expected-value builders and the checks.

Expected values in those tests are written by hand from docs/identity.md (the contract) and
docs/eid-facts.md, never copied from what eidgate returns; these helpers only
spell them (``nid``, ``address``) and compare (``as_dict``, ``subset``, ``check_warnings``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import eidgate
from eidgate._identity.national_id import NationalId, parse_national_id

Claims = dict[str, Any]

# The fields of Identity.to_dict() compared exactly; `claims` and `warnings` are checked apart.
FIELDS = (
    "subject",
    "issuer",
    "provider",
    "method",
    "first_name",
    "last_name",
    "full_name",
    "initials",
    "date_of_birth",
    "gender",
    "national_id",
    "email",
    "email_verified",
    "phone",
    "phone_verified",
    "address",
    "nationality",
    "loa",
    "age_over_18",
    "pseudonym",
    "verified_at",
)


def nid(value: str, country: str, type_: str) -> dict[str, str]:
    """An expected `national_id`, as to_dict() spells it."""
    return {"value": value, "country": country, "type": type_}


def address(
    *,
    street: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    region: str | None = None,
    country: str | None = None,
    formatted: str | None = None,
) -> dict[str, str | None]:
    """An expected `address`, as to_dict() spells it (a part not named is None)."""
    return {
        "street": street,
        "postal_code": postal_code,
        "city": city,
        "region": region,
        "country": country,
        "formatted": formatted,
    }


def without(claims: Mapping[str, Any], *keys: str) -> Claims:
    return {k: v for k, v in claims.items() if k not in keys}


def run(claims: Claims, profile: str = "auto", **kwargs: Any) -> eidgate.Identity:
    """normalize() the claims; check that they come back untouched in `identity.claims`."""
    snapshot = copy.deepcopy(claims)
    identity = eidgate.normalize(claims, profile=profile, **kwargs)
    assert claims == snapshot, "normalize() changed the claims it was given"
    assert dict(identity.claims) == snapshot, "identity.claims is not the raw claims"
    return identity


def normalized(claims: Claims, profile: str = "auto", **kwargs: Any) -> dict[str, Any]:
    """run(), as to_dict() (claims and warnings included)."""
    return run(claims, profile, **kwargs).to_dict()


def as_dict(identity: eidgate.Identity) -> dict[str, Any]:
    """to_dict() without claims/warnings, after checking it has exactly the contract's keys."""
    data = identity.to_dict()
    assert set(data) == {*FIELDS, "auth_time", "claims", "warnings"}, sorted(data)
    # auth_time is checked here, against the raw claims, so the expected dicts need not
    # spell it: OIDC Core 2, the top-level auth_time (a NumericDate), never iat
    raw = identity.claims.get("auth_time")
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    when = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    assert data["auth_time"] == (None if when is None else
                                 datetime.fromtimestamp(when, UTC).isoformat())
    out = {k: v for k, v in data.items() if k not in ("auth_time", "claims", "warnings")}
    # READING: the contract says "ISO 8601, UTC" without fixing the spelling of the offset;
    # "+00:00" (datetime.isoformat) and "Z" are the same instant, both are accepted.
    verified_at = out["verified_at"]
    if isinstance(verified_at, str) and verified_at.endswith("Z"):
        out["verified_at"] = verified_at[:-1] + "+00:00"
    return out


def subset(data: Mapping[str, Any], expected: Mapping[str, Any]) -> dict[str, Any]:
    """The items of ``data`` that ``expected`` names, to compare with ``expected``."""
    return {k: data[k] for k in expected}


NAME_CLAIMS = ("given_name", "family_name", "name", "npa.given_names", "npa.family_name")


def claim_names(claims: Mapping[str, Any]) -> list[str | None]:
    return [claims.get(k) for k in NAME_CLAIMS]


def name_tokens(*names: object) -> set[str]:
    return {t for n in names if isinstance(n, str) for t in re.split(r"[\s,]+", n)
            if len(t) >= 3}


def check_warnings(
    identity: eidgate.Identity,
    expected: bool | None,
    numbers: Iterable[str | None] = (),
    *,
    names: Iterable[str | None] = (),
) -> None:
    """Warnings present or not as expected (None: not asserted), and free of personal data:
    no digit of the national ``numbers``, no word of ``names`` or of the claims' names."""
    warnings = identity.to_dict()["warnings"]
    assert isinstance(warnings, list)
    assert all(isinstance(w, str) for w in warnings)
    if expected is not None:
        assert bool(warnings) is expected, f"expected warnings: {expected}; got {warnings}"
    digits = {c for n in numbers if n for c in n if c.isdigit()}
    tokens = name_tokens(*names, *claim_names(identity.claims))
    for w in warnings:
        leaked = sorted(digits & set(w))
        assert not leaked, f"a warning contains digit(s) {leaked} of the national number"
        assert not [t for t in tokens if t in w], "a warning contains the person's name"


@dataclass(frozen=True)
class Example:
    """A published claim set and what the contract determines for it."""

    id: str
    claims: Claims
    profile: str  # the explicit profile ("oidc" where the contract names no method for it)
    expected: dict[str, Any]
    warnings: bool | None
    numbers: tuple[str, ...] = ()
    # Fields determined under profile="auto" (None: the contract cannot pick the eID, so "auto"
    # is not asserted beyond what `auto` lists). Empty dict: same as `expected`.
    auto: dict[str, Any] | None = field(default_factory=dict)


def check_example(example: Example, profile: str) -> None:
    """The example normalised with its own profile, or with "auto"."""
    if profile == "auto":
        expected = example.auto or example.expected
    else:
        expected = example.expected
        profile = example.profile
    identity = run(example.claims, profile)
    assert subset(as_dict(identity), expected) == expected
    check_warnings(identity, example.warnings, example.numbers)


@dataclass(frozen=True)
class Seed:
    """A seed example and the whole identity the contract gives for it."""

    id: str
    claims: Claims
    profile: str  # the explicit profile name (= the method)
    expected: dict[str, Any]
    warnings: bool
    # Fields that differ when the profile is picked automatically from the claims.
    auto: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert tuple(self.expected) == FIELDS, self.id


def check_seed(seed: Seed, profile: str, number: str | None) -> None:
    """The seed normalised with "auto" or its own ("explicit") profile: every field exactly,
    and warnings as expected, free of ``number``'s digits and of the person's names."""
    if profile == "auto":
        identity = run(seed.claims)
        expected = {**seed.expected, **seed.auto}
    else:
        identity = run(seed.claims, seed.profile)
        expected = seed.expected
    assert as_dict(identity) == expected
    check_warnings(identity, seed.warnings, (number,),
                   names=[expected["first_name"], expected["last_name"]])


# -- national identity numbers ----------------------------------------------------------------
FAR = date(2099, 12, 31)  # a "today" after every birth date in the century tables
NOW = date(2025, 6, 1)  # a pinned "today" for the seeds, 10-digit Swedish numbers, futures
COUNTRIES = ("FI", "DK", "NO", "SE", "EE", "LT", "LV", "BE")


def parse(raw: str, country: str, today: date = FAR) -> NationalId:
    """parse_national_id(), which must recognise ``raw`` as shaped like that country's."""
    result = parse_national_id(raw, country, today=today)
    assert result is not None, f"{raw!r} should be shaped like a {country} number"
    return result


def assert_no_digits(problem: str | None) -> None:
    """A national number's problem is stated, and holds no digit (of the number or any)."""
    assert problem is not None
    assert not any(ch.isdigit() for ch in problem), problem
