"""Levels of assurance: the eIDAS three, their order, and the words eidgate's callers may use.

eIDAS (Regulation 910/2014, art. 8): ``low`` < ``substantial`` < ``high``. A level named by
eidgate's own callers (``loa=``, a ``?loa=`` query parameter, a stored pending login) is one
of these three words exactly; the many ways a broker or eID states a level are read by
``level`` (and checked table-driven in the normalisation tests).
"""

from __future__ import annotations

import pytest

from eidgate._identity.levels import LEVELS, as_level, at_least, level, lowest


def test_the_three_levels_lowest_first() -> None:
    assert LEVELS == ("low", "substantial", "high")


@pytest.mark.parametrize("word", ["low", "substantial", "high"])
def test_a_level_word_is_a_level(word: str) -> None:
    assert as_level(word) == word


@pytest.mark.parametrize("value", [
    "High", " high", "loa:high", "loa3", "medium", "", None, 3, ["high"], b"high"])
def test_anything_else_from_outside_is_not_a_level(value: object) -> None:
    # only eidgate's own three words: a caller's "loa:high" or "High" is a mistake to
    # refuse, not a broker spelling to guess at
    assert as_level(value) is None


@pytest.mark.parametrize(("have", "need", "meets"), [
    ("low", "low", True), ("low", "substantial", False), ("low", "high", False),
    ("substantial", "low", True), ("substantial", "substantial", True),
    ("substantial", "high", False),
    ("high", "low", True), ("high", "substantial", True), ("high", "high", True),
    (None, "low", False),  # an unknown level meets nothing, not even low
])
def test_at_least_follows_the_eidas_order(have: str | None, need: str, meets: bool) -> None:
    assert at_least(as_level(have), as_level(need) or "high") is meets


@pytest.mark.parametrize(("levels", "expected"), [
    (("high", "low"), "low"),
    (("substantial", "high"), "substantial"),
    (("high", None), "high"),      # an unknown level does not lower a known one
    ((None, "substantial"), "substantial"),
    ((None, None), None),
    ((), None),
])
def test_lowest_of_the_known_levels(levels: tuple[str | None, ...],
                                    expected: str | None) -> None:
    assert lowest(*(as_level(v) for v in levels)) == expected


@pytest.mark.parametrize(("stated", "expected"), [
    ("loa:substantial", "substantial"),                     # Signicat eID Hub
    ("http://eidas.europa.eu/LoA/high", "high"),            # eIDAS SAML LoA URI
    ("https://data.gov.dk/concept/core/nsis/Substantial", "substantial"),  # NSIS (DK)
    ("http://id.elegnamnden.se/loa/1.0/loa3", "substantial"),  # Sweden: tillitsnivå 3
    ("urn:bankid:bid;LOA=4", "high"),                       # BankID Norge: level 4
    ("idporten-loa-substantial", "substantial"),            # ID-porten
    ("urn:signicat:oidc:method:nbid", None),                # names a method, not a level
])
def test_stated_forms_map_to_the_eidas_level(stated: str, expected: str | None) -> None:
    assert level(stated) == expected
