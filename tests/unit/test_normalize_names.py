"""`eidgate.normalize`: first, last and full names and initials.

iDIN's initials and last-name prefixes, the Personalausweis' and Smart-ID's capitals,
Norwegian BankID's "Last, First", middle names, Unicode normalisation and white space.
Expected values written by hand from docs/identity.md and the rule cited.
"""

from __future__ import annotations

import unicodedata

import pytest
from normalize_helpers import Claims, as_dict, normalized, run, subset, without
from seed_claims import (
    EIDHUB_JSON_USERINFO,
    EIDHUB_JWT_USERINFO,
    FTN,
    IDIN,
    ITSME,
    NBID,
    NPA,
    SMARTID,
)


def test_idin_given_name_is_initials() -> None:
    data = as_dict(run(IDIN, "idin"))
    assert data["first_name"] is None
    assert data["initials"] == "C"
    assert data["full_name"] == "C Stegenga"


@pytest.mark.parametrize(
    ("claims", "last_name"),
    [
        (EIDHUB_JWT_USERINFO, "de Vries"),
        (EIDHUB_JSON_USERINFO, "de Vries"),
        (
            {
                **IDIN,
                "consumer.legallastnameprefix": "van der",
                "consumer.legallastname": "Berg",
                "family_name": "Berg",
                "name": "C van der Berg",
            },
            "van der Berg",
        ),
    ],
    ids=["jwt-userinfo", "json-userinfo", "legacy-van-der"],
)
def test_idin_last_name_is_prefix_and_legal_last_name(claims: Claims, last_name: str) -> None:
    data = as_dict(run(claims, "idin"))
    assert data["last_name"] == last_name
    assert data["first_name"] is None


def test_npa_upper_case_names_are_put_in_name_case() -> None:
    data = as_dict(run(NPA, "npa"))
    assert (data["first_name"], data["last_name"]) == ("Erika", "Mustermann")
    assert data["full_name"] == "Erika Mustermann"  # not the provider's "ERIKA MUSTERMANN"
    assert data["initials"] == "E"

    claims = {
        **NPA,
        "given_name": "ERIKA ANNA",
        "npa.given_names": "ERIKA ANNA",
        "family_name": "MÜLLER-LÜDENSCHEIDT",
        "npa.family_name": "MÜLLER-LÜDENSCHEIDT",
        "name": "ERIKA ANNA MÜLLER-LÜDENSCHEIDT",
    }
    data = as_dict(run(claims, "npa"))
    assert (data["first_name"], data["last_name"]) == ("Erika Anna", "Müller-Lüdenscheidt")
    assert data["full_name"] == "Erika Anna Müller-Lüdenscheidt"
    assert data["initials"] == "EA"


@pytest.mark.parametrize(
    ("claims", "profile", "first_name", "last_name"),
    [
        # docs/identity.md (as reworded during this work) gives `von der Leyen` as the name
        # case of a capitals-only name with particles.
        (
            {**NPA, "family_name": "VON DER LEYEN", "npa.family_name": "VON DER LEYEN",
             "name": "ERIKA VON DER LEYEN"},
            "npa",
            "Erika",
            "von der Leyen",
        ),
        # ... and applies name case to any name sent entirely in capitals, whatever the eID.
        (
            {**FTN, "given_name": "VÄINÖ", "family_name": "TUNNISTUS",
             "name": "VÄINÖ TUNNISTUS"},
            "ftn",
            "Väinö",
            "Tunnistus",
        ),
    ],
    ids=["npa-particles", "ftn-capitals"],
)
def test_capitals_only_names_reworded_contract(
    claims: Claims, profile: str, first_name: str, last_name: str
) -> None:
    data = as_dict(run(claims, profile))
    assert (data["first_name"], data["last_name"]) == (first_name, last_name)
    assert data["full_name"] == f"{first_name} {last_name}"


def test_smartid_upper_case_names_are_put_in_name_case() -> None:
    data = as_dict(run(SMARTID, "smartid"))
    assert (data["first_name"], data["last_name"]) == ("Demo", "Smart-Id")


