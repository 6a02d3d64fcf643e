"""normalize() never raises on what a provider may send, and never alters `claims`."""

from __future__ import annotations

import copy
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import eidgate
from eidgate._identity.profiles import PROFILES

_NAMES = ["sub", "iss", "name", "given_name", "family_name", "birthdate", "gender",
          "email", "email_verified", "phone_number", "phone_number_verified", "address",
          "locale", "acr", "loa", "auth_time", "iat", "idp", "idp_issuer", "nin",
          "nin_issuing_country", "nin_type", "signicat.national_id", "mitid.cpr", "mitid.loa",
          "mitid.uuid", "ftn.idpId", "ftn.satu", "consumer.bin", "consumer.initials",
          "consumer.legallastname", "consumer.legallastnameprefix", "consumer.street",
          "consumer.houseno", "npa.place_of_residence", "npa.document_type",
          "npa.date_of_birth", "yes.verified.given_name", "yes.verified.address.country",
          "yes.nationality", "nationality", "eighteen_or_older", "initials",
          "signicat.certificate_policies", "signicat.certificate_issuer_dn", "ssn",
          "socialno", "hetu", "middle_name", "verified_claims", "nnin", "nnin_altsub",
          "bankid_altsub", "nbid_acr", "age", "nationalities", "npa_place_of_residence",
          "http://itsme.services/v2/claim/BENationalNumber", "dk.cpr", "date_of_birth",
          "https://data.gov.dk/concept/core/nsis/loa"]
_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                  st.text(max_size=30), st.sampled_from(
                      ["true", "FALSE", "1", "2", "M", "f", "19700217", "1970-07-07",
                       "Wed Aug 12 00:00:00 CEST 1964", "D:null:51147:KÖLN:X 1", ":::::::",
                       "070770-905D", "PNOEE-38001085718", "loa:high", "idin", "nbid-mobile",
                       "urn:grn:authn:se:bankid", "2.16.578.1.16.1.12.1.1", "Last, First",
                       "ERIKA", "", " ", "\u0000", "9" * 40, "1e400", "1964    ",
                       "1964-00-00", "196408", "0000-00-00", "9999-12", "17.02.1990",
                       "00.00.0000", "urn:bankid:bid;LOA=4", "30108299939", '{"country": "D"}',
                       "{", 635212800000, -10**16, 10**15 - 1, 1e10]))
_value = st.recursive(_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=8)
_claims = st.dictionaries(st.one_of(st.sampled_from(_NAMES), st.text(max_size=15)), _value,
                          max_size=12)


def same(a: Any, b: Any) -> bool:
    """Deep equality, types and key order included, in which NaN equals NaN (``==`` never
    holds for a NaN, so ``claims == before`` cannot tell a mutation from a NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_same_tells_a_changed_claim_from_a_nan() -> None:
    nan = float("nan")
    assert same({"a": [nan, {"b": 1}]}, {"a": [nan, {"b": 1}]})
    assert not same({"a": [nan, {"b": 1}]}, {"a": [nan, {"b": 2}]})
    assert not same({"a": nan}, {"a": 1.0})
    assert not same({"a": 1}, {"a": True})  # 1 == True, but not the same claim
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})  # order is part of what was sent
    assert not same({"a": [1]}, {"a": [1, 2]})


@settings(max_examples=400, deadline=None)
@given(claims=_claims, profile=st.sampled_from(["auto", *sorted(PROFILES)]))
def test_normalize_never_raises_and_never_mutates(claims: dict[str, Any],
                                                  profile: str) -> None:
    before = copy.deepcopy(claims)
    identity = eidgate.normalize(claims, profile)
    assert same(claims, before), "normalize() changed the claims it was given"
    assert same(dict(identity.claims), before), "identity.claims is not the raw claims"
    data = identity.to_dict()
    assert data["method"] in PROFILES
    assert data["gender"] in (None, "male", "female")
    assert data["loa"] in (None, "low", "substantial", "high")
    assert isinstance(data["email_verified"], bool)
    assert data["age_over_18"] in (None, True, False)
    for key in ("first_name", "last_name", "full_name", "initials", "email", "phone",
                "pseudonym", "nationality"):
        assert data[key] is None or (isinstance(data[key], str) and data[key])
