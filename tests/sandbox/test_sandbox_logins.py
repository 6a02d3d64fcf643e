"""eidgate's core against the sandbox eID hub, in-process (WSGI and ASGI transports)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

import eidgate
from eidgate import AsyncClient, Client, PendingLogins
from eidgate.sandbox import Sandbox, SandboxClient, person

ISSUER = "https://sandbox.eidgate.test"
REDIRECT = "http://127.0.0.1:8000/eidgate/callback"


def config(tmp_path: Path, **provider: Any) -> eidgate.Config:
    table = {"issuer": ISSUER, "client_id": "demo", "client_secret": "demo-secret-123",
             **provider}
    return eidgate.parse_config({"eidgate": {"base_url": "http://127.0.0.1:8000",
                                             "secret_key": "s" * 32},
                                 "providers": {"sandbox": table}}, base_dir=tmp_path)


@pytest.fixture
def sandbox() -> Sandbox:
    hub = Sandbox(ISSUER)
    hub.register(SandboxClient("demo", "demo-secret-123", (REDIRECT,)))
    return hub


def browser(hub: Sandbox, url: str, **pick: str) -> str:
    """What a person does at the sandbox; returns the callback URL it sends them to."""
    with httpx2.Client(transport=httpx2.WSGITransport(app=hub.wsgi_app()),
                      follow_redirects=False) as b:
        response = b.get(url)
        if response.status_code == 200 and pick:  # the picker page: post the choice
            tx = response.text.split('name="tx" value="')[1].split('"')[0]
            response = b.post(f"{ISSUER}/pick", data={"tx": tx, **pick})
        assert response.status_code == 302, response.text[:500]
        return str(response.headers["location"])


def login(kind: str, hub: Sandbox, cfg: eidgate.Config, **begin: Any) -> eidgate.LoginResult:
    pick = begin.pop("pick", {})
    if kind == "sync":
        with Client(cfg, transport=httpx2.WSGITransport(app=hub.wsgi_app())) as client:
            redirect = client.begin_login(**begin)
            back = browser(hub, redirect.url, **pick)
            return client.complete_login(urlsplit(back).query,
                                         PendingLogins([redirect.pending]))

    async def run() -> eidgate.LoginResult:
        async with AsyncClient(cfg, transport=httpx2.ASGITransport(app=hub.asgi_app())) as c:
            redirect = await c.begin_login(**begin)
            back = browser(hub, redirect.url, **pick)
            return await c.complete_login(urlsplit(back).query,
                                          PendingLogins([redirect.pending]))
    return asyncio.run(run())


drivers = pytest.mark.parametrize("kind", ["sync", "async"])


@drivers
def test_login_hint_logs_a_seed_person_in(kind: str, sandbox: Sandbox, tmp_path: Path) -> None:
    result = login(kind, sandbox, config(tmp_path), login_hint="ftn-vaino")
    assert result.status == "accepted"
    assert result.identity is not None
    assert result.identity.method == "ftn"
    assert (result.identity.first_name, result.identity.last_name) == ("Väinö", "Tunnistus")
    assert result.identity.subject == sandbox.sub_for("ftn-vaino")
    assert result.id_token_claims["idp"] == "ftn"  # the eID Hub names the eID
    assert result.claims["ftn.idpId"] == "fi-op"   # the broker's own claim shape


@drivers
def test_picker_then_person(kind: str, sandbox: Sandbox, tmp_path: Path) -> None:
    assert person("idin-stegenga") is not None
    result = login(kind, sandbox, config(tmp_path), acr_values="idp:idin",
                   pick={"person": "idin-stegenga"})
    assert result.accepted
    assert result.identity is not None
    assert result.identity.method == "idin"


@drivers
def test_cancel_at_the_picker(kind: str, sandbox: Sandbox, tmp_path: Path) -> None:
    result = login(kind, sandbox, config(tmp_path), pick={"cancel": "1"})
    assert result.status == "canceled"
    assert result.error == "access_denied"
    assert "urn:signicat:error:usercancel" in (result.error_description or "")


@drivers
def test_par_private_key_jwt_encrypted_id_token_and_jwe_userinfo(
        kind: str, sandbox: Sandbox, tmp_path: Path) -> None:
    sig, enc = eidgate.generate_key("sig"), eidgate.generate_key("enc")
    eidgate.write_key(tmp_path / "sig.json", sig)
    eidgate.write_key(tmp_path / "enc.json", enc)
    public = {"keys": [{k: v for k, v in key.items() if k not in
                        ("d", "p", "q", "dp", "dq", "qi")} for key in (sig, enc)]}
    sandbox.register(SandboxClient("fi-client", None, (REDIRECT,), "private_key_jwt", public,
                                   userinfo_format="jwe", encrypt_id_token=True))
    cfg = config(tmp_path, client_id="fi-client", client_secret=None,
                 client_auth="private_key_jwt", signing_key="sig.json",
                 decryption_keys=["enc.json"], use_par=True)
    result = login(kind, sandbox, cfg, login_hint="mitid-abelone")
    assert result.accepted
    assert result.token_response["id_token"].count(".") == 4     # JWE
    assert result.raw_userinfo is not None
    assert result.raw_userinfo.count(".") == 4                    # signed, then encrypted
    assert result.identity is not None
    assert result.identity.method == "mitid"
    assert result.identity.loa == "low"                           # mitid.loa LOW


@drivers
def test_signed_userinfo(kind: str, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.clients["demo"].userinfo_format = "jwt"
    result = login(kind, sandbox, config(tmp_path), login_hint="npa-erika")
    assert result.accepted
    assert result.raw_userinfo is not None
    assert result.raw_userinfo.count(".") == 2
    assert result.identity is not None
    assert result.identity.full_name == "Erika Mustermann"


def test_level_of_assurance_is_honoured(sandbox: Sandbox, tmp_path: Path) -> None:
    # MitID Abelone logs in at level low: she cannot satisfy loa:substantial
    refused = login("sync", sandbox, config(tmp_path), login_hint="mitid-abelone",
                    acr_values="idp:mitid loa:substantial")
    assert refused.status == "rejected"
    # the picker offers only persons reaching the level
    with httpx2.Client(transport=httpx2.WSGITransport(app=sandbox.wsgi_app())) as b:
        with Client(config(tmp_path), transport=httpx2.WSGITransport(
                app=sandbox.wsgi_app())) as client:
            url = client.begin_login(acr_values="idp:mitid loa:high").url
        page = b.get(url).text
    assert "mitid-sofie" in page
    assert "mitid-abelone" not in page
    # and the ID token states the level reached
    high = login("sync", sandbox, config(tmp_path), login_hint="mitid-sofie")
    assert high.identity is not None
    assert high.identity.loa == "high"
    assert high.id_token_claims["acr"] == "loa:high"


@pytest.mark.parametrize(("hint", "status", "error", "marker"), [
    ("expired", "rejected", "access_denied", "urn:signicat:error:internal:Expired"),
    ("error", "rejected", "server_error", "urn:signicat:error:internal:Sandbox"),
    ("cancel", "canceled", "access_denied", "urn:signicat:error:usercancel")])
def test_scripted_outcomes(sandbox: Sandbox, tmp_path: Path, hint: str, status: str,
                           error: str, marker: str) -> None:
    result = login("sync", sandbox, config(tmp_path), login_hint=hint)
    assert (result.status, result.error) == (status, error)
    assert marker in (result.error_description or "")


def test_unregistered_redirect_uri_gets_a_page_not_a_redirect(sandbox: Sandbox) -> None:
    with httpx2.Client(transport=httpx2.WSGITransport(app=sandbox.wsgi_app())) as b:
        response = b.get(f"{ISSUER}/authorize", params={
            "client_id": "demo", "redirect_uri": "https://evil.example/cb",
            "response_type": "code", "scope": "openid", "state": "s",
            "code_challenge": "x" * 43, "code_challenge_method": "S256"})
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("fault", "error"), [
    ("token-500", eidgate.ProviderError), ("userinfo-malformed", eidgate.ProviderError),
    ("wrong-issuer", eidgate.DiscoveryError), ("bad-signature", eidgate.InvalidTokenError),
    ("unknown-kid", eidgate.InvalidTokenError)])
def test_faults_surface_as_clean_errors(sandbox: Sandbox, tmp_path: Path, fault: str,
                                        error: type[Exception]) -> None:
    faults = sandbox.faults
    {"token-500": lambda: faults.fail.update(token=500),
     "userinfo-malformed": lambda: faults.malformed.add("userinfo"),
     "wrong-issuer": lambda: setattr(faults, "wrong_issuer", True),
     "bad-signature": lambda: setattr(faults, "bad_signature", True),
     "unknown-kid": lambda: setattr(faults, "unknown_kid", True)}[fault]()
    with pytest.raises(error):
        login("sync", sandbox, config(tmp_path), login_hint="sbid-daga")
    faults.clear()
    assert login("sync", sandbox, config(tmp_path), login_hint="sbid-daga").accepted


def test_slow_provider_times_out(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.faults.slow["userinfo"] = 1.5
    cfg = eidgate.parse_config({"eidgate": {"base_url": "http://127.0.0.1:8000",
                                            "secret_key": "s" * 32},
                                "providers": {"sandbox": {
                                    "issuer": ISSUER, "client_id": "demo",
                                    "client_secret": "demo-secret-123", "timeout": 0.5}}})
    with pytest.raises(eidgate.ProviderUnavailable):
        login("async", sandbox, cfg, login_hint="sbid-daga")


def test_key_rotation_is_followed_by_a_warm_client(sandbox: Sandbox, tmp_path: Path) -> None:
    with Client(config(tmp_path), transport=httpx2.WSGITransport(app=sandbox.wsgi_app())) as c:
        c.warm_up()
        before = c.fetches
        new_kid = sandbox.rotate_keys()
        redirect = c.begin_login(login_hint="nbid-anders")
        back = browser(sandbox, redirect.url)
        header = None
        result = c.complete_login(urlsplit(back).query, PendingLogins([redirect.pending]))
        assert result.accepted
        assert c.fetches == before + 1  # one JWKS refetch for the new kid
        header = result.token_response["id_token"].split(".")[0]
    import base64
    import json
    assert json.loads(base64.urlsafe_b64decode(header + "=="))["kid"] == new_kid
    _ = parse_qs


def test_client_secret_post(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.register(SandboxClient("post", "post-secret-1234", (REDIRECT,),
                                   "client_secret_post"))
    cfg = config(tmp_path, client_id="post", client_secret="post-secret-1234",
                 client_auth="client_secret_post")
    assert login("sync", sandbox, cfg, login_hint="itsme-debora").accepted
    # and a basic-auth client may not switch to post
    wrong = config(tmp_path, client_auth="client_secret_post")
    with pytest.raises(eidgate.TokenEndpointError) as caught:
        login("sync", sandbox, wrong, login_hint="itsme-debora")
    assert caught.value.provider_error == "invalid_client"


def test_legacy_method_acr_skips_the_eid_step(sandbox: Sandbox, tmp_path: Path) -> None:
    with Client(config(tmp_path), transport=httpx2.WSGITransport(app=sandbox.wsgi_app())) as c:
        url = c.begin_login(acr_values="urn:signicat:oidc:method:nbid-mobile").url
    with httpx2.Client(transport=httpx2.WSGITransport(app=sandbox.wsgi_app())) as b:
        page = b.get(url).text
    assert "Norwegian BankID" in page
    assert "nbid-daga" in page
    assert "ftn-vaino" not in page


def test_end_session_redirects_only_to_registered_uris(sandbox: Sandbox) -> None:
    sandbox.clients["demo"].post_logout_redirect_uris = ("http://127.0.0.1:8000/",)
    with httpx2.Client(transport=httpx2.WSGITransport(app=sandbox.wsgi_app())) as b:
        ok = b.get(f"{ISSUER}/logout", params={
            "client_id": "demo", "post_logout_redirect_uri": "http://127.0.0.1:8000/",
            "state": "s1"})
        evil = b.get(f"{ISSUER}/logout", params={
            "client_id": "demo", "post_logout_redirect_uri": "https://evil.example/"})
    assert ok.status_code == 302
    assert ok.headers["location"] == "http://127.0.0.1:8000/?state=s1"
    assert evil.status_code == 200
    assert "logged out" in evil.text