def test_names_of_other_eids_are_kept_as_written() -> None:
    claims = {**ITSME, "family_name": "van den Berg", "name": "Debora van den Berg"}
    data = as_dict(run(claims, "itsme"))
    assert data["last_name"] == "van den Berg"
    assert data["full_name"] == "Debora van den Berg"



@pytest.mark.parametrize(
    "claims",
    [NBID, without(NBID, "given_name", "family_name")],
    ids=["with-given-and-family-name", "name-only"],
)
def test_norwegian_last_comma_first(claims: Claims) -> None:
    data = as_dict(run(claims, "nbid"))
    assert data["first_name"] == "Anders Test"
    assert data["last_name"] == "Karpedamsvik"
    assert data["full_name"] == "Anders Test Karpedamsvik"
    assert data["initials"] == "AT"


def test_names_are_nfc() -> None:
    claims = {**FTN, "given_name": "Va\u0308ino\u0308", "name": "Va\u0308ino\u0308 Tunnistus"}
    assert not unicodedata.is_normalized("NFC", claims["given_name"])
    data = as_dict(run(claims, "ftn"))  # run() also checks the claims stay decomposed
    assert data["first_name"] == "V\u00e4in\u00f6"
    assert data["full_name"] == "V\u00e4in\u00f6 Tunnistus"
    assert data["initials"] == "V"


def test_name_whitespace_is_collapsed() -> None:
    claims = {**ITSME, "given_name": "  Debora \t Anna ", "family_name": " Test  "}
    data = as_dict(run(claims, "itsme"))
    assert data["first_name"] == "Debora Anna"
    assert data["last_name"] == "Test"
    assert data["full_name"] == "Debora Anna Test"
    assert data["initials"] == "DA"


def test_middle_name() -> None:
    # OIDC Core 5.1: middle_name is apart from given_name ("in some cultures, people can have
    # multiple given names; ... middle names"); the full name holds all three.
    data = normalized({"sub": "x", "given_name": "Anna", "middle_name": "Maria",
                "family_name": "Svensson"}, "oidc")
    assert subset(data, {"first_name": "Anna", "last_name": "Svensson",
                         "full_name": "Anna Maria Svensson", "initials": "AM"}) == {
        "first_name": "Anna", "last_name": "Svensson", "full_name": "Anna Maria Svensson",
        "initials": "AM"}


@pytest.mark.parametrize(("claims", "first", "last"), [
    ({"name": "Ditlev Von Testesen", "given_name": "Ditlev"}, "Ditlev", "Von Testesen"),
    ({"name": "Ditlev Von Testesen", "family_name": "Von Testesen"}, "Ditlev", "Von Testesen"),
    ({"name": "Anna Maria Svensson", "given_name": "Anna", "middle_name": "Maria"},
     "Anna", "Svensson"),
    # the name does not start with the given name: nothing is guessed
    ({"name": "A. Svensson", "given_name": "Anna"}, "Anna", None),
])
def test_missing_part_read_off_the_full_name(claims: Claims, first: str | None,
                                             last: str | None) -> None:
    data = normalized({"sub": "x", **claims}, "oidc")
    assert (data["first_name"], data["last_name"]) == (first, last)


def test_capital_names_with_particle_apostrophe_and_hyphen() -> None:
    data = normalized({"sub": "x", "given_name": "JEAN-LUC", "family_name": "O'BRIEN VAN DER BERG",
                "idp": "sk-smartid"})
    assert (data["first_name"], data["last_name"], data["initials"]) == (
        "Jean-Luc", "O'Brien van der Berg", "JL")


def test_names_in_nfd_are_nfc() -> None:
    data = normalized({"sub": "x", "given_name": "Va\u0308ino\u0308", "family_name": "Tunnistus"},
               "ftn")
    assert data["first_name"] == "V\u00e4in\u00f6"


def test_given_name_that_is_the_whole_name_only_when_it_equals_name() -> None:
    # A given name that merely ends like the family name is kept: only the given name that is
    # the provider's whole `name` is cut.
    data = normalized({"sub": "x", "given_name": "Jan Peter", "family_name": "Peter",
                "name": "Jan Peter Peter"})
    assert (data["first_name"], data["full_name"]) == ("Jan Peter", "Jan Peter Peter")
