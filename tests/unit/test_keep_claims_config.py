"""``keep_claims`` in a provider table: which raw claims the session keeps
(``identity.claims``). Each mistake is one ``ConfigError`` naming the file, the key and
the fix, like every other key (tests/unit/test_config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eidgate import ConfigError, load_config

BASE = ('[eidgate]\nbase_url = "https://app.example.test"\n'
        'secret_key = "keep-claims-config-secret-0123"\n\n'
        '[providers.ftn]\nissuer = "https://op.example.test"\nclient_id = "rp"\n'
        'client_secret = "s"\n')


def load(tmp_path: Path, line: str = "") -> tuple[str, tuple[str, ...] | None]:
    path = tmp_path / "eidgate.toml"
    path.write_text(BASE + line + "\n", encoding="utf-8")
    return str(path), load_config(path).providers["ftn"].keep_claims


@pytest.mark.parametrize(("line", "kept"), [
    ("", None),  # the default: the session store decides (all server-side, none in a cookie)
    ('keep_claims = ["*"]', ("*",)),
    ("keep_claims = []", ()),
    ('keep_claims = ["sub", "acr", "nin"]', ("sub", "acr", "nin")),
    ('keep_claims = ["sub", "acr", "sub"]', ("sub", "acr")),  # a repeat is no mistake
])
def test_keep_claims_values(tmp_path: Path, line: str, kept: tuple[str, ...] | None) -> None:
    assert load(tmp_path, line)[1] == kept


@pytest.mark.parametrize(("line", "hints"), [
    pytest.param('keep_claims = "*"', ['["*"]', "list of claim names"], id="a-string"),
    pytest.param("keep_claims = true", ["list of claim names"], id="a-boolean"),
    pytest.param("keep_claims = [1, 2]", ["list of claim names"], id="numbers"),
    pytest.param('keep_claims = [""]', ["list of claim names"], id="an-empty-name"),
    pytest.param('keep_claims = ["*", "sub"]', ['"*" keeps every claim', '["*"] alone'],
                 id="star-with-names"),
    pytest.param('keep_claim = ["*"]', ["did you mean 'keep_claims'?"], id="misspelt"),
])
def test_keep_claims_mistakes_name_file_key_and_fix(tmp_path: Path, line: str,
                                                    hints: list[str]) -> None:
    path = tmp_path / "eidgate.toml"
    path.write_text(BASE + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    key = "providers.ftn." + line.split(" =", 1)[0]
    assert info.value.file == str(path) and str(path) in message
    assert info.value.key == key and key in message
    for hint in hints:
        assert hint in message
