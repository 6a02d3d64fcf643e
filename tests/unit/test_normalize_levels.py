"""`eidgate.normalize`: recognising the eID and its level of assurance.

Levels stated by the eID (acr values, MitID's ial/aal/fal, NSIS), the per-eID default where
the eID never states one (docs/identity.md, "Level of assurance"), and the rule that only a
recognised eID brings a default, never one guessed from claim names. Expected values written
by hand from docs/identity.md and the rule cited.
"""

from __future__ import annotations

from typing import Any

import pytest
from normalize_helpers import Claims, as_dict, normalized, run, subset, without
from seed_claims import (
    EIDHUB_ID_TOKEN,
    FTN,
    IDIN,
    ITSME,
    MITID,
    MOBIILIVARMENNE,
    NBID,
    NEMID,
    NPA,
    SBID,
    SMARTID,
    YES,
)

MITID_WITHOUT_LEVELS = without(
    MITID, "mitid.loa", "mitid.ial", "mitid.ial_identity_assurance_level", "mitid.aal", "mitid.fal"
)


@pytest.mark.parametrize(
    ("claims", "profile", "loa"),
    [
        (MITID, "mitid", "low"),  # "mitid.loa": "LOW"
        ({**MITID, "mitid.loa": "SUBSTANTIAL"}, "mitid", "substantial"),
        ({**MITID, "mitid.loa": "HIGH"}, "mitid", "high"),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "https://data.gov.dk/concept/core/nsis/Substantial"},
            "mitid",
            "substantial",
        ),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "https://data.gov.dk/concept/core/nsis/High"},
            "mitid",
            "high",
        ),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "https://data.gov.dk/concept/core/nsis/Low"},
            "mitid",
            "low",
        ),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "urn:grn:authn:dk:mitid:substantial"},
            "mitid",
            "substantial",
        ),
        (MITID_WITHOUT_LEVELS, "mitid", None),  # MitID: only as sent
        ({**EIDHUB_ID_TOKEN, "acr": "loa:high"}, "idin", "high"),  # stated beats the default
        ({**NPA, "acr": "loa:substantial"}, "npa", "substantial"),  # even when lower
        ({**FTN, "loa": "high"}, "ftn", "high"),
        (ITSME, "oidc", None),  # generic OIDC
    ],
    ids=[
        "mitid.loa-LOW",
        "mitid.loa-SUBSTANTIAL",
        "mitid.loa-HIGH",
        "nsis-substantial",
        "nsis-high",
        "nsis-low",
        "idura-urn",
        "mitid-unsaid",
        "acr-loa:high",
        "npa-stated-lower",
        "loa-claim",
        "generic-oidc",
    ],
)
def test_loa(claims: Claims, profile: str, loa: str | None) -> None:
    assert as_dict(run(claims, profile))["loa"] == loa


@pytest.mark.parametrize(
    ("claims", "profile", "loa"),
    [
        (FTN, "ftn", "substantial"),
        (MOBIILIVARMENNE, "mobiilivarmenne", "substantial"),
        (IDIN, "idin", "substantial"),
        (NEMID, "nemid", "substantial"),
        (SMARTID, "smartid", "substantial"),
        (SBID, "sbid", "substantial"),
        (YES, "yes", "substantial"),
        (ITSME, "itsme", "high"),
        (NPA, "npa", "high"),
        (NBID, "nbid", "high"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_loa_defaults_where_the_eid_does_not_say(
    claims: Claims, profile: str, loa: str
) -> None:
    assert as_dict(run(claims, profile))["loa"] == loa


# The eID Hub copies BankID's acr into nbid_acr
# (https://developer.signicat.com/identity-methods/nbid/attributes-reference/).
@pytest.mark.parametrize(("nbid_acr", "loa"), [("urn:bankid:bid;LOA=4", "high"),
                                                ("urn:bankid:bis;LOA=3", "substantial")])
def test_eidhub_nbid_acr(nbid_acr: str, loa: str) -> None:
    claims = {"sub": "x", "nin": "18126645771", "nin_issuing_country": "NO",
              "nbid_acr": nbid_acr, "idp": "nbid"}
    assert normalized(claims)["loa"] == loa


# ID-porten's levels (https://docs.digdir.no, "idporten-loa-substantial", "idporten-loa-high";
# before 2023 "Level3", "Level4"), also as the eID Hub's `idporten_loa`.
@pytest.mark.parametrize(("acr", "loa"), [("idporten-loa-substantial", "substantial"),
                                          ("idporten-loa-high", "high"),
                                          ("Level3", "substantial"), ("Level4", "high")])
def test_idporten_levels(acr: str, loa: str) -> None:
    assert normalized({"sub": "x", "acr": acr})["loa"] == loa


def test_mitid_nsis_level_claim() -> None:
    data = normalized({"sub": "x", "https://data.gov.dk/concept/core/nsis/loa": "Substantial"},
               "mitid")
    assert data["loa"] == "substantial"


# Issue 3 / docs/identity.md, "Level of assurance": where the eID never states a level, the
# per-eID default applies to the recognised eID (Norwegian BankID and Personalausweis high,
# FTN and iDIN substantial). A stated level always wins.
# (made up, arithmetic in test_normalize_direct_providers.py) fødselsnummer 18126645771:
# valid, 1966-12-18.
NNIN = {"sub": "x", "nnin": "18126645771"}


@pytest.mark.parametrize(
    ("claims", "kwargs", "method", "loa"),
    [
        (NNIN, {}, "nbid", "high"),  # BankID Norge's own claim name
        ({**NNIN, "acr": "urn:signicat:oidc:method:nbid"}, {}, "nbid", "high"),
        ({**NNIN, "identityscheme": "nobankid-oidc"}, {}, "nbid", "high"),
        ({**NNIN, "idp": "nbid"}, {}, "nbid", "high"),
        # BankID Norge's own issuer names the eID even without its claim names
        ({"sub": "x", "iss": "https://auth.bankid.no/auth/realms/prod"}, {}, "nbid", "high"),
        ({"sub": "x"}, {"issuer": "https://auth.current.bankid.no/auth/realms/current"},
         "nbid", "high"),
        # a host that only looks like BankID's is not BankID's
        ({"sub": "x", "iss": "https://bankid.no.example.com/"}, {}, "oidc", None),
        ({"sub": "x", "iss": "https://notbankid.no/"}, {}, "oidc", None),
        # a stated level wins over the default
        ({**NNIN, "acr": "urn:bankid:bid;LOA=3"}, {}, "nbid", "substantial"),
        ({"sub": "x", "npa.document_type": "ID"}, {}, "npa", "high"),
        ({"sub": "x", "consumer.bin": "NLRABO1"}, {}, "idin", "substantial"),
        # FTN's idp claim names the Finnish provider (seed: "ftn.idpId": "fi-op")
        ({"sub": "x", "ftn_idp": "fi-op"}, {}, "ftn", "substantial"),
    ],
)
def test_recognised_eid_and_its_level(claims: Claims, kwargs: dict[str, Any],
                                      method: str, loa: str | None) -> None:
    assert subset(normalized(claims, **kwargs), {"method": method, "loa": loa}) == {
        "method": method, "loa": loa}


@pytest.mark.parametrize(("profile", "loa"), [("nbid", "high"), ("npa", "high"),
                                              ("idin", "substantial"), ("mitid", None)])
def test_configured_profile_brings_its_default(profile: str, loa: str | None) -> None:
    assert normalized({"sub": "x"}, profile)["loa"] == loa
