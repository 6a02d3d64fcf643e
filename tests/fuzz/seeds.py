"""Write the seed inputs of tests/fuzz/corpus: valid examples, as the specs and the seed
documents have them, made with the harnesses' fixed keys and clock.

    .venv/bin/python tests/fuzz/seeds.py

Rewrites the ``seed-*`` files only; what atheris found (files named by their SHA-1) stays.
Tokens are made with pyjwt / joserfc (crafted.py), never with eidgate code; cookies are made
by eidgate itself (that is what a browser sends back).
"""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import jwt  # noqa: E402
import published_claims  # noqa: E402
import seed_claims  # noqa: E402
from crafted import CLIENT_ID, ISSUER, CraftedProvider  # noqa: E402
from harnesses import (  # noqa: E402
    CORPUS,
    FIXED_NOW,
    KEYS,
    SECRET,
    STATE,
    SUBJECT,
    id_token_claims,
    world,
)
from itsdangerous import URLSafeTimedSerializer  # noqa: E402

from eidgate.web._sessions import _AAD, _derive  # noqa: E402

MAX_SEED = 4096
ISS = quote(ISSUER, safe="")


def person(claims: dict[str, Any]) -> dict[str, Any]:
    """A seed person's claims as our crafted provider's subject (userinfo's sub must match)."""
    return {**claims, "sub": SUBJECT}


PERSONS = [seed_claims.FTN, seed_claims.MITID, seed_claims.NBID, seed_claims.SBID,
           seed_claims.IDIN, seed_claims.ITSME, seed_claims.SMARTID, seed_claims.NPA,
           seed_claims.YES_VERIFIED, seed_claims.NEMID, seed_claims.EIDHUB_JSON_USERINFO,
           published_claims.EIDHUB_NBID_CODE_EXAMPLE]


def seed_page_tokens() -> tuple[list[str], list[str]]:
    """The compact JWS and JWE strings the seed documents show (signed and encrypted for
    the broker's keys, not ours: they exercise every parser up to the key lookup)."""
    pages = [seed_claims.seed_page(p) for p in ("000", "004")]
    tokens = sorted({t for page in pages if page for t in
                     re.findall(r"eyJ[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]*){2,4}", page)})
    return ([t for t in tokens if t.count(".") == 2 and len(t) <= MAX_SEED],
            [t for t in tokens if t.count(".") == 4 and len(t) <= MAX_SEED])


def jwe_for(op: CraftedProvider, plaintext: str, kty: str = "RSA", alg: str = "RSA-OAEP",
            enc: str = "A128CBC-HS256", cty: str | None = "JWT") -> str:
    op.encrypt_to = json.loads((KEYS / f"rp-enc-{kty.lower()}.json").read_text())
    op.jwe_alg, op.jwe_enc = alg, enc
    try:
        return op.encrypt(plaintext, cty)
    finally:
        op.encrypt_to = None


def sign_ec(op: CraftedProvider, claims: dict[str, Any]) -> str:
    """Signed with the provider's EC key (kid k2, ES256)."""
    op.signing_kid = "k2"
    try:
        return op.sign(claims)
    finally:
        op.signing_kid = "k1"


