"""load_config on real TOML files: a full valid file, and one ConfigError per mistake.

Every ConfigError must name the file, the key and say what to write instead. Expected
values come from the specs (OIDC Core 3.1.2.1: scope MUST contain ``openid``; RFC 7638:
``kid`` defaults to the key's thumbprint) and from the documented defaults.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from eidgate import Config, ConfigError, generate_key, load_config, write_key

DROP = object()  # marks a key (or a whole table) to remove from the base config
UNSET_VAR = "EIDGATE_TEST_VARIABLE_THAT_IS_NOT_SET"
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")  # RFC 7518 6.2.2 / 6.3.2


# -- helpers ---------------------------------------------------------------------------
def toml_value(value: Any) -> str:
    """Strings, ints, bools and lists as JSON spells them; tables inline (TOML 1.0 "Inline
    Table": quoted keys, ``=``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    return json.dumps(value)


def to_toml(tables: dict[str, dict[str, Any]]) -> str:
    """A tiny TOML writer for the test configurations."""
    lines: list[str] = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
        lines.append("")
    return "\n".join(lines)


def write_config(tmp_path: Path, tables: dict[str, dict[str, Any]]) -> Path:
    path = tmp_path / "eidgate.toml"
    path.write_text(to_toml(tables), encoding="utf-8")
    return path


def b64u_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rfc7638_thumbprint(members: dict[str, str]) -> str:
    """RFC 7638 3.1: SHA-256 over the required members, sorted, without whitespace."""
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}[members["kty"]]
    canonical = json.dumps({k: members[k] for k in required}, sort_keys=True,
                           separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()) \
        .rstrip(b"=").decode()


@functools.cache
def rsa_private() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


@functools.cache
def sig_jwk() -> dict[str, Any]:
    return generate_key("sig")


@functools.cache
def enc_jwk() -> dict[str, Any]:
    return generate_key("enc")


@functools.cache
def ec_enc_jwk() -> dict[str, Any]:
    return generate_key("enc", "EC")


def public_half(jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}


def base_tables() -> dict[str, dict[str, Any]]:
    return {"eidgate": {"base_url": "https://app.example.test", "secret_key": "k" * 32},
            "providers.ftn": {"issuer": "https://op.example.test", "client_id": "rp-ftn",
                              "client_secret": "ftn-client-secret-value"}}


def apply(tables: dict[str, dict[str, Any]],
          changes: Iterable[tuple[str, str | None, Any]]) -> dict[str, dict[str, Any]]:
    for table, key, value in changes:
        if key is None:
            if value is DROP:
                tables.pop(table, None)
            else:
                tables[table] = value
        elif value is DROP:
            tables[table].pop(key, None)
        else:
            tables.setdefault(table, {})[key] = value
    return tables


@pytest.fixture
def key_files(tmp_path: Path) -> Path:
    """Key files next to the config: a signing JWK, and a public JWK (a common mistake)."""
    write_key(tmp_path / "signing.jwk.json", sig_jwk())
    (tmp_path / "public.jwk.json").write_text(json.dumps(public_half(enc_jwk())))
    (tmp_path / "public.pem").write_bytes(rsa_private().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "garbage.pem").write_text("-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----\n")
    return tmp_path


