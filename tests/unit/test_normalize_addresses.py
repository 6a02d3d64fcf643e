"""`eidgate.normalize`: the postal address and the nationality.

The Personalausweis' colon-joined place of residence, OIDC address objects sent as JSON
strings, ICAO and Belgian card nationality words. Expected values written by hand from
docs/identity.md and the rule cited.
"""

from __future__ import annotations

import pytest
from normalize_helpers import address, as_dict, normalized, run
from seed_claims import NPA


def test_npa_place_of_residence() -> None:
    data = as_dict(run(NPA, "npa"))
    addr = data["address"]
    assert addr["country"] == "DE"  # ICAO "D"
    assert addr["postal_code"] == "51147"
    assert addr["region"] is None  # "null"
    # READING: city and street kept as written (an address is not a name).
    assert addr["city"] == "KÖLN"
    assert addr["street"] == "HEIDESTRASSE 17"
    assert addr["formatted"] is None


def test_npa_place_of_residence_with_absent_street() -> None:
    claims = {**NPA, "npa.place_of_residence": "D:null:51147:KÖLN:null"}
    addr = as_dict(run(claims, "npa"))["address"]
    assert addr == address(postal_code="51147", city="KÖLN", country="DE")


def test_icao_d_is_de() -> None:
    data = as_dict(run(NPA, "npa"))
    assert data["address"]["country"] == "DE"
    assert data["nationality"] == "DE"


def test_npa_residence_permit_says_nothing_about_nationality() -> None:
    # Only the identity card ("ID") is restricted to German citizens; the electronic residence
    # permit (eAT, document type "AR") is issued to foreigners.
    data = as_dict(run({**NPA, "npa.document_type": "AR"}, "npa"))
    assert data["nationality"] is None
    assert data["address"]["country"] == "DE"


def test_eidhub_style_npa_residence_with_underscore() -> None:
    # the Personalausweis' place of residence under an underscore name (eID Hub style)
    data = normalized({"sub": "x", "idp": "npa", "npa_place_of_residence":
                "D:null:51147:KÖLN:HEIDESTRASSE 17"})
    assert data["address"] == address(street="HEIDESTRASSE 17",
                                      postal_code="51147", city="KÖLN", country="DE")


def test_address_object_as_a_json_string() -> None:
    claims = {"sub": "x", "address": '{"street_address": "Heidestraße 17", '
                                     '"postal_code": "51147", "locality": "Köln", '
                                     '"country": "DE"}'}
    data = normalized(claims, "oidc")
    assert data["address"] == address(street="Heidestraße 17", postal_code="51147",
                                      city="Köln", country="DE")


def test_address_string_that_is_not_json_stays_formatted() -> None:
    data = normalized({"sub": "x", "address": "{Lybekkveien 11C} 0772 Oslo"}, "oidc")
    assert data["address"] == address(formatted="{Lybekkveien 11C} 0772 Oslo")


@pytest.mark.parametrize("value", ["BELG", "Belg", "BELGE", "Belgier"])
def test_belgian_card_nationality_words(value: str) -> None:
    # the Belgian eID card writes the nationality in the card's language (nl, fr, de)
    assert normalized({"sub": "x", "nationality": value})["nationality"] == "BE"
