"""One fuzz harness per parser that sees outside input: ``HARNESSES`` maps a name to a
function of the fuzzer's bytes.

Each harness turns the bytes into what a browser or a provider would send, feeds them to
eidgate's own entry point, and accepts only the outcomes the API documents: an
``EidGateError``, or a clean value (a dict, None, a ``LoginResult``, a ``WebResponse`` with a
4xx/5xx status and no traceback in it). Anything else propagates, so atheris reports it as a
crash (tests/fuzz/run.py) and the corpus replay as a failure (tests/fuzz/test_corpus.py);
an outcome that is the wrong *value* raises :class:`Violation`.

Where the flow needs a provider, the sans-IO generator is driven (:func:`_drive`) against the
crafted provider of tests/crafted.py, whose answer at one endpoint is the fuzzed bytes. The
world the harnesses share (fixed keys from tests/fuzz/keys, a relying party on a fixed clock,
a gate) is built once per process (:func:`world`), so one execution costs microseconds.

Corpus files may hold placeholders that are replaced by values the code makes at run time,
because a stored one would expire: ``@pending@`` (a valid pending-login cookie for the state
``fuzz-state``) and ``@session@`` (a valid session cookie).
"""

from __future__ import annotations

import atexit
import base64
import dataclasses
import functools
import json
import re
import shutil
import tempfile
import time
import tomllib
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import jwt
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, CraftedProvider, SigningKey, at_hash
from itsdangerous import URLSafeTimedSerializer
from seed_claims import MITID

from eidgate import (
    Config,
    EidGateError,
    HttpRequest,
    HttpResponse,
    Identity,
    load_config,
    normalize,
    parse_config,
)
from eidgate._calls import Call, advance
from eidgate._languages import TRANSLATIONS, match, negotiate, parse_accept_language
from eidgate._oidc.authorize import PendingLogin, PendingLogins, add_query
from eidgate._oidc.flow import LoginResult, RelyingParty, parse_callback
from eidgate._oidc.metadata import ProviderMetadata, ProviderState
from eidgate._oidc.tokens import fetch_userinfo
from eidgate.web import Gate, WebRequest, WebResponse, parse_cookies
from eidgate.web._sessions import _AAD, _VERSION, _derive

FIXED_NOW = 1_800_000_000.0
STATE, NONCE, VERIFIER = "fuzz-state", "fuzz-nonce", "fuzz-verifier"
ACCESS_TOKEN = "fuzz-access-token"
SUBJECT = "user-1"
SECRET = "fuzz secret key, 32 characters!!"
KEYS = Path(__file__).parent / "keys"
BASE_URL = "https://app.example.test"
#: the most requests one flow may make (discovery, JWKS, a JWKS refetch, token, userinfo...)
MAX_REQUESTS = 12

Harness = Callable[[bytes], None]


class Violation(AssertionError):
    """The code under test answered, but with a value its API does not allow."""


def _clock() -> float:
    return FIXED_NOW


