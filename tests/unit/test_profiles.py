"""The profile table is the one place eID knowledge lives (DESIGN.md, "Identity is a value").

A new eID is one row of ``eidgate/_identity/profiles.py``: its claims, its usual level, and
hooks where it departs from the OpenID Connect claims. ``normalize`` names no eID and
branches on none; these tests keep it that way.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import eidgate
from eidgate._identity import normalize as normalize_module
from eidgate._identity.profiles import PROFILES, Names, Profile


def _code_strings_and_method_checks(path: Path) -> tuple[set[str], list[int]]:
    """String constants of the module's code (docstrings left out), and the lines that
    compare something's ``.method``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
               and isinstance(node.value, str) and id(node) not in docstrings}
    checks = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Compare)
              and any(isinstance(n, ast.Attribute) and n.attr == "method"
                      for n in (node.left, *node.comparators))]
    return strings, checks


def test_normalize_names_no_eid_and_branches_on_none() -> None:
    strings, checks = _code_strings_and_method_checks(Path(normalize_module.__file__))
    assert checks == [], "normalize compares a profile's method: make it a profile field"
    named = sorted(s for s in strings if s in PROFILES and s != "oidc")
    assert named == [], f"normalize names eIDs {named}: that knowledge goes in the table"
    own_claims = sorted(s for s in strings if s.split(".")[0].split("_")[0] in PROFILES)
    assert own_claims == [], f"eIDs' own claim names in normalize: {own_claims}"


def _names(claims: Mapping[str, Any], name: str | None) -> Names:
    # an eID that sends one "SURNAME/Given" string (a made-up shape for this test)
    family, _, given = str(claims.get("x.person", "")).partition("/")
    return given or None, family or None, name, None


NEW_EID = Profile(
    "xeid", "FI", ("xeid.hetu",), ("xeid.uuid",), "high",
    names=_names,
    address=lambda c: {"city": c.get("x.town")},
    nationality=lambda c: "FI" if c.get("x.citizen") is True else None,
    prepare=lambda c: {**c, **c.get("x.checked", {})})


def test_a_new_eid_is_one_row_of_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PROFILES, "xeid", NEW_EID)
    identity = eidgate.normalize({
        "sub": "s", "x.person": "Virtanen/Aino", "name": "Aino Virtanen",
        # 131052-308T: DVV's example of a henkilötunnus (13 Oct 1952, 308 even: female)
        "xeid.hetu": "131052-308T", "xeid.uuid": "u-1", "x.town": "Espoo",
        "x.citizen": True, "x.checked": {"email": "aino@example.test"},
    }, "xeid", today=date(2026, 1, 1))
    assert identity.method == "xeid"
    assert (identity.first_name, identity.last_name) == ("Aino", "Virtanen")
    assert identity.national_id is not None and identity.national_id.valid
    assert identity.national_id.country == "FI"
    assert identity.date_of_birth == date(1952, 10, 13)
    assert identity.gender == "female"
    assert identity.pseudonym == "u-1"
    assert identity.address is not None and identity.address.city == "Espoo"
    assert identity.nationality == "FI"
    assert identity.email == "aino@example.test"  # the prepared claims are the ones read
    assert identity.loa == "high"  # the eID's usual level: the claims state none
    assert identity.warnings == ()


def test_profiles_without_hooks_read_the_openid_connect_claims() -> None:
    # OIDC Core 5.1: given_name, family_name, address.locality, nationality is not standard
    identity = eidgate.normalize({"sub": "s", "given_name": "Aino", "family_name": "Virtanen",
                                  "address": {"locality": "Espoo"}}, "oidc")
    assert (identity.first_name, identity.last_name) == ("Aino", "Virtanen")
    assert identity.address is not None and identity.address.city == "Espoo"
    assert PROFILES["oidc"].names is None and PROFILES["oidc"].address is None