# -- a valid, complete file ------------------------------------------------------------
@pytest.fixture
def full_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Config, Path]:
    monkeypatch.setenv("EIDGATE_TEST_SECRET", "env-secret-" + "e" * 24)
    monkeypatch.setenv("EIDGATE_TEST_CLIENT_SECRET", "env-client-secret-value")
    keys = tmp_path / "keys"
    keys.mkdir()
    write_key(keys / "signing.jwk.json", sig_jwk())
    # a single JWK without kid: its kid must become the RFC 7638 thumbprint
    no_kid = {k: v for k, v in enc_jwk().items() if k != "kid"}
    (keys / "enc.jwk.json").write_text(json.dumps(no_kid))
    # a JWK set holding an EC encryption key and a signing key (the latter is not for "enc")
    jwks = {"keys": [{**ec_enc_jwk(), "kid": "ec-enc-1"},
                     {**sig_jwk(), "kid": "sig-in-set", "use": "sig"}]}
    (keys / "enc.jwks.json").write_text(json.dumps(jwks))
    pem = rsa_private().private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    (keys / "enc.pem").write_bytes(pem)
    tables = {
        "eidgate": {"base_url": "https://app.example.test", "route_prefix": "/auth",
                    "secret_key": ["a" * 32, "b" * 32],
                    "secret_key_env": "EIDGATE_TEST_SECRET",
                    "default_provider": "ftn", "session_max_age": 3600},
        "providers.local": {"issuer": "http://127.0.0.1:8080", "client_id": "rp-local",
                            "client_secret": "local-inline-secret",
                            "scopes": ["email", "phone"]},
        "providers.ftn": {
            "issuer": "https://op.example.test", "client_id": "rp-ftn",
            "client_secret_env": "EIDGATE_TEST_CLIENT_SECRET",
            "client_auth": "private_key_jwt", "scopes": "profile email",
            "acr_values": "urn:acr:substantial urn:acr:high", "profile": "ftn",
            "label": "Finnish Trust Network",
            "decryption_keys": ["keys/enc.jwk.json", "keys/enc.jwks.json", "keys/enc.pem"],
            "signing_key": "keys/signing.jwk.json", "use_par": True, "request_object": True,
            "cancel_patterns": ["user_cancel", "IDP-3200"]},
    }
    path = write_config(tmp_path, tables)
    return load_config(path), path


def test_full_config_global_values(full_config: tuple[Config, Path]) -> None:
    config, path = full_config
    assert config.base_url == "https://app.example.test"
    assert config.route_prefix == "/auth"
    assert config.redirect_uri == "https://app.example.test/auth/callback"
    # rotation: the first listed secret signs, the others (and the env one) still verify
    assert config.secret_keys[0] == "a" * 32
    assert set(config.secret_keys) == {"a" * 32, "b" * 32, "env-secret-" + "e" * 24}
    assert len(config.secret_keys) == 3
    assert config.default_provider == "ftn"
    assert config.provider().name == "ftn"
    assert config.session_max_age == 3600
    assert list(config.providers) == ["local", "ftn"]
    assert config.source == str(path)


def test_full_config_provider_values(full_config: tuple[Config, Path]) -> None:
    config, _ = full_config
    ftn = config.providers["ftn"]
    assert ftn.name == "ftn"
    assert ftn.issuer == "https://op.example.test"
    assert ftn.client_id == "rp-ftn"
    assert ftn.client_secret == "env-client-secret-value"
    assert ftn.client_auth == "private_key_jwt"
    # OIDC Core 3.1.2.1: scope MUST contain openid; a string is split on spaces
    assert ftn.scopes == ("openid", "profile", "email")
    assert ftn.acr_values == ("urn:acr:substantial", "urn:acr:high")
    assert ftn.profile == "ftn"
    assert ftn.label == "Finnish Trust Network"
    assert ftn.use_par is True
    assert ftn.request_object is True
    assert ftn.cancel_patterns == ("user_cancel", "IDP-3200")

    assert ftn.signing_key is not None
    assert (ftn.signing_key.kid, ftn.signing_key.use, ftn.signing_key.alg) == (
        sig_jwk()["kid"], "sig", "RS256")

    numbers = rsa_private().public_key().public_numbers()
    pem_members = {"kty": "RSA", "n": b64u_uint(numbers.n), "e": b64u_uint(numbers.e)}
    kids = [k.kid for k in ftn.decryption_keys]
    assert kids == [rfc7638_thumbprint(enc_jwk()), "ec-enc-1", rfc7638_thumbprint(pem_members)]
    assert {k.use for k in ftn.decryption_keys} == {"enc"}
    assert "sig-in-set" not in kids  # a "use": "sig" key of a JWK set is not a decryption key
    # RFC 7518 4.1 / RFC 8725 3.2: RSA keys decrypt with RSA-OAEP (never RSA1_5)
    algs = {k.kid: k.alg for k in ftn.decryption_keys}
    assert algs[kids[0]].startswith("RSA-OAEP")
    assert algs["ec-enc-1"].startswith("ECDH-ES")
    assert algs[kids[2]].startswith("RSA-OAEP")