class _Tokens:
    """A deterministic token factory (state, nonce, verifier, jti): inputs replay exactly."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"token-{self.n}"


@dataclass
class World:
    op: CraftedProvider
    config: Config
    rp: RelyingParty
    gate: Gate
    pending: PendingLogin
    token_response: dict[str, Any]
    signer: URLSafeTimedSerializer
    _pending_cookie: tuple[float, str] | None = None

    def pending_cookie(self) -> str:
        """A pending-login cookie value for :data:`STATE`, re-made every minute (its
        itsdangerous timestamp is the machine's clock, and expires after login_timeout)."""
        made = self._pending_cookie
        if made is None or time.time() - made[0] > 60:
            made = (time.time(), self.gate.pending.encode(self.pending))
            self._pending_cookie = made
        return made[1]

    @functools.cached_property
    def session_cookie(self) -> str:
        # a full identity (name, birth date, national id, address: every field the session
        # parser rebuilds), from a seed document's example
        claims = {**MITID, "sub": SUBJECT, "address": {"street_address": "Vej 1",
                                                       "postal_code": "2100",
                                                       "country": "DK"}}
        identity = normalize(claims, "auto", provider="op", issuer=ISSUER,
                             scopes=("openid",), today=date(2026, 1, 1))
        return self.gate.sessions.save(identity, sid="fuzz-sid")


def provider_keys() -> list[SigningKey]:
    """The crafted provider's signing keys: fixed, so the corpus's signed tokens verify."""
    doc = json.loads((KEYS / "provider-signing.jwks.json").read_text())
    rsa_jwk, ec_jwk = doc["keys"]
    return [SigningKey("k1", jwt.algorithms.RSAAlgorithm.from_jwk(rsa_jwk)),
            SigningKey("k2", jwt.algorithms.ECAlgorithm.from_jwk(ec_jwk), "ES256")]


def make_config() -> Config:
    provider = {"issuer": ISSUER, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "decryption_keys": ["rp-enc-rsa.json", "rp-enc-ec.json"]}
    return parse_config({"eidgate": {"base_url": BASE_URL, "secret_key": SECRET},
                         "providers": {"op": provider,
                                       "par": {**provider, "use_par": True,
                                               "label": "PAR"}}},
                        base_dir=KEYS)


def id_token_claims(**extra: Any) -> dict[str, Any]:
    now = int(FIXED_NOW)
    return {"iss": ISSUER, "sub": SUBJECT, "aud": CLIENT_ID, "exp": now + 300, "iat": now,
            "nonce": NONCE, "auth_time": now - 5, "at_hash": at_hash(ACCESS_TOKEN), **extra}


@functools.cache
def world() -> World:
    op = CraftedProvider(keys=provider_keys(), now=_clock)
    config = make_config()
    rp = RelyingParty(config, now=_clock, token=_Tokens())
    gate = Gate(config, rp, now=_clock, protect=["/private/*"])
    pending = PendingLogin(state=STATE, nonce=NONCE, code_verifier=VERIFIER, provider="op",
                           issuer=ISSUER, redirect_uri=config.redirect_uri,
                           next_url="/account", created_at=FIXED_NOW - 10)
    tokens = {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300,
              "id_token": op.sign(id_token_claims())}
    # any code gets the token response of the fixed pending login (one RSA signature, once)
    op.overrides["/token"] = lambda request: HttpResponse(
        200, {"content-type": "application/json"}, json.dumps(tokens).encode())
    # the same serializer as eidgate.web._sessions.PendingCodec (test_corpus.py checks it
    # still is: a signed seed must come back as a pending login)
    signer = URLSafeTimedSerializer([SECRET], salt="eidgate.pending")
    return World(op, config, rp, gate, pending, tokens, signer)


# -- helpers -------------------------------------------------------------------------------

_URL_CHARS = re.compile(r"[\x21-\x7e]+")  # RFC 3986: printable ASCII, no space
_STATUS = re.compile(r"[1-9][0-9]{2}")  # ASCII digits only ("4\u00b31".isdigit() is True)


def as_response(data: bytes, status: int = 200, content_type: str = "application/json"
                ) -> HttpResponse:
    """A provider's answer: the bytes are the body, unless they start with a status line
    ``HTTP <status> <content type>\\n`` (so the corpus can vary status and type too)."""
    if data.startswith(b"HTTP "):
        head, _, data = data.partition(b"\n")
        parts = head.decode("latin-1").split(None, 2)
        if len(parts) > 1 and _STATUS.fullmatch(parts[1]):
            status = int(parts[1])
        content_type = parts[2].strip() if len(parts) > 2 else ""
    return HttpResponse(status, {"content-type": content_type}, data)


def _drive(steps: Generator[HttpRequest, HttpResponse, Any],
           answer: Callable[[HttpRequest], HttpResponse]) -> Any:
    """What a driver does, minus I/O; a flow that keeps asking is a bug (a fetch storm)."""
    # the crafted provider logs every request (for tests that count them): over millions
    # of inputs that log alone would be the memory the fuzzer sees growing
    op = world().op
    op.requests.clear()
    op.par_requests.clear()
    sent = 0
    try:
        request = next(steps)
        while True:
            sent += 1
            if sent > MAX_REQUESTS:
                raise Violation(f"a flow made more than {MAX_REQUESTS} requests")
            if isinstance(request, Call):  # a session store's call: made in place
                request = advance(steps, request)
                continue
            if not isinstance(request, HttpRequest):
                raise Violation(f"a flow yielded {type(request).__name__}, not HttpRequest "
                                f"or Call")
            request = steps.send(answer(request))
    except StopIteration as done:
        return done.value


def _answer_at(path: str, response: HttpResponse) -> Callable[[HttpRequest], HttpResponse]:
    """The crafted provider, except that ``path`` answers ``response``."""
    op = world().op

    def answer(request: HttpRequest) -> HttpResponse:
        if urlsplit(request.url).path == path:
            return response
        return op.handle(request)
    return answer


def _check_result(result: object) -> None:
    if not isinstance(result, LoginResult):
        raise Violation(f"complete() returned {type(result).__name__}")
    if result.accepted and (result.identity is None or not result.subject):
        raise Violation("an accepted login without an identity or subject")


def _login(answer: Callable[[HttpRequest], HttpResponse],
           params: Mapping[str, str] | str | None = None, provider: str = "op") -> None:
    """Finish the fixed pending login with ``params`` (a valid callback by default)."""
    w = world()
    # a fresh relying party per input: the metadata and key caches must not carry one
    # input's provider answer into the next
    rp = RelyingParty(w.config, now=_clock, token=_Tokens())
    if params is None:
        params = {"code": "fuzz-code", "state": STATE, "iss": ISSUER}
    try:
        result = _drive(rp.complete(params, PendingLogins([w.pending])), answer)
    except EidGateError:
        return
    _check_result(result)


# -- the harnesses -------------------------------------------------------------------------

def callback_query(data: bytes) -> None:
    """flow.parse_callback and RelyingParty.complete: the callback's query string."""
    query = data.decode("latin-1")  # as the adapters decode QUERY_STRING / query_string
    try:
        params = parse_callback(query)
    except EidGateError:
        return
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items()):
        raise Violation("parse_callback returned a non-string parameter")
    _login(world().op.handle, query)