def http(status: int, content_type: str, body: bytes | str) -> bytes:
    data = body.encode() if isinstance(body, str) else body
    return f"HTTP {status} {content_type}\n".encode() + data


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def seeds() -> dict[str, dict[str, bytes]]:
    w = world()
    op = w.op
    out: dict[str, dict[str, bytes]] = {}
    page_jws, page_jwe = seed_page_tokens()
    valid_callback = f"code=fuzz-code&state={STATE}&iss={ISS}"

    out["callback_query"] = {
        "valid": valid_callback.encode(),
        "session-state": f"{valid_callback}&session_state=abc.def".encode(),
        "no-iss": f"code=SplxlOBeZQQYbYS6WxSbIA&state={STATE}".encode(),  # RFC 6749 4.1.2
        "cancel": (f"error=access_denied&error_description=urn%3Asignicat%3Aerror%3Ausercancel"
                   f"&state={STATE}&iss={ISS}").encode(),
        "error": f"error=server_error&error_description=IDP-1000+Oops&state={STATE}&iss={ISS}"
                 .encode(),
        "repeated": f"state={STATE}&state=x&code=y".encode(),
        "other-iss": f"code=c&state={STATE}&iss=https%3A%2F%2Fevil.example.test".encode(),
        "unknown-state": f"code=c&state=nope&iss={ISS}".encode(),
    }

    tokens = w.token_response
    jwe_id = jwe_for(op, tokens["id_token"])
    out["token_response"] = {
        "valid": dumps(tokens),
        "extras": dumps({**tokens, "refresh_token": "8xLOxBtZp8", "scope": "openid profile",
                         "token_type": "bearer"}),
        "encrypted-id-token": dumps({**tokens, "id_token": jwe_id}),
        # RFC 6749 5.2 example
        "invalid-grant": http(400, "application/json;charset=UTF-8",
                              '{"error":"invalid_grant","error_description":"code expired"}'),
        "invalid-client": http(401, "application/json", '{"error":"invalid_client"}'),
        "error-200": dumps({"error": "invalid_request"}),
        "html-500": http(500, "text/html", "<h1>Internal Server Error</h1>"),
    }

    out["par_response"] = {
        # RFC 9126 2.2 example
        "valid": http(201, "application/json",
                      '{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14e'
                      'Y22c","expires_in":60}'),
        "status-200": http(200, "application/json", '{"request_uri":"urn:x","expires_in":60}'),
        # RFC 9126 2.3 example
        "error": http(400, "application/json",
                      '{"error":"invalid_request","error_description":"The redirect_uri is not '
                      'valid for the given client"}'),
        "url": http(201, "application/json", '{"request_uri":"https://op.example.test/r/1"}'),
    }

    jws = {
        "rs256": op.sign(id_token_claims()),
        "es256": sign_ec(op, id_token_claims()),
        "typ-jwt": op.sign(id_token_claims(acr="urn:signicat:loa:substantial", amr=["pwd"]),
                           {"typ": "JWT"}),
        "no-kid": jwt.encode(id_token_claims(), op.keys[0].private, algorithm="RS256"),
        "alg-none": "eyJhbGciOiJub25lIn0." + base64.urlsafe_b64encode(
            dumps(id_token_claims())).rstrip(b"=").decode() + ".",
        "at-jwt": op.sign(id_token_claims(), {"typ": "at+jwt"}),
    }
    for i, claims in enumerate(PERSONS):
        token = op.sign(id_token_claims(**person(claims)))
        if len(token) <= MAX_SEED:
            jws[f"person-{i}"] = token
    for i, token in enumerate(page_jws):
        jws[f"seed-page-{i}"] = token
    out["jws"] = {k: v.encode() for k, v in jws.items()}

    signed = tokens["id_token"]
    jwe = {
        "rsa-oaep": jwe_id,
        "rsa-oaep-256-gcm": jwe_for(op, signed, alg="RSA-OAEP-256", enc="A256GCM"),
        "ecdh-es": jwe_for(op, signed, "EC", "ECDH-ES", "A128GCM"),
        "ecdh-es-a256kw": jwe_for(op, signed, "EC", "ECDH-ES+A256KW", "A256CBC-HS512"),
        "no-cty": jwe_for(op, signed, cty=None),
        "json-not-signed": jwe_for(op, json.dumps(id_token_claims()), cty=None),
    }
    for i, token in enumerate(page_jwe):
        jwe[f"seed-page-{i}"] = token
    out["jwe"] = {k: v.encode() for k, v in jwe.items()}

    userinfo_jwt = op.sign({"iss": ISSUER, "aud": CLIENT_ID, **person(seed_claims.FTN)})
    out["userinfo"] = {
        **{f"person-{i}": dumps(person(c)) for i, c in enumerate(PERSONS)},
        "jwt": http(200, "application/jwt", userinfo_jwt),
        "jwe": http(200, "application/jwt", jwe_for(op, userinfo_jwt)),
        "jwe-json": http(200, "application/jwt",
                         jwe_for(op, json.dumps(person(seed_claims.MITID)), cty=None)),
        "other-sub": dumps({"sub": "someone-else", "name": "X"}),
        "unauthorized": http(401, "application/json", '{"error":"invalid_token"}'),
        **{f"seed-page-{i}": http(200, "application/jwt", t) for i, t in enumerate(page_jws)},
    }

    discovery = op.discovery()
    out["discovery"] = {
        "crafted": dumps(discovery),
        # OpenID Connect Discovery 1.0, 4.2's example, with our issuer
        "discovery-4-2": dumps({
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/connect/authorize",
            "token_endpoint": f"{ISSUER}/connect/token",
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
            "userinfo_endpoint": f"{ISSUER}/connect/userinfo",
            "check_session_iframe": f"{ISSUER}/connect/check_session",
            "end_session_endpoint": f"{ISSUER}/connect/end_session",
            "jwks_uri": f"{ISSUER}/jwks.json",
            "registration_endpoint": f"{ISSUER}/connect/register",
            "scopes_supported": ["openid", "profile", "email", "address", "phone",
                                 "offline_access"],
            "response_types_supported": ["code", "code id_token", "id_token",
                                         "token id_token"],
            "acr_values_supported": ["urn:mace:incommon:iap:silver",
                                     "urn:mace:incommon:iap:bronze"],
            "subject_types_supported": ["public", "pairwise"],
            "userinfo_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
            "userinfo_encryption_alg_values_supported": ["RSA-OAEP", "A128KW"],
            "userinfo_encryption_enc_values_supported": ["A128CBC-HS256", "A128GCM"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
            "request_object_signing_alg_values_supported": ["none", "RS256", "ES256"],
            "display_values_supported": ["page", "popup"],
            "claim_types_supported": ["normal", "distributed"],
            "claims_supported": ["sub", "iss", "auth_time", "acr", "name", "given_name",
                                 "family_name", "nickname", "profile", "picture", "website",
                                 "email", "email_verified", "locale", "zoneinfo"],
            "claims_parameter_supported": True,
            "service_documentation": f"{ISSUER}/connect/service_documentation.html",
            "ui_locales_supported": ["en-US", "en-GB", "en-CA", "fr-FR", "fr-CA"]}),
        "par-required": dumps({**discovery, "require_pushed_authorization_requests": True,
                               "end_session_endpoint": f"{ISSUER}/logout?x=1"}),
        "other-issuer": dumps({**discovery, "issuer": "https://evil.example.test"}),
        "not-found": http(404, "text/html", "<h1>Not Found</h1>"),
    }

    jwks = op.jwks()
    out["jwks"] = {
        "crafted": dumps(jwks),
        # RFC 7517 A.1: public keys (an EC P-256 key and an RSA key)
        "rfc7517-a1": dumps({"keys": [
            {"kty": "EC", "crv": "P-256",
             "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
             "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM", "use": "enc", "kid": "1"},
            {"kty": "RSA",
             "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxu"
                  "hDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN"
                  "5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
                  "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBni"
                  "Iqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
             "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}]}),
        # RFC 8037 A.2: an Ed25519 public key
        "rfc8037-a2": dumps({"keys": [{"kty": "OKP", "crv": "Ed25519",
                                       "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}),
        "key-ops": dumps({"keys": [{**jwks["keys"][0], "key_ops": ["verify"], "alg": "RS256"},
                                   {**jwks["keys"][1], "use": "enc"}]}),
        "empty": b'{"keys":[]}',
    }

    # OpenID Connect Back-Channel Logout 1.0, 2.4's example claims, for our provider
    event = {"http://schemas.openid.net/event/backchannel-logout": {}}
    now = int(FIXED_NOW)
    logout_claims = {"iss": ISSUER, "sub": SUBJECT, "aud": CLIENT_ID, "iat": now,
                     "exp": now + 120, "jti": "bWJq", "sid": "08a5019c-17e1-4977-8f42-65a12843ea02",
                     "events": event}
    logout_jws = op.sign(logout_claims, {"typ": "logout+jwt"})
    out["logout_token"] = {
        "valid": f"logout_token={logout_jws}".encode(),
        "sid-only": ("logout_token=" + op.sign({k: v for k, v in logout_claims.items()
                                                 if k != "sub"}, {"typ": "logout+jwt"})).encode(),
        "es256-untyped": ("logout_token=" + sign_ec(op, {**logout_claims, "jti": "x2"})).encode(),
        "encrypted": ("logout_token=" + jwe_for(op, logout_jws)).encode(),
        "id-token": f"logout_token={tokens['id_token']}".encode(),
        "two-tokens": f"logout_token={logout_jws}&logout_token=x".encode(),
    }

    session = w.session_cookie
    other = _derive("another secret, 32 characters!!!")
    out["session_cookie"] = {
        "made": session.encode(),
        "placeholder": b"@session@",
        "truncated": session[:-10].encode(),
        "other-key": base64.urlsafe_b64encode(b"\x01" + b"\0" * 12 + other.encrypt(
            b"\0" * 12, b'{"v":1}', _AAD)).rstrip(b"="),
        "padded": (session + "==").encode(),
    }

    raw = base64.urlsafe_b64decode(session + "=" * (-len(session) % 4))
    payload = json.loads(_derive(SECRET).decrypt(raw[1:13], raw[13:], _AAD))
    now = int(FIXED_NOW)
    out["session_sealed"] = {
        "made": dumps(payload),
        "expired": dumps({**payload, "iat": now - 10**5, "exp": now - 1}),
        "minimal": dumps({"v": 1, "iat": now, "exp": now + 60,
                          "id": {"subject": SUBJECT, "method": "ftn"}}),
        "bad-date": dumps({**payload, "id": {**payload["id"], "date_of_birth": "1990-17-02"}}),
        "no-id": dumps({"v": 1, "iat": now, "exp": now + 60}),
    }

    pending = w.pending.to_dict()
    codec = w.gate.pending
    old = URLSafeTimedSerializer(["an old secret, 32 characters!!!!"], salt="eidgate.pending")
    out["pending_cookie"] = {
        "placeholder": b"@pending@",
        # made now: its timestamp has expired by the time anyone replays it
        "expired": codec.encode(w.pending).encode(),
        "other-key": str(old.dumps(pending)).encode(),
        "garbage": b"eyJzdGF0ZSI6IngifQ.ZZZZZZ.abcdef",
    }
    out["pending_signed"] = {
        "made": dumps(pending),
        "step-up": dumps({**pending, "loa": "substantial", "max_age": 60}),
        "bad-loa": dumps({**pending, "loa": "ultra"}),
        "list": dumps([pending]),
        "created-string": dumps({**pending, "created_at": "now"}),
    }

    cookie = codec.cookie_name(w.pending)
    out["cookie_header"] = {
        "session": f"theme=dark; {w.gate.session_cookie}=@session@; _ga=GA1.2.3".encode(),
        "quoted": b'a="b c"; json={"x":1}; =novalue; noequals; b=',
        "pending": f"{cookie}=@pending@; {w.gate.session_cookie}=x".encode(),
        "duplicate": f"{w.gate.session_cookie}=@session@; {w.gate.session_cookie}=old"
                     .encode(),
    }

    out["accept_language"] = {
        "rfc9110": b"da, en-gb;q=0.8, en;q=0.7",
        "browser": b"fi-FI,fi;q=0.9,en-US;q=0.8,en;q=0.7",
        "any": b"*",
        "refused": b"de-CH;q=0, de;q=0.9, *;q=0.1",
        "nynorsk": b"nn, sv-SE;Q=0.500",
        "bad-weights": b"en;q=1.0001, sv;q=, fi;q=0.5;x=y, ;q=1, x-klingon",
    }

    config = (Path(__file__).resolve().parents[2] / "examples" / "eidgate.toml").read_bytes()
    out["config_toml"] = {
        "examples": config[:MAX_SEED],
        "readme-minimal": b'[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                          b'secret_key = "dev-only-secret-0123456789"\n\n'
                          b'[providers.sandbox]\nlabel = "eidgate sandbox"\n'
                          b'issuer = "http://127.0.0.1:8800"\nclient_id = "demo"\n'
                          b'client_secret = "demo-secret-do-not-use-in-production"\n',
        "keys": b'[eidgate]\nbase_url = "https://app.example.com"\nroute_prefix = "/auth"\n'
                b'secret_key = ["a new secret of 32 characters!!!", "old secret 16 chars"]\n'
                b'default_provider = "ftn"\nsession_max_age = 28800\nclock_skew = 60\n'
                b'http_timeout = 10\nlogin_timeout = 600\nlanguages = ["fi", "sv", "en"]\n'
                b'evidence_dir = "evidence"\n\n[providers.ftn]\n'
                b'label = {en = "Finnish bank ID", fi = "Pankkitunnistus"}\n'
                b'issuer = "https://example.sandbox.signicat.com/auth/open"\n'
                b'client_id = "sandbox-client-123"\nclient_auth = "private_key_jwt"\n'
                b'signing_key = "rp-sig.json"\n'
                b'decryption_keys = ["rp-enc-rsa.json", "rp-enc-ec.json"]\n'
                b'scopes = ["openid", "profile", "nin"]\nacr_values = ["idp:ftn"]\n'
                b'use_par = true\nrequest_object = true\nprofile = "ftn"\n'
                b'id_token_algorithms = ["RS256", "ES256"]\nuserinfo = false\n'
                b'trusted_audiences = ["other"]\ntimeout = 5.5\n'
                b'cancel_patterns = ["usercancel"]\n',
        "env": b'[eidgate]\nbase_url = "https://app.example.com"\n'
               b'secret_key_env = "EIDGATE_FUZZ_UNSET"\n[providers.a]\n'
               b'issuer = "https://op.example.test"\nclient_id = "x"\n'
               b'client_secret_env = "HOME"\n',
    }

    session_cookie = f"{w.gate.session_cookie}=@session@"
    login_cookie = f"{cookie}=@pending@"
    navigation = "Accept: text/html,application/xhtml+xml\nSec-Fetch-Mode: navigate\n"
    requests = {
        "callback": f"GET /eidgate/callback?{valid_callback} HTTP/1.1\nHost: app.example.test\n"
                    f"Cookie: {login_cookie}\nAccept-Language: fi-FI,fi;q=0.9\n{navigation}",
        "callback-cancel": f"GET /eidgate/callback?error=access_denied&error_description="
                           f"urn%3Asignicat%3Aerror%3Ausercancel&state={STATE}&iss={ISS}\n"
                           f"Cookie: {login_cookie}\n",
        "callback-no-cookie": f"GET /eidgate/callback?{valid_callback}\n",
        "login": "GET /eidgate/login?" + urlencode({"provider": "op", "next": "/account?x=1",
                                                    "loa": "substantial"}) +
                 f"\nCookie: {login_cookie}\n{navigation}",
        "login-par": "GET /eidgate/login?provider=par&ui_locales=fi+sv\n",
        "picker": "GET /eidgate/?next=%2Fprivate%2Fx&providers=op,par&loa=high\n"
                  "Accept-Language: sv\n",
        "logout": f"POST /eidgate/logout\nOrigin: https://app.example.test\n"
                  f"Cookie: {session_cookie}\n",
        "logout-cross-site": f"POST /eidgate/logout\nSec-Fetch-Site: cross-site\n"
                             f"Cookie: {session_cookie}\n",
        "logged-out": "GET /eidgate/logged-out\nAccept-Language: de\n",
        "jwks": "HEAD /eidgate/jwks.json\n",
        "not-found": "DELETE /eidgate/login\n",
        "protected-page": f"GET /private/page?x=1\n{navigation}",
        "protected-api": "GET /private/api\nAccept: application/json\n",
        "protected-session": f"GET /private/x\nCookie: {session_cookie}\n",
        "preflight": "OPTIONS /private/x\nOrigin: https://other.example\n"
                     "Access-Control-Request-Method: POST\n",
        "public": "GET /public\n",
        "backchannel-logout": "POST /eidgate/backchannel-logout HTTP/1.1\n"
                              "Content-Type: application/x-www-form-urlencoded\n\n"
                              + out["logout_token"]["valid"].decode(),
        "mounted": f"GET /eidgate/callback?{valid_callback}\nX-Fuzz-Root: /app/\n"
                   f"Cookie: {login_cookie}\n",
        "mounted-protected": f"GET /private/a%2Fb?q=%0d%0a\nX-Fuzz-Root: /app\n{navigation}",
    }
    out["gate_request"] = {k: v.encode() for k, v in requests.items()}
    return out


def main() -> None:
    for name, items in seeds().items():
        folder = CORPUS / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("seed-*"):
            old.unlink()
        for key, data in items.items():
            assert len(data) <= MAX_SEED, (name, key, len(data))
            (folder / f"seed-{key}").write_bytes(data)
        print(f"{name}: {len(items)} seeds")


if __name__ == "__main__":
    main()