def test_full_config_minimal_provider(full_config: tuple[Config, Path]) -> None:
    config, _ = full_config
    local = config.providers["local"]
    assert local.issuer == "http://127.0.0.1:8080"
    assert local.client_secret == "local-inline-secret"
    # OIDC Core 9 / Registration 2: the default token_endpoint_auth_method is basic
    assert local.client_auth == "client_secret_basic"
    assert local.scopes == ("openid", "email", "phone")
    assert local.signing_key is None
    assert local.decryption_keys == ()
    assert local.use_par is False
    assert local.request_object is False


def test_defaults(tmp_path: Path) -> None:
    tables = base_tables()
    tables["providers.second"] = {"issuer": "https://second.example.test",
                                  "client_id": "rp-2", "client_secret": "second-secret"}
    config = load_config(write_config(tmp_path, tables))
    assert config.route_prefix == "/eidgate"
    assert config.redirect_uri == "https://app.example.test/eidgate/callback"
    assert config.default_provider == "ftn"  # the first provider in the file
    assert config.provider().name == "ftn"
    assert "openid" in config.providers["ftn"].scopes
    assert config.secret_keys == ("k" * 32,)


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("fi", ("fi",)), (["sv", "FI", "no", "en"], ("sv", "FI", "no", "en"))])
def test_languages(tmp_path: Path, value: Any, expected: tuple[str, ...] | None) -> None:
    tables = base_tables()
    if value is not None:
        tables["eidgate"]["languages"] = value
    assert load_config(write_config(tmp_path, tables)).languages == expected


@pytest.mark.parametrize(("value", "label", "per_language"), [
    (None, "ftn", {}),                                     # the table's name
    ("Finnish bank ID", "Finnish bank ID", {}),
    ({"en": "Finnish bank ID", "FI": "Pankkitunnistus"}, "Finnish bank ID",
     {"en": "Finnish bank ID", "fi": "Pankkitunnistus"}),
    ({"sv": "Finska bankkoder", "en": "Finnish bank ID"}, "Finska bankkoder",
     {"sv": "Finska bankkoder", "en": "Finnish bank ID"}),   # the first is the fallback
])
def test_label_one_text_or_one_per_language(tmp_path: Path, value: Any, label: str,
                                            per_language: dict[str, str]) -> None:
    tables = base_tables()
    tables["providers.ftn"].pop("label", None)
    if value is not None:
        tables["providers.ftn"]["label"] = value
    provider = load_config(write_config(tmp_path, tables)).providers["ftn"]
    assert (provider.label, dict(provider.labels)) == (label, per_language)
    assert provider.label_for("fi") == per_language.get("fi", label)
    assert provider.label_for("da") == label


def test_base_url_trailing_slash_gives_no_double_slash(tmp_path: Path) -> None:
    tables = apply(base_tables(), [("eidgate", "base_url", "https://app.example.test/")])
    config = load_config(write_config(tmp_path, tables))
    assert config.redirect_uri == "https://app.example.test/eidgate/callback"


def test_secret_key_list_keeps_rotation_order(tmp_path: Path) -> None:
    keys = ["new-" + "n" * 28, "old-" + "o" * 28, "older-" + "x" * 26]
    tables = apply(base_tables(), [("eidgate", "secret_key", keys)])
    assert load_config(write_config(tmp_path, tables)).secret_keys == tuple(keys)


def test_secret_key_of_exactly_16_characters_is_enough(tmp_path: Path) -> None:
    tables = apply(base_tables(), [("eidgate", "secret_key", "s" * 16)])
    assert load_config(write_config(tmp_path, tables)).secret_keys == ("s" * 16,)