def token_response(data: bytes) -> None:
    """tokens.exchange_code: the token endpoint's answer (then the whole login after it)."""
    _login(_answer_at("/token", as_response(data)))


def par_response(data: bytes) -> None:
    """authorize.push: the PAR endpoint's answer (RFC 9126 2.2), in RelyingParty.begin."""
    w = world()
    rp = RelyingParty(w.config, now=_clock, token=_Tokens())
    try:
        redirect = _drive(rp.begin("par"), _answer_at("/par", as_response(data, 201)))
    except EidGateError:
        return
    query = urlsplit(redirect.url).query
    if "request_uri=" not in query or not redirect.url.isascii():
        raise Violation(f"a PAR login redirect without a clean request_uri: {redirect.url!r}")


def _with_id_token(data: bytes) -> None:
    text = data.decode("latin-1")
    tokens = {**world().token_response, "id_token": text}
    _login(_answer_at("/token", HttpResponse(200, {"content-type": "application/json"},
                                             json.dumps(tokens).encode())))


def jws(data: bytes) -> None:
    """tokens.verified / jose.verify / check_id_token: a compact JWS as the ID token."""
    _with_id_token(data)


def jwe(data: bytes) -> None:
    """tokens.verified / jose.decrypt: a compact JWE (RSA-OAEP, ECDH-ES) as the ID token."""
    _with_id_token(data)


def userinfo(data: bytes) -> None:
    """tokens.fetch_userinfo: the userinfo answer (JSON, JWS or JWE by content type)."""
    w = world()
    state = ProviderState(w.config.provider("op"))
    conf = w.config.provider("op")
    answer = _answer_at("/userinfo", as_response(data))
    try:
        claims, raw = _drive(fetch_userinfo(conf, state, f"{ISSUER}/userinfo", ACCESS_TOKEN,
                                            SUBJECT, now=FIXED_NOW, leeway=60), answer)
    except EidGateError:
        return
    if not isinstance(claims, dict) or claims.get("sub") != SUBJECT or not isinstance(
            raw, str):
        raise Violation("fetch_userinfo returned claims of another subject")
    # the whole login with this userinfo: merge and normalise the claims
    _login(answer)


