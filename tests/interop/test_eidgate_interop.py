"""eidgate against an independent, certified OpenID provider (panva's oidc-provider).

Each login runs through the sync AND the async driver with the same test body, so the two
drivers cannot drift. The provider's dev interaction accepts any login; accounts hold seed
identities (FTN and iDIN) with their dotted claim names.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import eidgate
from eidgate import AsyncClient, Client, LoginResult, PendingLogins

from ._driver import drive_login
from ._provider import OidcProvider

FTN = "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf"
IDIN = "Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ"
# The FTN userinfo example of seeds/004 (OP bank), written out here from the seed page.
FTN_SEED = {
    "signicat.certificate_bank": "FTN (OP)",
    "sub": "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf",
    "birthdate": "1970-07-07",
    "name": "Väinö Tunnistus",
    "signicat.national_id": "070770-905D",
    "given_name": "Väinö",
    "locale": "FI",
    "ftn.idpId": "fi-op",
    "family_name": "Tunnistus",
}
FTN_SCOPES = ["openid", "profile", "signicat.national_id", "ftn"]

pytestmark = pytest.mark.interop


def config(op: OidcProvider, tmp_path: Path, client: str, **extra: Any) -> eidgate.Config:
    creds = op.clients[client]
    provider: dict[str, Any] = {"issuer": op.issuer, "client_id": creds["client_id"],
                                "scopes": FTN_SCOPES}
    if creds["client_secret"] is not None:
        provider["client_secret"] = creds["client_secret"]
    provider.update(extra)
    return eidgate.parse_config(
        {"eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "k" * 32},
         "providers": {"op": provider}}, base_dir=tmp_path)


def login(kind: str, cfg: eidgate.Config, account: str, *, abort: bool = False,
          **begin: Any) -> LoginResult:
    """A whole login: begin, the person at the provider, the callback."""
    if kind == "sync":
        with Client(cfg) as client:
            redirect = client.begin_login(**begin)
            back = drive_login(redirect.url, login=account, abort=abort)
            return client.complete_login(urlsplit(back).query, PendingLogins([redirect.pending]))

    async def run() -> LoginResult:
        async with AsyncClient(cfg) as client:
            redirect = await client.begin_login(**begin)
            back = await asyncio.to_thread(drive_login, redirect.url, login=account,
                                           abort=abort)
            return await client.complete_login(urlsplit(back).query,
                                               PendingLogins([redirect.pending]))
    return asyncio.run(run())


drivers = pytest.mark.parametrize("kind", ["sync", "async"])


def assert_ftn(result: LoginResult) -> None:
    assert result.status == "accepted"
    assert result.subject == FTN
    for name, value in FTN_SEED.items():
        assert result.claims[name] == value, name
    assert result.userinfo_claims is not None
    assert result.userinfo_claims["ftn.idpId"] == "fi-op"
    # normalised on the way (profile "auto" recognises FTN by its ftn.* claims)
    identity = result.identity
    assert identity is not None
    assert (identity.method, identity.provider, identity.subject) == ("ftn", "op", FTN)
    assert (identity.first_name, identity.last_name) == ("Väinö", "Tunnistus")
    assert identity.national_id is not None
    assert identity.national_id.to_dict() == {"value": "070770-905D", "country": "FI",
                                              "type": "hetu"}
    assert identity.date_of_birth is not None
    assert identity.date_of_birth.isoformat() == "1970-07-07"
    assert identity.loa == "substantial"
    assert identity.verified_at is not None  # auth_time from the ID token


@drivers
def test_client_secret_basic(kind: str, oidc_provider: OidcProvider, tmp_path: Path) -> None:
    # The id contains ':' and the secret '+' and '%': only RFC 6749 2.3.1 encoding works.
    result = login(kind, config(oidc_provider, tmp_path, "basic-client"), FTN,
                   next_url="/account", ui_locales="fi", login_hint=FTN)
    assert_ftn(result)
    assert result.next_url == "/account"
    assert result.id_token_claims["iss"] == oidc_provider.issuer
    assert result.token_response["token_type"].lower() == "bearer"


@drivers
def test_client_secret_post(kind: str, oidc_provider: OidcProvider, tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "post-client", client_auth="client_secret_post")
    assert_ftn(login(kind, cfg, FTN))


@drivers
def test_private_key_jwt(kind: str, oidc_provider: OidcProvider, tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "pkjwt-client", client_auth="private_key_jwt",
                 signing_key=str(oidc_provider.sig_key_path))
    assert_ftn(login(kind, cfg, FTN))


@drivers
def test_encrypted_id_token_and_signed_encrypted_userinfo(
        kind: str, oidc_provider: OidcProvider, tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "enc-client",
                 decryption_keys=[str(oidc_provider.enc_key_path)])
    result = login(kind, cfg, FTN)
    assert_ftn(result)
    # RSA-OAEP / A128CBC-HS256: five-part JWE on the wire, for both.
    assert result.token_response["id_token"].count(".") == 4
    assert result.raw_userinfo is not None
    assert result.raw_userinfo.count(".") == 4


@drivers
def test_encrypted_without_keys_is_refused(kind: str, oidc_provider: OidcProvider,
                                           tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "enc-client")
    with pytest.raises(eidgate.InvalidTokenError, match="decryption_keys"):
        login(kind, cfg, FTN)


@drivers
def test_par(kind: str, oidc_provider: OidcProvider, tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "par-client", use_par=True)
    assert_ftn(login(kind, cfg, FTN))


@drivers
def test_signed_request_object_with_par(kind: str, oidc_provider: OidcProvider,
                                        tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "ro-client", client_auth="private_key_jwt",
                 signing_key=str(oidc_provider.sig_key_path), request_object=True)
    assert_ftn(login(kind, cfg, FTN))
    par = config(oidc_provider, tmp_path, "ro-client", client_auth="private_key_jwt",
                 signing_key=str(oidc_provider.sig_key_path), request_object=True,
                 use_par=True)
    assert_ftn(login(kind, par, FTN))


@drivers
def test_user_abort_is_a_result(kind: str, oidc_provider: OidcProvider, tmp_path: Path) -> None:
    # oidc-provider says "End-User aborted interaction"; the broker patterns do not match it,
    # so by default it is "rejected"; configured as a cancel pattern it is "canceled".
    plain = login(kind, config(oidc_provider, tmp_path, "basic-client"), FTN, abort=True)
    assert (plain.status, plain.error) == ("rejected", "access_denied")
    cfg = config(oidc_provider, tmp_path, "basic-client",
                 cancel_patterns=["End-User aborted interaction"])
    canceled = login(kind, cfg, FTN, abort=True)
    assert canceled.status == "canceled"
    assert canceled.error == "access_denied"
    assert canceled.error_description == "End-User aborted interaction"
    assert canceled.claims == {}


@drivers
def test_idin_seed_identity(kind: str, oidc_provider: OidcProvider, tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "basic-client",
                 scopes=["openid", "profile", "address", "signicat.idin"])
    result = login(kind, cfg, IDIN)
    assert result.status == "accepted"
    # From the iDIN example of seeds/004: dates as YYYYMMDD, numeric gender, dotted names.
    assert result.claims["consumer.bin"] == (
        "NLTRIO370f0cb71dfde80e31b23cc34a3088b5a09fee9cec20e746c2030780a4704115")
    assert result.claims["birthdate"] == "19700217"
    assert result.claims["consumer.preferredlastname"] == "Stegenga-Ruysch"
    assert result.claims["gender"] == "2"
    assert result.claims["address"]["postal_code"] == "8681LW"
    identity = result.identity
    assert identity is not None
    assert identity.method == "idin"
    assert (identity.first_name, identity.initials, identity.last_name) == (None, "C",
                                                                            "Stegenga")
    assert identity.national_id is None
    assert identity.pseudonym == result.claims["consumer.bin"]
    assert identity.gender == "female"


def test_warm_client_makes_no_metadata_fetches(oidc_provider: OidcProvider,
                                               tmp_path: Path) -> None:
    cfg = config(oidc_provider, tmp_path, "basic-client")
    with Client(cfg) as client:
        client.warm_up()
        warm = client.fetches
        assert warm == 2  # discovery + JWKS, once
        for _ in range(3):
            redirect = client.begin_login()
            back = drive_login(redirect.url, login=FTN)
            result = client.complete_login(urlsplit(back).query,
                                           PendingLogins([redirect.pending]))
            assert result.accepted
        assert client.fetches == warm