@pytest.mark.parametrize(("scopes", "expected"), [
    ("profile email", ("openid", "profile", "email")),
    ("openid profile", ("openid", "profile")),
    (["profile"], ("openid", "profile")),
    (["email", "openid"], ("email", "openid")),
    (["openid"], ("openid",)),
])
def test_scopes(tmp_path: Path, scopes: Any, expected: tuple[str, ...]) -> None:
    tables = apply(base_tables(), [("providers.ftn", "scopes", scopes)])
    assert load_config(write_config(tmp_path, tables)).providers["ftn"].scopes == expected


@pytest.mark.parametrize("issuer", ["http://127.0.0.1:8080", "http://localhost",
                                    "http://localhost:3000/realms/test", "http://[::1]:8080"])
def test_plain_http_issuer_is_allowed_on_localhost(tmp_path: Path, issuer: str) -> None:
    tables = apply(base_tables(), [("providers.ftn", "issuer", issuer)])
    assert load_config(write_config(tmp_path, tables)).providers["ftn"].issuer == issuer


# -- mistakes: (changes, key, hints) ---------------------------------------------------
MISTAKES = [
    pytest.param([("providers.ftn", "profile", "signicat")],
                 "providers.ftn.profile", ["unknown claim profile", "auto", "mitid"],
                 id="unknown-claim-profile"),
    pytest.param([("providers.ftn", "isuer", "https://op.example.test")],
                 "providers.ftn.isuer", ["unknown key", "did you mean 'issuer'"],
                 id="typo-in-provider-key"),
    pytest.param([("eidgate", "base_ur", "https://app.example.test")],
                 "eidgate.base_ur", ["did you mean 'base_url'"], id="typo-in-global-key"),
    pytest.param([("providers.ftn", "issuer", DROP)],
                 "providers.ftn.issuer", ['issuer = "https://'], id="missing-issuer"),
    pytest.param([("providers.ftn", "client_id", DROP)],
                 "providers.ftn.client_id", ["missing", "client id"], id="missing-client-id"),
    pytest.param([("providers.ftn", "client_secret", DROP),
                  ("providers.ftn", "client_secret_env", UNSET_VAR)],
                 "providers.ftn.client_secret_env", [UNSET_VAR, "not set", "export"],
                 id="client-secret-env-var-not-set"),
    pytest.param([("eidgate", "secret_key", DROP), ("eidgate", "secret_key_env", UNSET_VAR)],
                 "eidgate.secret_key_env", [UNSET_VAR, "not set", "export"],
                 id="secret-key-env-var-not-set"),
    pytest.param([("providers.ftn", "signing_key", "keys/absent.jwk.json")],
                 "providers.ftn.signing_key", ["absent.jwk.json", "cannot read",
                                               "check the path"],
                 id="unreadable-key-file"),
    pytest.param([("providers.ftn", "decryption_keys", ["public.jwk.json"])],
                 "providers.ftn.decryption_keys", ["public key", "PRIVATE"],
                 id="public-key-as-decryption-key"),
    pytest.param([("providers.ftn", "decryption_keys", ["public.pem"])],
                 "providers.ftn.decryption_keys", ["public key", "PRIVATE"],
                 id="public-pem-as-decryption-key"),
    pytest.param([("providers.ftn", "signing_key", "public.jwk.json"),
                  ("providers.ftn", "request_object", True)],
                 "providers.ftn.signing_key", ["public key", "PRIVATE"],
                 id="public-key-as-signing-key"),
    pytest.param([("providers.ftn", "decryption_keys", ["garbage.pem"])],
                 "providers.ftn.decryption_keys", ["not a private"],
                 id="not-a-key-as-decryption-key"),
    pytest.param([("providers.ftn", "issuer", "http://op.example.test")],
                 "providers.ftn.issuer", ["http://", "https://", "localhost"],
                 id="http-issuer-outside-localhost"),
    pytest.param([("providers.ftn", "issuer", "http://localhost.example.test")],
                 "providers.ftn.issuer", ["https://"], id="http-issuer-localhost-lookalike"),
    pytest.param([("providers.ftn", "issuer", "op.example.test")],
                 "providers.ftn.issuer", ["https://"], id="issuer-not-a-url"),
    pytest.param([("eidgate", "base_url", "http://app.example.test")],
                 "eidgate.base_url", ["https://"], id="http-base-url-outside-localhost"),
    pytest.param([("eidgate", "base_url", DROP)],
                 "eidgate.base_url", ['base_url = "https://'], id="missing-base-url"),
    pytest.param([("eidgate", "secret_key", DROP)],
                 "eidgate.secret_key_env", ["missing", "secret_key_env = "],
                 id="missing-secret"),
    pytest.param([("eidgate", "secret_key", "s" * 15)],
                 "eidgate.secret_key", ["too short", "16"], id="secret-too-short"),
    pytest.param([("eidgate", "secret_key", ["s" * 32, "short"])],
                 "eidgate.secret_key", ["too short", "16"], id="rotated-secret-too-short"),
    pytest.param([("providers.ftn", "client_auth", "client_secret_jwt")],
                 "providers.ftn.client_auth",
                 ["'client_secret_jwt'", "client_secret_basic", "private_key_jwt"],
                 id="client-auth-unknown"),
    pytest.param([("providers.ftn", "client_auth", "private_key_jwt")],
                 "providers.ftn.signing_key", ["private_key_jwt", "signing_key = "],
                 id="private-key-jwt-without-signing-key"),
    pytest.param([("providers.ftn", "request_object", True)],
                 "providers.ftn.signing_key", ["request_object", "signing_key = "],
                 id="request-object-without-signing-key"),
    pytest.param([("providers.ftn", "client_secret", DROP)],
                 "providers.ftn.client_secret_env", ["client_secret_basic", "needs a secret",
                                                     "client_secret_env = "],
                 id="client-secret-basic-without-secret"),
    pytest.param([("providers.ftn", "client_secret", DROP),
                  ("providers.ftn", "client_auth", "client_secret_post")],
                 "providers.ftn.client_secret_env", ["client_secret_post", "needs a secret"],
                 id="client-secret-post-without-secret"),
    pytest.param([("providers.ftn", "id_token_algorithms", ["RS256", "none"])],
                 "providers.ftn.id_token_algorithms", ["'none'", "RS256"],
                 id="alg-none"),
    pytest.param([("providers.ftn", "client_secret", DROP),
                  ("providers.ftn", "client_auth", "private_key_jwt"),
                  ("providers.ftn", "signing_key", "signing.jwk.json"),
                  ("providers.ftn", "id_token_algorithms", ["RS256", "HS256"])],
                 "providers.ftn.id_token_algorithms", ["HS256", "client secret"],
                 id="hs256-without-secret"),
    pytest.param([("eidgate", "default_provider", "bankid")],
                 "eidgate.default_provider", ["'bankid'", "ftn"],
                 id="default-provider-unknown"),
    pytest.param([("providers.ftn", None, DROP)],
                 "providers", ["no providers", "[providers."], id="no-providers"),
    pytest.param([("providers.ftn", None, DROP), ("providers", None, {})],
                 "providers", ["no providers", "[providers."], id="empty-providers-table"),
    pytest.param([("providers.ftn", "scopes", 3)],
                 "providers.ftn.scopes", ["list of strings"], id="scopes-wrong-type"),
    pytest.param([("providers.ftn", "use_par", "yes")],
                 "providers.ftn.use_par", ["bool"], id="use-par-wrong-type"),
    pytest.param([("eidgate", "session_max_age", "8h")],
                 "eidgate.session_max_age", ["int"], id="session-max-age-wrong-type"),
    pytest.param([("eidgate", "languages", ["fi", "fr"])],
                 "eidgate.languages", ["'fr'", "fi", "sv", "strings="], id="language-unknown"),
    pytest.param([("providers.ftn", "label", 3)],
                 "providers.ftn.label", ["text", "per language", "label = {en = "],
                 id="label-wrong-type"),
    pytest.param([("providers.ftn", "label", {})],
                 "providers.ftn.label", ["per language"], id="label-empty-table"),
    pytest.param([("providers.ftn", "label", {"not a tag": "x"})],
                 "providers.ftn.label", ["per language"], id="label-bad-language"),
    pytest.param([("providers.ftn", "label", {"fi": ""})],
                 "providers.ftn.label", ["per language"], id="label-empty-text"),
    pytest.param([("eidgate", "languages", 1)],
                 "eidgate.languages", ["list of strings"], id="languages-wrong-type"),
]