def discovery(data: bytes) -> None:
    """metadata.ProviderMetadata.from_document: the discovery document."""
    state = ProviderState(world().config.provider("op"))
    answer = _answer_at("/.well-known/openid-configuration", as_response(data))
    try:
        meta = _drive(state.ensure_metadata(FIXED_NOW), answer)
    except EidGateError:
        return
    if not isinstance(meta, ProviderMetadata) or meta.issuer != ISSUER:
        raise Violation("discovery accepted a document for another issuer")
    # the browser is sent to these two, with our parameters added (RelyingParty.begin and
    # logout): the URL must stay one URL
    for endpoint in (meta.authorization_endpoint, meta.end_session_endpoint):
        if endpoint is not None:
            url = add_query(endpoint, {"state": STATE, "client_id": CLIENT_ID})
            if not _URL_CHARS.fullmatch(url):
                raise Violation(f"a redirect URL with spaces or controls: {url!r:.100}")


# a token each JWKS key could verify: pyjwt must refuse a key of the wrong kind cleanly
_KEY_PROBES = (("RS256", "k1"), ("ES256", "k2"), ("ES256", None), ("EdDSA", None),
               ("PS256", None))


def jwks_document(data: bytes) -> None:
    """metadata.parse_jwks and ProviderState.key_for: the JWKS document."""
    from eidgate._oidc.jose import verify

    w = world()
    for alg, kid in _KEY_PROBES:
        state = ProviderState(w.config.provider("op"))
        try:
            key = _drive(state.key_for(alg, kid, FIXED_NOW),
                         _answer_at("/jwks", as_response(data)))
            verify(w.token_response["id_token"], key, alg, "ID token")
        except EidGateError:
            continue


def logout_token(data: bytes) -> None:
    """_oidc.logout.backchannel_logout (RelyingParty.backchannel_logout): the body the
    provider POSTs to the back-channel logout URI, ``logout_token=<JWT or JWE>``."""
    from eidgate._oidc.logout import LogoutRequest, MemoryReplayCache

    w = world()
    rp = RelyingParty(w.config, now=_clock, token=_Tokens())
    try:
        found = _drive(rp.backchannel_logout(None, data, replay=MemoryReplayCache()),
                       w.op.handle)
    except EidGateError:
        return
    if not isinstance(found, LogoutRequest) or found.issuer != ISSUER or not (
            found.sub or found.sid):
        raise Violation(f"backchannel_logout returned {found!r:.100}")


def session_cookie(data: bytes) -> None:
    """web._sessions.CookieSessions.load: the session cookie's value."""
    w = world()
    value = data.decode("latin-1").replace("@session@", w.session_cookie)
    _check_session(w.gate.sessions.load(value))


def _check_session(found: object) -> None:
    if found is None:
        return
    if not (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], Identity)
            and isinstance(found[1], dict)):
        raise Violation(f"CookieSessions.load returned {found!r:.80}")


def session_sealed(data: bytes) -> None:
    """CookieSessions.load past the AES-GCM check: the fuzzer's bytes as the sealed JSON.

    Only a holder of the secret key can make such a cookie; the payload parser must still
    never raise (an old version's cookie, a bug in save()).
    """
    sealed = _derive(SECRET).encrypt(b"\0" * 12, data, _AAD)
    value = base64.urlsafe_b64encode(_VERSION + b"\0" * 12 + sealed).rstrip(b"=").decode()
    _check_session(world().gate.sessions.load(value))


def _check_pending(found: PendingLogins) -> None:
    for login in found:
        if not isinstance(login, PendingLogin) or not isinstance(login.state, str):
            raise Violation("PendingCodec.collect returned a malformed login")


def pending_cookie(data: bytes) -> None:
    """web._sessions.PendingCodec.collect: a pending-login cookie's value."""
    w = world()
    value = data.decode("latin-1").replace("@pending@", w.pending_cookie())
    codec = w.gate.pending
    _check_pending(codec.collect({codec.prefix + STATE[:16]: value}))
    codec.overflow({codec.prefix + "a": value, codec.prefix + "b": value})


def pending_signed(data: bytes) -> None:
    """PendingCodec.collect and PendingLogin.from_dict past the signature: the fuzzer's
    bytes as the signed JSON payload (only a holder of the secret key can make one)."""
    w = world()
    payload = base64.urlsafe_b64encode(data).rstrip(b"=")
    value = w.signer.make_signer(w.signer.salt).sign(payload).decode("ascii")
    codec = w.gate.pending
    _check_pending(codec.collect({codec.prefix + STATE[:16]: value}))


