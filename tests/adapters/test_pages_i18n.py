"""The gate's pages in seven languages: Accept-Language negotiation, complete tables,
escaped provider text, overrides. Flask and WSGI adapters against the sandbox eID hub."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import flask
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from werkzeug.test import Client as WerkzeugClient

import eidgate
from eidgate import _languages
from eidgate._languages import STRINGS, TRANSLATIONS, language_tables, negotiate
from eidgate.sandbox import RunningSandbox
from eidgate.sandbox._provider import PROVIDER_ERROR
from eidgate.web import DefaultPages, Gate, WebRequest, WebResponse
from eidgate.web import _pages as _rp_pages
from eidgate_adapters.asgi import EidGateMiddleware as AsgiGate
from eidgate_adapters.flask import EidGate
from eidgate_adapters.wsgi import EidGateMiddleware

ALL = tuple(TRANSLATIONS)  # the default offer: English first
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def config_file(sandbox: RunningSandbox, tmp_path: Path) -> Path:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "i18n-pages-test-secret-0123456789"\n\n' + sandbox.toml(),
                    encoding="utf-8")
    return path


def make_app(sandbox: RunningSandbox, tmp_path: Path, **options: Any) -> flask.Flask:
    app = flask.Flask(__name__)
    EidGate(app, config=str(config_file(sandbox, tmp_path)), **options)

    @app.get("/")
    def home() -> str:
        return "home"
    return app


@pytest.fixture
def app(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> flask.Flask:
    return make_app(eidgate_sandbox, tmp_path)


def h1(page: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page)
    assert found is not None, page[:300]
    return found.group(1)


# -- negotiation (RFC 9110 12.5.4, RFC 4647 3.4) --------------------------------------------

@pytest.mark.parametrize(("header", "parsed"), [
    # RFC 9110 12.5.4's example
    ("da, en-gb;q=0.8, en;q=0.7", [("da", 1.0), ("en-gb", 0.8), ("en", 0.7)]),
    ("fi;q=0.5, sv;q=0.6", [("sv", 0.6), ("fi", 0.5)]),
    ("sv;q=0.5, da;q=0.5", [("sv", 0.5), ("da", 0.5)]),        # ties keep their order
    ("  fi ; Q=0.9 ,de;q=0.95", [("de", 0.95), ("fi", 0.9)]),  # OWS; "q" any case
    ("*;q=0.1, DE-ch", [("de-ch", 1.0), ("*", 0.1)]),
    ("fi;q=1.5, sv;q=0.1234, da;q=abc, nl;q=0.", [("nl", 0.0)]),  # bad weights skipped
    ("x y, fi_FI, ;q=1, nb", [("nb", 1.0)]),                    # bad ranges skipped
    ("", []),
])
def test_accept_language_is_parsed(header: str, parsed: list[tuple[str, float]]) -> None:
    assert _languages.parse_accept_language(header) == parsed


@pytest.mark.parametrize(("header", "offered", "language"), [
    ("da, en-gb;q=0.8, en;q=0.7", ALL, "da"),     # RFC 9110 12.5.4's example
    ("en-gb;q=0.8, en;q=0.7", ALL, "en"),         # lookup: en-gb -> en
    ("sv-SE", ALL, "sv"),
    ("sv-FI,fi;q=0.9", ALL, "sv"),
    ("fi-FI,fi;q=0.9,en-US;q=0.8,en;q=0.7", ALL, "fi"),
    ("nb-NO,nb;q=0.9,no;q=0.8,nn;q=0.7,en-US;q=0.6,en;q=0.5", ALL, "nb"),
    ("no", ALL, "nb"),
    ("nn-NO", ALL, "nb"),
    ("de-CH-1996", ALL, "de"),
    ("nl-BE", ALL, "nl"),
    ("FI", ALL, "fi"),
    ("pt-BR, pt;q=0.9", ALL, "en"),               # nothing fits: the first offered
    ("x-klingon, fi;q=0.1", ALL, "fi"),
    ("fi;q=0.5, sv;q=0.6", ALL, "sv"),
    ("*", ALL, "en"),
    ("en;q=0, *", ALL, "da"),                     # any but English: the next offered
    ("en;q=0, de;q=0", ("en", "de"), "en"),       # everything refused: disregard the field
    ("*;q=0.1, de;q=0", ("de", "en"), "en"),
    ("de-CH;q=0, de;q=0.9", ALL, "de"),           # q=0 refuses de-CH, not German itself
    ("no;q=0, sv", ALL, "sv"),                    # an alias refused: Bokmål is not wanted
    ("no;q=0, nb", ALL, "en"),
    ("fi, sv;q=0.9", ("sv", "en"), "sv"),
    ("de", ("fi", "sv"), "fi"),                   # restricted: the first is the fallback
    ("sv", ("fi",), "fi"),                        # pinned
    ("", ALL, "en"),
    (None, ALL, "en"),
])
def test_accept_language_chooses_the_page_language(header: str | None, offered: tuple[str, ...],
                                                   language: str) -> None:
    assert negotiate(header, offered) == language


# -- the tables -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ALL)
def test_every_language_has_every_string_and_placeholder(lang: str) -> None:
    table = TRANSLATIONS[lang]
    assert set(table) == set(STRINGS), f"{lang}: missing {set(STRINGS) - set(table)}, " \
                                       f"extra {set(table) - set(STRINGS)}"
    assert table["lang"] == lang
    for key, english in STRINGS.items():
        assert table[key].strip() == table[key] != "", (lang, key)
        assert sorted(PLACEHOLDER.findall(table[key])) == sorted(
            PLACEHOLDER.findall(english)), (lang, key)
        assert "{" not in PLACEHOLDER.sub("", table[key]), (lang, key)  # no stray braces
    if lang != "en":  # translated, not left in English (short loanwords excepted)
        same = {k for k in STRINGS if k != "lang" and table[k] == STRINGS[k]}
        assert same <= {"details"}, (lang, same)


# -- each language through a real adapter -------------------------------------------------

@pytest.mark.parametrize(("header", "lang"), [
    *((lang, lang) for lang in ALL), ("sv-SE,sv;q=0.9", "sv"), ("no", "nb"), ("nn", "nb"),
    ("fr-FR, fr;q=0.9", "en")])
def test_each_language_renders_every_page(app: flask.Flask, eidgate_sandbox: RunningSandbox,
                                          eidgate_login: Callable[..., Any], header: str,
                                          lang: str) -> None:
    s = TRANSLATIONS[lang]
    esc = escape
    with app.test_client() as client:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = header
        picker = client.get("/eidgate/?next=/account")
        page = picker.get_data(as_text=True)
        assert picker.status_code == 200
        assert page.startswith(f'<!doctype html><html lang="{lang}">')
        assert picker.headers["Content-Language"] == lang
        assert "Accept-Language" in picker.headers["Vary"]
        assert h1(page) == esc(s["picker_title"])
        assert f"<title>{esc(s['picker_title'])}</title>" in page
        assert esc(s["picker_text"]) in page
        cases = [("/eidgate/logged-out", 200, "logged_out_title", "logged_out"),
                 ("/eidgate/nowhere", 404, "not_found_title", "not_found"),
                 ("/eidgate/logout", 405, "method_not_allowed_title", "method_not_allowed"),
                 ("/eidgate/login?provider=nobody", 400, "error_title", "unknown_provider"),
                 # no pending login in this browser: where to open the site (base_url)
                 ("/eidgate/callback?state=forged", 400, "error_title", "wrong_host"),
                 ("/eidgate/callback?state=a&state=b", 400, "error_title", "invalid_callback")]
        for path, status, title, text in cases:
            response = client.get(path)
            body = response.get_data(as_text=True)
            assert response.status_code == status, path
            assert response.headers["Content-Language"] == lang, path
            assert f'<html lang="{lang}">' in body and h1(body) == esc(s[title]), path
            assert esc(s[text].replace("{address}", "http://127.0.0.1:8000")) in body, path
        canceled = eidgate_login(client, "/eidgate/login?provider=sandbox", person="cancel")
        body = canceled.get_data(as_text=True)
        assert canceled.status_code == 401
        assert esc(s["canceled"]) in body and esc(s["try_again"]) in body
        assert "<details>" not in body  # a cancel needs no provider detail


@pytest.mark.parametrize("lang", ALL)
def test_the_providers_message_is_shown_escaped_in_every_language(
        app: flask.Flask, eidgate_sandbox: RunningSandbox, lang: str) -> None:
    s = TRANSLATIONS[lang]
    hostile = '<script>alert(1)</script> "&\' <b onmouseover=x> \u202egnp.exe\u0007'
    with app.test_client() as client:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
        start = client.get("/eidgate/login?provider=sandbox&next=/")
        state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
        # what the provider sends back for this login, state and iss as they must be
        query = urlencode({"state": state, "iss": eidgate_sandbox.issuer,
                           "error": "server_error", "error_description": hostile})
        response = client.get(f"/eidgate/callback?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert escape(s["rejected"]) in body
    assert "<script>" not in body and "<b " not in body and "\u202e" not in body
    said = escape(s["provider_said"]).split("{detail}")
    expected = ("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#x27; "
                "&lt;b onmouseover=x&gt; gnp.exe")
    assert f"{said[0]}<bdi>{expected}</bdi>{said[1]}" in body
    assert f"<summary>{escape(s['details'])}</summary>" in body
    assert "Traceback" not in body


def test_the_sandboxs_own_rejection_shows_its_message(
        app: flask.Flask, eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
        page = eidgate_login(client, "/eidgate/login?provider=sandbox", person="error")
    body = page.get_data(as_text=True)
    assert page.status_code == 401
    assert TRANSLATIONS["de"]["rejected"] in body
    assert f"<bdi>{escape(PROVIDER_ERROR[1])}</bdi>" in body


# -- overrides and choices -------------------------------------------------------------------

def test_strings_per_language_reword_or_add_a_language(eidgate_sandbox: RunningSandbox,
                                                       tmp_path: Path) -> None:
    app = make_app(eidgate_sandbox, tmp_path, strings={
        "fi": {"picker_title": "Kirjaudu <sisään>"},
        "IS": {"picker_title": "Innskráning", "picker_text": "Veldu rafræn skilríki."}})
    with app.test_client() as client:
        def page(header: str) -> str:
            return str(client.get("/eidgate/", headers={"Accept-Language": header})
                       .get_data(as_text=True))
        finnish = page("fi")
        assert h1(finnish) == "Kirjaudu &lt;sisään&gt;"
        assert TRANSLATIONS["fi"]["picker_text"] in finnish
        assert h1(page("sv")) == TRANSLATIONS["sv"]["picker_title"]
        icelandic = page("is-IS, en;q=0.5")
        assert icelandic.startswith('<!doctype html><html lang="is">')
        assert h1(icelandic) == "Innskráning" and "Veldu rafræn skilríki." in icelandic
        not_found = client.get("/eidgate/nowhere", headers={"Accept-Language": "is"})
        assert STRINGS["not_found"] in not_found.get_data(as_text=True)  # English beneath


def gate_for(sandbox: RunningSandbox, tmp_path: Path, **options: Any
             ) -> tuple[eidgate.Client, Gate]:
    config = eidgate.load_config(config_file(sandbox, tmp_path))
    client = eidgate.Client(config)
    return client, Gate(config, client.rp, **options)


def get(client: eidgate.Client, gate: Gate, target: str, language: str | None = None
        ) -> WebResponse:
    path, _, query = target.partition("?")
    headers = {"accept-language": language} if language else {}
    response: WebResponse = client.run(gate.handle(WebRequest("GET", path, query, headers)))
    return response


def test_the_app_restricts_or_pins_languages(eidgate_sandbox: RunningSandbox,
                                             tmp_path: Path) -> None:
    client, gate = gate_for(eidgate_sandbox, tmp_path, languages=["fi", "SV", "no"])
    assert gate.languages == ("fi", "sv", "nb")
    for header, lang in (("de", "fi"), ("en", "fi"), ("sv-SE", "sv"), ("nn", "nb"),
                         (None, "fi")):
        response = get(client, gate, "/eidgate/", header)
        assert f'<html lang="{lang}">' in response.body.decode()
        assert ("Content-Language", lang) in response.headers
        assert ("Vary", "Accept-Language") in response.headers
    client, pinned = gate_for(eidgate_sandbox, tmp_path, languages="fi")
    response = get(client, pinned, "/eidgate/", "sv, en")
    assert '<html lang="fi">' in response.body.decode()
    assert ("Vary", "Accept-Language") not in response.headers


def test_languages_from_the_config_file_and_the_adapters(eidgate_sandbox: RunningSandbox,
                                                         tmp_path: Path) -> None:
    path = config_file(eidgate_sandbox, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[eidgate]\n", '[eidgate]\nlanguages = ["sv", "fi"]\n'), encoding="utf-8")
    client = eidgate.Client(eidgate.load_config(path))
    gate = Gate(client.rp.config, client.rp)
    assert gate.languages == ("sv", "fi")
    assert '<html lang="sv">' in get(client, gate, "/eidgate/", "de").body.decode()
    # the adapters' languages= wins over the file
    flask_app = flask.Flask(__name__)
    EidGate(flask_app, config=str(path), languages="fi")
    page = flask_app.test_client().get("/eidgate/", headers={"Accept-Language": "sv"})
    assert page.get_data(as_text=True).startswith('<!doctype html><html lang="fi">')
    wsgi = EidGateMiddleware(flask.Flask(__name__), config=str(path), languages=["fi", "sv"])
    page = WerkzeugClient(wsgi).get("/eidgate/", headers={"Accept-Language": "da"})
    assert page.get_data(as_text=True).startswith('<!doctype html><html lang="fi">')
    # the file's languages and the app's flat (English) strings cannot both hold
    with pytest.raises(eidgate.ConfigError) as refused:
        EidGate(flask.Flask(__name__), config=str(path), strings={"picker_title": "Hi"})
    assert refused.value.option == "strings"
    assert 'strings={"fi": {"picker_title": "..."}}' in str(refused.value)
    asgi = AsgiGate(Starlette(), config=str(path), languages=["nl"])
    with TestClient(asgi) as browser:
        page = browser.get("/eidgate/", headers={"Accept-Language": "sv"})
    assert page.text.startswith('<!doctype html><html lang="nl">')


def test_provider_labels_per_language(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> None:
    path = config_file(eidgate_sandbox, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert 'label = "eidgate sandbox"' in text
    path.write_text(text.replace('label = "eidgate sandbox"', 'label = {en = "Test eID", '
                                 'fi = "Testitunnistus", sv = "Test-e-legitimation"}'),
                    encoding="utf-8")
    client = eidgate.Client(eidgate.load_config(path))
    gate = Gate(client.rp.config, client.rp)
    for header, label in (("fi-FI", "Testitunnistus"), ("sv", "Test-e-legitimation"),
                          ("de", "Test eID"), (None, "Test eID")):
        page = get(client, gate, "/eidgate/", header).body.decode()
        assert 'class="choice" href="/eidgate/login?provider=sandbox' in page
        assert f">{label}</a>" in page, (header, label)


@pytest.mark.parametrize(("options", "message"), [
    # one flat table (the form before translations) is not a table per language
    ({"strings": {"picker_title": "x"}, "languages": ["fi"]}, "'picker_title' is not a"),
    ({"strings": {"picker_title": "x", "fi": {"picker_title": "y"}}}, "'picker_title' is"),
    ({"strings": {"fi": {"picker_title": 1}}}, "'fi' is not a language tag with a table"),
    ({"languages": ["fi", "fr"]}, "no strings for ['fr']"),
    ({"languages": []}, "no language"),
    ({"strings": {"not a tag": {"picker_title": "x"}}}, "not a language tag"),
])
def test_impossible_language_choices_are_refused_at_start(
        eidgate_sandbox: RunningSandbox, tmp_path: Path, options: dict[str, Any],
        message: str) -> None:
    with pytest.raises(eidgate.ConfigError, match=re.escape(message)) as refused:
        gate_for(eidgate_sandbox, tmp_path, **options)
    assert refused.value.option in ("strings", "languages")
    assert f"option {refused.value.option}=" in str(refused.value)


def test_picker_language_goes_to_the_provider_as_ui_locales(
        app: flask.Flask, eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any], tmp_path: Path) -> None:
    with app.test_client() as client:
        picker = client.get("/eidgate/", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
        link = re.search(r'class="choice" href="([^"]+)"', picker.get_data(as_text=True))
        assert link is not None
        target = link.group(1).replace("&amp;", "&")
        assert "ui_locales=fi" in target
        start = client.get(target)
        assert parse_qs(urlsplit(start.headers["Location"]).query)["ui_locales"] == ["fi"]
        # the whole login goes through with it, at a real provider
        assert eidgate_login(client, target).get_data(as_text=True) == "home"
        # English only as the fallback is no choice: the provider may do better
        picker = client.get("/eidgate/", headers={"Accept-Language": "pt-BR"})
        assert "ui_locales" not in picker.get_data(as_text=True)
        # one the app put on the picker's link wins
        picker = client.get(f"/eidgate/?ui_locales={quote('sv fi')}",
                            headers={"Accept-Language": "fi"})
        assert "ui_locales=sv+fi" in picker.get_data(as_text=True)
    client_, pinned = gate_for(eidgate_sandbox, tmp_path, languages=["sv"])
    assert "ui_locales=sv" in get(client_, pinned, "/eidgate/", "pt").body.decode()


def test_a_pages_subclass_replaces_one_page_and_gets_the_providers_detail(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        tmp_path: Path) -> None:
    class MyPages(DefaultPages):
        """Only the error page is the app's own; it shows the provider's detail."""

        def error(self, s: Mapping[str, str], message: str, retry: str,
                  detail: str | None = None) -> str:
            return f"<p lang={s['lang']}>{message}|{detail}</p>"

    app = make_app(eidgate_sandbox, tmp_path, pages=MyPages())
    with app.test_client() as client:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
        page = eidgate_login(client, "/eidgate/login?provider=sandbox", person="error")
        picker = client.get("/eidgate/").get_data(as_text=True)
    assert page.status_code == 401
    # the sandbox's "error" person is refused with PROVIDER_ERROR's description
    detail = _rp_pages.provider_text(PROVIDER_ERROR[1])
    assert page.get_data(as_text=True) == (
        f"<p lang=nl>{TRANSLATIONS['nl']['rejected']}|{detail}</p>")
    assert '<html lang="nl">' in picker  # the pages it did not replace stay eidgate's


def test_wsgi_middleware_serves_the_negotiated_language(eidgate_sandbox: RunningSandbox,
                                                         tmp_path: Path) -> None:
    def inner(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"inner"]

    app = EidGateMiddleware(inner, config=str(config_file(eidgate_sandbox, tmp_path)))
    try:
        response = WerkzeugClient(app).get("/eidgate/logged-out",
                                           headers={"Accept-Language": "sv-SE"})
        assert response.headers["Content-Language"] == "sv"
        assert h1(response.get_data(as_text=True)) == TRANSLATIONS["sv"]["logged_out_title"]
    finally:
        app.close()


def test_language_tables_keeps_unknown_keys_for_custom_pages() -> None:
    offered, tables = language_tables({"fi": {"my_banner": "Tervetuloa"}})
    assert offered == ALL
    assert tables["fi"]["my_banner"] == "Tervetuloa"
    assert tables["fi"]["picker_title"] == "Tunnistaudu"


@pytest.mark.parametrize(("raw", "shown"), [
    ("urn:signicat:error:loa:notmet; too low", "urn:signicat:error:loa:notmet; too low"),
    ("a\r\nb\tc\u2028d\u00a0e", "a b c d e"),            # one line
    ("ok \u202eexe.gnp\u202c \u200bx\u0000", "ok exe.gnp x"),  # no bidi tricks, no controls
    ("Tunnistus keskeytyi", "Tunnistus keskeytyi"),
])
def test_provider_text_is_made_one_plain_line(raw: str, shown: str) -> None:
    assert _rp_pages.provider_text(raw) == shown
