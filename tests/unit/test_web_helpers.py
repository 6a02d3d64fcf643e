"""The framework-agnostic helpers of eidgate.web._gate that the adapters share."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from unit_harness import make_config

from eidgate import RelyingParty
from eidgate.web import Gate, WebRequest, below_root, parse_cookies, wrap_view
from eidgate.web._request import (
    MAX_NEXT,
    cross_site,
    origin_of,
    safe_next,
)
from eidgate.web._rules import normal_path, path_matcher


@pytest.mark.parametrize(("header", "expected"), [
    ("", {}),
    ("a=1", {"a": "1"}),
    ("a=1; b=2;c=3", {"a": "1", "b": "2", "c": "3"}),
    # http.cookies.SimpleCookie loses every cookie of these headers
    ('prefs={"theme": "dark"}; eidgate_session=abc', {"prefs": '{"theme": "dark"}',
                                                       "eidgate_session": "abc"}),
    ("a=b c; eidgate_session=abc", {"a": "b c", "eidgate_session": "abc"}),
    ("bad name=1; eidgate_session=abc", {"bad name": "1", "eidgate_session": "abc"}),
    ("a=é; eidgate_session=abc", {"a": "é", "eidgate_session": "abc"}),
    # the first of two with one name (the longer path, RFC 6265 5.4 (2))
    ("eidgate_session=inner; eidgate_session=outer", {"eidgate_session": "inner"}),
    ('q="quoted"; e=; =nameless; flag; ;;', {"q": "quoted", "e": ""}),
    ('eidgate_session="\\x', {"eidgate_session": '"\\x'}),
])
def test_parse_cookies(header: str, expected: dict[str, str]) -> None:
    assert parse_cookies(header) == expected


def test_request_from_header_pairs_joins_repeats_and_reads_cookies() -> None:
    request = WebRequest.from_headers("GET", "/x", "a=1", [
        ("Accept", "text/html"), ("Cookie", "a=1"), ("X-Tag", "one"), ("cookie", "b=2"),
        ("x-tag", "two")])
    assert request.headers == {"accept": "text/html", "cookie": "a=1; b=2",
                               "x-tag": "one, two"}
    assert request.cookies == {"a": "1", "b": "2"}
    assert request.params == {"a": "1"}


def test_redirect_locations_are_ascii(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    gate = Gate(config, RelyingParty(config))
    web = gate.guard(WebRequest("GET", "/päge", "q=ö"), None)
    assert web is not None
    location = dict(web.headers)["Location"]
    assert location.isascii()
    # next is the path as a URL spells it (RFC 3987 3.1: UTF-8, percent-encoded), which
    # the browser reaches as /päge again; the query as it came
    assert parse_qs(urlsplit(location).query)["next"] == ["/p%C3%A4ge?q=ö"]
    # an already escaped or reserved character is left alone; the rest is UTF-8 escaped
    sent = gate._redirect("/p%C3%A4ge/日本?a=1&b=[x]#f")
    assert dict(sent.headers)["Location"] == "/p%C3%A4ge/%E6%97%A5%E6%9C%AC?a=1&b=[x]#f"


def test_wrap_view_keeps_sync_and_async_and_answers_the_refusal() -> None:
    seen: list[tuple[Any, ...]] = []

    def refuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        seen.append((args, kwargs))
        return "refused" if kwargs.get("who") == "anonymous" else None

    def sync_view(who: str) -> str:
        return f"hello {who}"

    async def async_view(who: str) -> str:
        await asyncio.sleep(0)
        return f"hello {who}"

    wrapped_sync, wrapped_async = wrap_view(sync_view, refuse), wrap_view(async_view, refuse)
    assert not inspect.iscoroutinefunction(wrapped_sync)
    assert inspect.iscoroutinefunction(wrapped_async)
    assert wrapped_sync.__name__ == "sync_view"
    assert wrapped_sync(who="ann") == "hello ann"
    assert wrapped_sync(who="anonymous") == "refused"
    assert asyncio.run(wrapped_async(who="ann")) == "hello ann"
    assert asyncio.run(wrapped_async(who="anonymous")) == "refused"
    assert seen[0] == ((), {"who": "ann"})


@pytest.mark.parametrize(("value", "expected"), [
    ("/account?tab=2#top", "/account?tab=2#top"), ("/app/päge", "/app/päge"),
    ("/a%20b", "/a%20b"), (None, "/"), ("", "/"),
    # RFC 9700 4.11.1: only a path on this site; every spelling of another host refused
    ("//evil.example", "/"), ("/\\evil.example", "/"), ("\\\\evil.example", "/"),
    ("https://evil.example", "/"), ("https:evil.example", "/"), ("evil.example", "/"),
    ("/%2F%2Fevil.example", "/"), ("/%2f/evil.example", "/"), ("/%5Cevil.example", "/"),
    ("/%252F%252Fevil.example", "/"), ("/%09/evil.example", "/"), ("/\t/evil", "/"),
    ("/x\r\nLocation: //evil", "/"), ("/x%0d%0aSet-Cookie:a=b", "/"), ("/x\x00", "/"),
    (" /x", "/"), ("javascript:alert(1)", "/"),
    # RFC 6265bis 5.6: next rides in a cookie; a longer one is dropped, not the cookie
    ("/" + "a" * (MAX_NEXT - 1), "/" + "a" * (MAX_NEXT - 1)), ("/" + "a" * MAX_NEXT, "/"),
    ("/" + "ä" * (MAX_NEXT // 6 + 1), "/"),
])
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("/account/x", "/account/x"), ("/Account/X", "/account/x"),
    # RFC 3986 5.2.4 remove_dot_segments, and the slashes os.path merges
    ("//account/x", "/account/x"), ("/a/../account/x", "/account/x"),
    ("/./account/./x", "/account/x"), ("/../../account/x", "/account/x"),
    ("/account//x/", "/account/x/"), ("/account/x/.", "/account/x/"),
    ("/account/x/..", "/account/"), ("/..", "/"), ("\\account\\x", "/account/x"),
    ("/a.b/.c/..d", "/a.b/.c/..d"),
])
def test_normal_path(path: str, expected: str) -> None:
    assert normal_path(path) == expected


def test_path_matcher_matches_as_fnmatch_on_the_normal_path() -> None:
    protects = path_matcher(["/account/*", "/Admin", "/files/*.pdf"])
    for path in ["/account/x", "/account/", "/account/a/b", "//account/x", "/x/../account/y",
                 "/ACCOUNT/x", "/admin", "/files/a/b.pdf", "/files/../files/x.PDF"]:
        assert protects(path, ""), path
        assert protects(path, "/app"), path  # below a mount point: the same
    for path in ["/account", "/accounts/x", "/admin/x", "/account/../public", "/", "",
                 "/files/x.pdfx"]:
        assert not protects(path, ""), path
    assert not path_matcher([])("/account/x", "")


def test_a_pattern_written_with_the_mount_point_still_protects() -> None:
    # Patterns are below the mount point; one written with it in front (as the WSGI
    # middleware matched before mounts were supported) must not silently stop protecting.
    protects = path_matcher(["/app/private/*"])
    assert protects("/private/x", "/app")
    assert protects("/app/private/x", "")
    assert not protects("/private/x", "")
    assert not protects("/public/x", "/app")


@pytest.mark.parametrize(("url", "origin"), [
    ("https://app.example.test", "https://app.example.test"),
    ("https://App.Example.test:443/mount", "https://app.example.test"),
    ("http://127.0.0.1:8000/app", "http://127.0.0.1:8000"),
    ("http://[::1]:8000", "http://[::1]:8000"), ("http://localhost:80", "http://localhost"),
])
def test_origin_of_is_what_a_browser_sends(url: str, origin: str) -> None:
    assert origin_of(url) == origin  # RFC 6454 6.2


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, False), ({"sec-fetch-site": "same-origin"}, False), ({"sec-fetch-site": "none"}, False),
    ({"sec-fetch-site": "same-site"}, True), ({"sec-fetch-site": "cross-site"}, True),
    ({"sec-fetch-site": "cross-site", "origin": "https://a.test"}, True),
    ({"sec-fetch-site": "same-origin", "origin": "https://evil.test"}, False),
    ({"origin": "https://a.test"}, False), ({"origin": "https://evil.test"}, True),
    ({"origin": "null"}, True), ({"origin": "https://a.test.evil.test"}, True),
])
def test_cross_site(headers: dict[str, str], expected: bool) -> None:
    assert cross_site(headers, "https://a.test") is expected


@pytest.mark.parametrize(("path", "root", "below"), [
    ("/app/account", "/app", "/account"),   # asgiref: root_path in front of path
    ("/app", "/app", "/"),
    ("/account", "/app", "/account"),       # an older server: path already below the root
    ("/application/x", "/app", "/application/x"),  # /app is not a segment of /application
    ("/x", "", "/x"),
])
def test_below_root(path: str, root: str, below: str) -> None:
    assert below_root(path, root) == below