def cookie_header(data: bytes) -> None:
    """web._request.parse_cookies (and Gate.cookie_identity): a ``Cookie`` header."""
    w = world()
    header = data.decode("latin-1").replace("@session@", w.session_cookie)
    cookies = parse_cookies(header)
    for name, value in cookies.items():
        if not isinstance(name, str) or not isinstance(value, str) or ";" in name + value \
                or "=" in name:
            raise Violation(f"parse_cookies returned {name!r:.40}={value!r:.40}")
    identity = w.gate.cookie_identity(header)
    if identity is not None and not isinstance(identity, Identity):
        raise Violation("cookie_identity returned something else than an Identity")


_OFFERS: tuple[tuple[str, ...], ...] = (tuple(TRANSLATIONS), ("fi", "sv", "en"), ("en",),
                                        ("nb", "de-ch", "x-klingon"))


def accept_language(data: bytes) -> None:
    """_languages.parse_accept_language, match and negotiate: ``Accept-Language``."""
    header = data.decode("latin-1")
    for tag, weight in parse_accept_language(header):
        if not isinstance(tag, str) or not 0 <= weight <= 1:
            raise Violation(f"parse_accept_language returned {tag!r:.40};q={weight}")
    for offered in _OFFERS:
        found = match(header, offered)
        if found is not None and found not in offered:
            raise Violation(f"match returned {found!r}, not one of {offered}")
        if negotiate(header, offered) not in offered:
            raise Violation("negotiate returned a language it does not offer")


_CONFIG_DIR = Path(tempfile.mkdtemp(prefix="eidgate-fuzz-config-"))
atexit.register(shutil.rmtree, _CONFIG_DIR, True)
_KEY_NAMES = ("rp-enc-rsa.json", "rp-enc-ec.json", "rp-sig.json")


def _key_paths_inside(data: Mapping[str, Any]) -> bool:
    """True when every key file the config names is a name in the harness's folder.

    eidgate reads the key files its operator names; the fuzzer must not make it read the
    machine's own files (``/dev/zero`` would never end), so such inputs are skipped.
    """
    providers = data.get("providers")
    for table in providers.values() if isinstance(providers, dict) else ():
        if not isinstance(table, dict):
            continue
        for key in ("signing_key", "decryption_keys"):
            paths = table.get(key, [])
            for path in [paths] if isinstance(paths, str) else (
                    paths if isinstance(paths, list) else []):
                # a name without "/" stays in the folder (".." is a folder: an OSError)
                if isinstance(path, str) and "/" in path:
                    return False
    return True


def config_toml(data: bytes) -> None:
    """_config.load_config: the text of eidgate.toml (TOML, then every check)."""
    if not (_CONFIG_DIR / _KEY_NAMES[0]).exists():
        for name in _KEY_NAMES:
            (_CONFIG_DIR / name).write_bytes((KEYS / name).read_bytes())
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        parsed = {}  # load_config must say so itself, below
    if not _key_paths_inside(parsed):
        return
    path = _CONFIG_DIR / "eidgate.toml"
    path.write_bytes(data)
    try:
        config = load_config(path)
    except EidGateError:
        return
    if not config.providers or config.default_provider not in config.providers:
        raise Violation("load_config returned a config without its default provider")
    for timeout in (config.http_timeout, *(p.timeout for p in config.providers.values())):
        # a timeout of nan or inf is no bound at all on an outbound call (DESIGN.md 5)
        if not 0 < timeout < float("inf"):
            raise Violation(f"load_config accepted a timeout of {timeout}")


_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")


def _check_response(response: object) -> None:
    if not isinstance(response, WebResponse):
        raise Violation(f"the gate answered {type(response).__name__}")
    if not 200 <= response.status < 600:
        raise Violation(f"the gate answered HTTP {response.status}")
    body = response.body.decode("utf-8", "replace")
    if _TRACEBACK.search(body):
        raise Violation(f"a traceback in an HTTP {response.status} page")
    for name, value in response.all_headers():
        # RFC 9110 5.5: CR, LF and NUL in a field value would split the response
        if any(c in name + value for c in "\r\n\0"):
            raise Violation(f"header {name} carries CR, LF or NUL: {value!r:.80}")


