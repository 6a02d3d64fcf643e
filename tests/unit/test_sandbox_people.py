"""The sandbox hub's test persons (eidgate.sandbox._people).

Seed persons must be the seed pages' examples verbatim (checked in test_seed_documents.py);
every other person must carry a valid national number (where the eID has one) in the same
claim shape as its eID's seed example, and every person must normalise to its own eID.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import pytest
from seed_claims import SOURCES

import eidgate
from eidgate.sandbox import _people

PEOPLE = _people.PEOPLE
LEVELS = ("low", "substantial", "high")

# itsme's example has only standard OIDC claims, so `auto` cannot tell it from a generic
# provider (it normalises as method "oidc"). In a real login the eID Hub's ID token carries
# `idp`, which names the eID; these are checked with the explicit profile and with `idp`.
AUTO_UNDETECTABLE = {"itsme"}

# The country of each eID's national number (Smart-ID: from the PNOxx- wrapper or locale).
NUMBER_COUNTRY = {"ftn": "FI", "mobiilivarmenne": "FI", "mitid": "DK", "nemid": "DK",
                  "nbid": "NO", "sbid": "SE", "smartid": None}
NUMBER_CLAIM = {"mitid": "mitid.cpr"}  # else signicat.national_id


def _ids(people: tuple[Any, ...]) -> list[str]:
    return [p.key for p in people]


NON_SEED = tuple(p for p in PEOPLE if not p.seed)
NUMBERED = tuple(p for p in NON_SEED if p.eid in NUMBER_COUNTRY)


def _number_of(p: Any) -> tuple[str, str]:
    raw = p.claims[NUMBER_CLAIM.get(p.eid, "signicat.national_id")]
    country = NUMBER_COUNTRY[p.eid]
    if country is None:
        country = raw[3:5] if raw.startswith("PNO") else p.claims["locale"].upper()
    return raw, country


# -- the dataset -------------------------------------------------------------------------------
def test_eids_are_the_pickers_eleven_in_order() -> None:
    assert list(_people.EIDS) == ["ftn", "idin", "itsme", "mitid", "mobiilivarmenne", "nemid",
                                  "nbid", "npa", "smartid", "sbid", "yes"]
    assert all(label.strip() for label in _people.EIDS.values())


def test_keys_are_unique_login_hints() -> None:
    keys = [p.key for p in PEOPLE]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert re.fullmatch(r"[a-z0-9-]+", key), key


def test_every_eid_has_at_least_three_persons() -> None:
    for p in PEOPLE:
        assert p.eid in _people.EIDS, p.key
    for eid in _people.EIDS:
        people = _people.people_for(eid)
        assert len(people) >= 3, eid
        assert people == tuple(p for p in PEOPLE if p.eid == eid)
    assert _people.people_for("no-such-eid") == ()


def test_person_lookup() -> None:
    for p in PEOPLE:
        assert _people.person(p.key) is p
    assert _people.person("no-such-person") is None
    assert _people.person("FTN-VAINO") is None  # keys are exact


@pytest.mark.parametrize("p", PEOPLE, ids=_ids(PEOPLE))
def test_person_fields(p: Any) -> None:
    assert p.label.strip()
    assert p.loa in LEVELS
    assert "sub" not in p.claims
    # The broker's shape: every value is a string (booleans too: "true"), or an address object
    # of strings. The claims must also serialise as they are.
    for name, value in p.claims.items():
        if isinstance(value, dict):
            assert all(isinstance(v, str) for v in value.values()), name
        else:
            assert isinstance(value, str), name
    json.dumps(dict(p.claims))


def test_seed_flag_marks_exactly_the_seed_examples() -> None:
    assert {p.key for p in PEOPLE if p.seed} == set(SOURCES)


# -- normalisation -----------------------------------------------------------------------------
@pytest.mark.parametrize("p", PEOPLE, ids=_ids(PEOPLE))
def test_auto_detects_the_eid(p: Any) -> None:
    claims = {"sub": "x", **p.claims}
    if p.eid in AUTO_UNDETECTABLE:
        assert eidgate.normalize(claims, profile=p.eid).method == p.eid
        # the eID Hub's ID token names the eID in `idp`; merged claims then detect it
        assert eidgate.normalize({**claims, "idp": p.eid}).method == p.eid
    else:
        assert eidgate.normalize(claims).method == p.eid


@pytest.mark.parametrize("p", PEOPLE, ids=_ids(PEOPLE))
def test_level_is_what_the_claims_normalise_to(p: Any) -> None:
    assert eidgate.normalize({"sub": "x", **p.claims}, profile=p.eid).loa == p.loa


def test_mitid_levels_are_spread_and_consistent() -> None:
    mitid = _people.people_for("mitid")
    assert {p.loa for p in mitid} == set(LEVELS)
    for p in mitid:
        assert p.claims["mitid.loa"] == p.loa.upper(), p.key
        # the MitID level of a login is the lowest of identity, authenticator and federation
        parts = [p.claims[f"mitid.{x}"].lower() for x in ("ial", "aal", "fal")]
        assert min(parts, key=LEVELS.index) == p.loa, p.key


@pytest.mark.parametrize("p", NON_SEED, ids=_ids(NON_SEED))
def test_non_seed_persons_normalise_without_warnings(p: Any) -> None:
    claims = {"sub": "x", **p.claims}
    assert eidgate.normalize(claims, profile=p.eid).warnings == ()
    if p.eid not in AUTO_UNDETECTABLE:
        assert eidgate.normalize(claims).warnings == ()


@pytest.mark.parametrize("p", NUMBERED, ids=_ids(NUMBERED))
def test_non_seed_national_numbers_are_valid(p: Any) -> None:
    raw, country = _number_of(p)
    parsed = eidgate.parse_national_id(raw, country)
    assert parsed is not None and parsed.valid, (p.key, parsed)
    assert parsed.birth_date is not None
    if p.eid in ("mitid", "nemid", "ftn", "mobiilivarmenne", "nbid", "smartid"):
        assert p.claims.get("signicat.national_id") == raw  # same number in both claims
    identity = eidgate.normalize({"sub": "x", **p.claims})
    assert identity.warnings == ()
    assert identity.national_id == parsed
    assert identity.date_of_birth == parsed.birth_date
    assert identity.gender == parsed.gender  # a gender claim, if sent, agrees with the number
    if "birthdate" in p.claims:
        assert p.claims["birthdate"] == parsed.birth_date.isoformat()


def test_the_requested_kinds_of_numbers_are_there() -> None:
    kinds = {(n.country, n.type) for p in NUMBERED
             if (n := eidgate.parse_national_id(*_number_of(p))) is not None}
    assert {("SE", "samordningsnummer"), ("NO", "dnr"), ("DK", "cpr")} <= kinds
    hetus = [_number_of(p)[0] for p in NUMBERED if _number_of(p)[1] == "FI"]
    assert any(h[6] in "ABCDEFYXWVU" for h in hetus)  # a 2000s or a 2023 century sign
    assert any(p.claims["signicat.national_id"].startswith(("PNOEE-", "PNOLT-"))
               for p in NON_SEED if p.eid == "smartid")


def test_someone_is_under_18() -> None:
    minors = [p.key for p in PEOPLE
              if eidgate.normalize({"sub": "x", **p.claims}, profile=p.eid).age_over_18 is False]
    assert minors, "no test person is under 18 any more: give one a later birth date"


def test_idin_persons_with_a_last_name_prefix() -> None:
    prefixed = [p for p in NON_SEED if p.eid == "idin"]
    assert len(prefixed) >= 2
    for p in prefixed:
        prefix = p.claims["consumer.legallastnameprefix"]
        identity = eidgate.normalize({"sub": "x", **p.claims})
        assert identity.last_name == f"{prefix} {p.claims['consumer.legallastname']}"
        assert identity.first_name is None  # iDIN gives initials only
        assert p.claims["birthdate"] == p.claims["consumer.dateofbirth"]
        assert re.fullmatch(r"[0-9]{8}", p.claims["birthdate"])


def test_npa_persons_have_java_dates_and_null_residence_parts() -> None:
    for p in _people.people_for("npa"):
        assert "null" in p.claims["npa.place_of_residence"].split(":"), p.key
        for name in ("birthdate", "npa.date_of_birth", "npa.date_of_expiry"):
            assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} 00:00:00 CES?T [0-9]{4}",
                                p.claims[name]), (p.key, name)
            if not p.seed:  # the weekday is the one of the date written
                parsed = datetime.strptime(p.claims[name].replace(" CEST ", " ").replace(
                    " CET ", " "), "%a %b %d %H:%M:%S %Y")
                assert parsed.strftime("%a") == p.claims[name][:3], (p.key, name)


def test_a_yes_person_whose_verified_claims_differ() -> None:
    differing = [p for p in _people.people_for("yes")
                 if p.claims.get("yes.verified.given_name", p.claims["given_name"])
                 != p.claims["given_name"]]
    assert differing
    for p in differing:
        identity = eidgate.normalize({"sub": "x", **p.claims})
        assert identity.first_name == p.claims["yes.verified.given_name"]
        assert identity.address is not None
        assert identity.address.city == p.claims["yes.verified.address.locality"]


def test_birth_dates_are_in_the_past() -> None:
    for p in PEOPLE:
        born = eidgate.normalize({"sub": "x", **p.claims}, profile=p.eid).date_of_birth
        assert born is None or born < date.today(), p.key
