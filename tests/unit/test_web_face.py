"""eidgate.web, the public face adapters are built from: its names, and the rules it owns
(one constructor, one refuse rule, errors answered by their status hint, the logout URL
built by the relying party, the callback query read once and strictly)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from crafted import CLIENT_ID, CraftedProvider, json_response
from unit_harness import ISSUER, make_config

import eidgate
import eidgate.web
from eidgate import AsyncClient, Client, ConfigError, Identity
from eidgate.web import Gate, GateOptions, Rule, WebRequest, WebResponse

ADAPTERS = Path(__file__).resolve().parents[2] / "adapters" / "eidgate_adapters"


def test_web_all_is_pinned_and_sorted() -> None:
    assert eidgate.web.__all__ == [
        "STRINGS", "TRANSLATIONS", "CookieSessions", "DefaultPages", "EvidenceSink", "Gate",
        "GateOptions", "LoginRequired", "Pages", "RedisSessions", "RevocableStore", "Rule",
        "SessionError", "SessionInfo", "SessionStore", "SessionStoreUnavailable", "Strings",
        "WebRequest", "WebResponse", "below_root", "parse_cookies", "wrap_view"]
    for name in eidgate.web.__all__:
        assert getattr(eidgate.web, name) is not None, name


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


# by path below eidgate_adapters: the django package's modules too (django/urls.py)
@pytest.mark.parametrize("module", sorted(str(p.relative_to(ADAPTERS))
                                          for p in ADAPTERS.rglob("*.py")))
def test_adapters_import_only_public_names(module: str) -> None:
    private = [name for name in _imports(ADAPTERS / module) if name.split(".")[0] == "eidgate"
               and any(part.startswith("_") for part in name.split(".")[1:])]
    assert private == [], f"{module} imports private eidgate names: {private}"


def test_the_private_check_sees_a_private_import(tmp_path: Path) -> None:
    # the test above can fail: these spellings are all caught
    sample = tmp_path / "sample.py"
    sample.write_text("import eidgate._client\nfrom eidgate.web._gate import Gate\n"
                      "from eidgate import _languages\nfrom eidgate.web import Gate\n")
    names = _imports(sample)
    private = [n for n in names if n.split(".")[0] == "eidgate" and any(
        part.startswith("_") for part in n.split(".")[1:])]
    assert set(private) == {"eidgate._client", "eidgate.web._gate", "eidgate.web._gate.Gate",
                            "eidgate._languages"}


@pytest.mark.parametrize("driver", [Client, AsyncClient])
def test_one_constructor_from_a_config_file(tmp_path: Path, driver: type[Any]) -> None:
    path = tmp_path / "eidgate.toml"
    evidence = tmp_path / "evidence"
    path.write_text(f'[eidgate]\nbase_url = "https://app.example.test"\n'
                    f'secret_key = "{"x" * 32}"\nevidence_dir = "{evidence}"\n\n'
                    f'[providers.op]\nissuer = "{ISSUER}"\nclient_id = "c"\n'
                    f'client_secret = "s"\n', encoding="utf-8")
    gate, client = Gate.open(str(path), driver, protect=["/account/*"], loa="high",
                             languages="fi")
    assert isinstance(client, driver)
    assert gate.rp is client.rp and gate.config is client.config
    assert isinstance(gate.evidence, eidgate.DirectorySink)  # the driver's default sink
    assert gate.rule == Rule(None, "high") and gate.languages == ("fi",)
    assert gate.protects("/account/x") and gate.protects("/ACCOUNT//x")
    assert not gate.protects("/public")


def test_gate_options_are_the_same_names_in_every_adapter() -> None:
    from eidgate_adapters import asgi, flask, wsgi

    keys = set(get_type_hints(GateOptions))
    assert keys == {"protect", "providers", "loa", "preflight", "evidence", "strings",
                    "languages", "pages", "sessions", "max_age", "on_login", "on_logout"}
    for init in (flask.EidGate.__init__, flask.EidGate.init_app,
                 asgi.EidGateMiddleware.__init__, wsgi.EidGateMiddleware.__init__):
        options = inspect.signature(init).parameters["options"]
        assert options.kind is options.VAR_KEYWORD, init
        assert options.annotation == "Unpack[GateOptions]", init


@pytest.mark.parametrize(("kwargs", "option"), [
    ({"loa": "hgh"}, "loa"),
    ({"loa": "HIGH"}, "loa"),
    ({"providers": "bankid"}, "providers"),  # a string is not a list of names
])
def test_a_wrong_rule_is_a_config_error_naming_the_option(kwargs: dict[str, Any],
                                                          option: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Rule.of(**kwargs) if "providers" not in kwargs else Rule(kwargs["providers"])
    assert refused.value.option == option
    assert str(refused.value).startswith(f"invalid_configuration: option {option}=")


def test_decorators_refuse_a_wrong_level_when_they_are_applied() -> None:
    from eidgate_adapters import asgi, flask

    for login_required in (flask.login_required, asgi.login_required):
        with pytest.raises(ConfigError, match="option loa="):
            login_required(loa="hgh")  # type: ignore[call-overload]


def test_rule_allows_by_provider_and_level() -> None:
    person = Identity(subject="s", provider="ftn", issuer=ISSUER, method="ftn", loa="high")
    assert Rule().allows(person) and not Rule().allows(None)
    assert Rule.of(provider="ftn").allows(person)
    assert not Rule.of(providers=["mitid"]).allows(person)
    assert Rule.of(loa="substantial").allows(person)
    low = Identity(subject="s", provider="ftn", issuer=ISSUER, method="ftn", loa="low")
    assert not Rule.of(loa="substantial").allows(low)


# -- the gate's answers, driven as an adapter drives them ----------------------------------

def _gate(tmp_path: Path, op: CraftedProvider | None = None,
          handler: Any = None) -> tuple[Gate, Client]:
    config = make_config(tmp_path)
    transport = handler or (op or CraftedProvider()).transport()
    client = Client(config, transport=transport)
    return Gate(config, client.rp), client


def _timeout(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectTimeout("no answer", request=request)


def _http_500(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(500, text="down")


@pytest.mark.parametrize(("handler", "status"), [
    (httpx2.MockTransport(_timeout), 504),   # ProviderUnavailable's hint
    (httpx2.MockTransport(_http_500), 502),  # ProviderError's hint
])
def test_a_provider_failure_is_answered_with_its_status_hint(
        tmp_path: Path, handler: Any, status: int) -> None:
    gate, client = _gate(tmp_path, handler=handler)
    web: WebResponse = client.run(gate.handle(WebRequest("GET", "/eidgate/login",
                                                         "provider=op")))
    assert web.status == status
    assert b"<h1>Identity provider unavailable</h1>" in web.body


def _logged_in(gate: Gate) -> dict[str, str]:
    person = Identity(subject="s", provider="op", issuer=ISSUER, method="op")
    return {gate.session_cookie: gate.sessions.save(person)}


def test_logout_goes_to_the_providers_end_session_endpoint(tmp_path: Path) -> None:
    op = CraftedProvider(discovery_extra={"end_session_endpoint": f"{ISSUER}/logout?x=1"})
    gate, client = _gate(tmp_path, op)
    web = client.run(gate.handle(WebRequest("POST", "/eidgate/logout",
                                            cookies=_logged_in(gate))))
    assert web.status == 303
    location = urlsplit(dict(web.headers)["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ISSUER}/logout"
    # OpenID Connect RP-Initiated Logout 1.0, 2: client_id, post_logout_redirect_uri
    assert parse_qs(location.query) == {
        "x": ["1"], "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": ["https://app.example.test/eidgate/logged-out"]}
    assert any(c.startswith(f"{gate.session_cookie}=;") for c in web.cookies)


@pytest.mark.parametrize("op", [
    CraftedProvider(),  # no end_session_endpoint
    CraftedProvider(overrides={"/.well-known/openid-configuration":
                               lambda r: json_response({}, 500)}),  # discovery down
])
def test_logout_without_the_provider_ends_the_session_here(tmp_path: Path,
                                                           op: CraftedProvider) -> None:
    gate, client = _gate(tmp_path, op)
    cookies = _logged_in(gate)
    web = client.run(gate.handle(WebRequest("POST", "/eidgate/logout", cookies=cookies)))
    assert web.status == 303
    assert dict(web.headers)["Location"] == "/eidgate/logged-out"
    assert any(c.startswith(f"{gate.session_cookie}=;") for c in web.cookies)


def test_the_callback_query_is_read_once_and_strictly(tmp_path: Path) -> None:
    op = CraftedProvider()
    gate, client = _gate(tmp_path, op)
    login = client.run(gate.handle(WebRequest("GET", "/eidgate/login", "provider=op")))
    name, value = login.cookies[-1].split(";")[0].split("=", 1)
    back = op.authorize(dict(login.headers)["Location"])
    query = "&".join(f"{k}={v}" for k, v in back.items())
    asked = len(op.requests)
    # RFC 6749 3.1: a parameter sent twice (here state) is refused before anything else
    twice = client.run(gate.handle(WebRequest("GET", "/eidgate/callback",
                                              f"{query}&state=other", cookies={name: value})))
    assert twice.status == 400
    assert len(op.requests) == asked  # no code exchange was tried
    assert not twice.cookies  # the pending login stays for the real callback
    done = client.run(gate.handle(WebRequest("GET", "/eidgate/callback", query,
                                             cookies={name: value})))
    assert done.status == 303
    assert any(c.startswith(f"{gate.session_cookie}=") for c in done.cookies)
    # W3C Referrer Policy: the page after the login is not told the callback's URL (code,
    # state), nor is the site a link on the error page leads to
    for answer in (done, twice):
        assert ("Referrer-Policy", "no-referrer") in answer.all_headers()


def test_guard_bounds_next_as_login_does(tmp_path: Path) -> None:
    gate, _ = _gate(tmp_path)
    web = gate.guard(WebRequest("GET", "/account", "q=" + "x" * 6000,
                                {"accept": "text/html"}), None)
    assert web is not None and web.status == 303
    location = dict(web.headers)["Location"]
    assert len(location) < 200
    assert parse_qs(urlsplit(location).query)["next"] == ["/"]