def gate_request(data: bytes) -> None:
    """web.Gate.handle (routes under /eidgate) and Gate.identity / Gate.refuse (a protected
    path, anything else): a whole request, written as HTTP/1.1 writes one::

        GET /eidgate/callback?code=x&state=fuzz-state HTTP/1.1
        Cookie: __Host-eidgate_login_fuzz-state=@pending@
        Accept-Language: fi

    A header ``X-Fuzz-Root: /app`` sets the mount point the app is served under; after an
    empty line comes the body (read for ``POST /eidgate/backchannel-logout`` only).
    """
    w = world()
    text = data.decode("latin-1")
    text = text.replace("@pending@", w.pending_cookie()).replace("@session@",
                                                                   w.session_cookie)
    text, _, body = text.partition("\n\n")  # HTTP/1.1: the body after an empty line
    head, *lines = text.split("\n")
    method, _, target = head.strip().partition(" ")
    target = target.rsplit(" HTTP/", 1)[0]
    raw_path, _, query = target.partition("?")
    # ASGI / WSGI hand over the path percent-decoded, as UTF-8 ('replace' in our adapters)
    path = unquote_to_bytes(raw_path).decode("utf-8", "replace") or "/"
    headers = [(n.strip(), v.strip()) for n, sep, v in (
        line.partition(":") for line in lines) if sep and n.strip()]
    # the mount point (WSGI SCRIPT_NAME, ASGI root_path) comes in a pseudo-header
    root = next((v for n, v in headers if n.lower() == "x-fuzz-root"), "")
    request = WebRequest.from_headers(method, path, query, headers, root)
    if w.gate.reads_body(request.path, request.method):
        request = dataclasses.replace(request, body=body.encode("latin-1"))
    gate = w.gate
    if gate.owns(request.path):
        try:
            response = _drive(gate.handle(request), w.op.handle)
        except EidGateError as exc:
            # the adapters do not catch what escapes Gate.handle (the framework would answer
            # a 500 with its own traceback page): every failure must come back as a page
            raise Violation(f"Gate.handle raised {exc!r:.200}") from exc
        _check_response(response)
        return
    identity = gate.identity(request)
    if gate.protects(request.path, request.root):
        refused = gate.refuse(identity, request, method=request.method)
        if refused is None:
            if identity is None:
                raise Violation(f"{method} {path!r} passed protect= without a login")
        else:
            _check_response(refused)


HARNESSES: dict[str, Harness] = {
    "callback_query": callback_query,
    "token_response": token_response,
    "par_response": par_response,
    "jws": jws,
    "jwe": jwe,
    "userinfo": userinfo,
    "discovery": discovery,
    "jwks": jwks_document,
    "logout_token": logout_token,
    "session_cookie": session_cookie,
    "session_sealed": session_sealed,
    "pending_cookie": pending_cookie,
    "pending_signed": pending_signed,
    "cookie_header": cookie_header,
    "accept_language": accept_language,
    "config_toml": config_toml,
    "gate_request": gate_request,
}

#: reproducers of bugs outside the files this suite owns: (harness, file) -> reason. Each is
#: replayed as xfail(strict=True), so the fix turns it into a failure to clean up.
KNOWN_BUGS: dict[tuple[str, str], str] = {}
#: the same bugs as the mutation pass meets them (its inputs are not in the corpus): one
#: test per bug above xfails strictly; these exceptions only must not hide new ones
KNOWN_CLASSES: dict[str, Callable[[BaseException], bool]] = {}


def tolerating_known_bugs(name: str) -> Harness:
    """The harness ``name``, with the exceptions of its known bugs taken as outcomes (the
    fuzzer looks past them for new ones; the corpus replay keeps them as strict xfails)."""
    harness = HARNESSES[name]
    known = KNOWN_CLASSES.get(name)
    if known is None:
        return harness

    def tolerant(data: bytes) -> None:
        try:
            harness(data)
        except Exception as exc:
            if not known(exc):
                raise
    return tolerant


CORPUS = Path(__file__).parent / "corpus"


def corpus_files(name: str) -> list[Path]:
    """The stored inputs of one harness, in a stable order."""
    folder = CORPUS / name
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