@pytest.mark.usefixtures("key_files")
@pytest.mark.parametrize(("changes", "key", "hints"), MISTAKES)
def test_mistake_is_reported_with_file_key_and_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        changes: list[tuple[str, str | None, Any]], key: str, hints: list[str]) -> None:
    monkeypatch.delenv(UNSET_VAR, raising=False)
    path = write_config(tmp_path, apply(base_tables(), changes))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert key in message
    for hint in hints:
        assert hint in message
    assert info.value.file == str(path)
    assert info.value.key == key
    assert info.value.status == 500


def test_valid_base_config_loads(tmp_path: Path) -> None:
    # the mistakes above are each one change away from this valid file
    assert load_config(write_config(tmp_path, base_tables())).providers["ftn"].client_id \
        == "rp-ftn"


@pytest.mark.usefixtures("key_files")
@pytest.mark.parametrize("key_file", ["public.jwk.json", "garbage.pem"])
def test_bad_key_file_message_names_the_key_file(tmp_path: Path, key_file: str) -> None:
    tables = apply(base_tables(), [("providers.ftn", "decryption_keys", [key_file])])
    path = write_config(tmp_path, tables)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert key_file in str(info.value)


def test_unknown_top_level_table(tmp_path: Path) -> None:
    tables = base_tables()
    tables = {"eidgat": tables["eidgate"], "providers.ftn": tables["providers.ftn"]}
    path = write_config(tmp_path, tables)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "did you mean 'eidgate'" in str(info.value)
    assert info.value.key == "eidgat"


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[eidgate]\nbase_url = "https://app.example.test\n')  # unterminated
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "TOML" in str(info.value)
    assert info.value.file == str(path)


def test_missing_config_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_both_secret_and_secret_env_is_a_mistake(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EIDGATE_TEST_CLIENT_SECRET", "from-the-environment")
    tables = apply(base_tables(), [("providers.ftn", "client_secret_env",
                                    "EIDGATE_TEST_CLIENT_SECRET")])
    path = write_config(tmp_path, tables)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "providers.ftn.client_secret" in str(info.value)


# -- secrets never in repr -------------------------------------------------------------
def secret_values(config: Config) -> list[str]:
    values = [*config.secret_keys]
    for provider in config.providers.values():
        if provider.client_secret:
            values.append(provider.client_secret)
        keys = [*provider.decryption_keys, *([provider.signing_key]
                                              if provider.signing_key else [])]
        for key in keys:
            private = key.jwk.as_dict(private=True)
            values.extend(private[m] for m in PRIVATE_MEMBERS if isinstance(private.get(m), str))
    return values


def test_repr_never_contains_secrets(full_config: tuple[Config, Path]) -> None:
    config, _ = full_config
    secrets = secret_values(config)
    # sanity: the collection found the inline, env and key secrets
    assert {"a" * 32, "env-client-secret-value", "local-inline-secret"} <= set(secrets)
    assert sig_jwk()["d"] in secrets
    texts = [repr(config), str(config)]
    for provider in config.providers.values():
        texts += [repr(provider), str(provider)]
        texts += [repr(k) for k in provider.decryption_keys]
        if provider.signing_key:
            texts.append(repr(provider.signing_key))
    for text in texts:
        for secret in secrets:
            assert secret not in text
    # and the non-secret parts are still there, so the repr is useful
    assert "https://op.example.test" in repr(config.providers["ftn"])
