"""Back-channel logout from an independent, certified OpenID provider (panva's oidc-provider).

A person logs in through the WSGI adapter (served on the loop-back port registered as
bcl-client's ``backchannel_logout_uri``), then logs out at the provider (its end-session
page, confirmed). The provider POSTs its own logout token (OpenID Connect Back-Channel
Logout 1.0 2.5; ``backchannel_logout_session_required``: with ``sid``): eidgate must take it
(200, 2.8) and end the session the login kept (issuer, the ID token's ``sid``, ``sub``);
the same token sent again is a replay (2.6 (8): 400).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx2
import pytest
from recording_store import RecordingStore as Recording
from werkzeug.test import Client as WerkzeugClient

import eidgate
from eidgate_adapters import wsgi

from ._driver import _PageParser, drive_login
from ._provider import OidcProvider

FTN = "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf"
PATH = "/eidgate/backchannel-logout"

pytestmark = pytest.mark.interop


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"account"]


@pytest.fixture
def relying_party(oidc_provider: OidcProvider, tmp_path: Path
                  ) -> Iterator[tuple[WerkzeugClient, Recording, list[bytes]]]:
    op = oidc_provider
    config = eidgate.parse_config(
        {"eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "k" * 32},
         "providers": {"op": {"issuer": op.issuer, "client_id": "bcl-client",
                              "client_secret": op.clients["bcl-client"]["client_secret"],
                              "scopes": ["openid", "profile"]}}}, base_dir=tmp_path)
    store = Recording()
    gate = wsgi.EidGateMiddleware(app, config=config, protect=["/account/*"], sessions=store)
    received: list[bytes] = []

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]
                  ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH:  # keep the provider's request body
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            received.append(body)
            environ["wsgi.input"] = io.BytesIO(body)
        return gate(environ, start_response)

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    port = urlsplit(op.backchannel_logout_uri).port
    assert port is not None
    server = make_server("127.0.0.1", port, recording, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield WerkzeugClient(gate), store, received
    finally:
        server.shutdown()
        server.server_close()
        gate.close()


def test_the_providers_logout_token_ends_the_session_and_is_single_use(
        oidc_provider: OidcProvider,
        relying_party: tuple[WerkzeugClient, Recording, list[bytes]]) -> None:
    op = oidc_provider
    rp, store, received = relying_party
    with httpx2.Client(follow_redirects=False, timeout=10) as browser:
        started = rp.get("/eidgate/login?provider=op&next=/account/x",
                         base_url="http://127.0.0.1:8000")
        assert started.status_code == 303
        back = drive_login(started.headers["Location"], login=FTN, browser=browser)
        parts = urlsplit(back)
        done = rp.get(f"{parts.path}?{parts.query}", base_url="http://127.0.0.1:8000")
        assert done.status_code == 303, done.get_data(as_text=True)
        sid = store.saved[-1].get("sid")
        assert isinstance(sid, str) and sid  # the ID token's sid, kept with the session
        # the person logs out at the provider: its end-session page, confirmed
        meta = browser.get(op.issuer + "/.well-known/openid-configuration").json()
        assert meta["backchannel_logout_supported"] is True  # 2.1
        page = browser.get(meta["end_session_endpoint"], params={"client_id": "bcl-client"})
        parser = _PageParser()
        parser.feed(page.text)
        form = next(f for f in parser.forms if "xsrf" in f.fields)
        confirmed = browser.post(urljoin(str(page.url), form.action),
                                 data={**form.fields, "logout": "yes"})
        assert confirmed.status_code in (200, 303), confirmed.text[:500]
    assert "BACKCHANNEL ERROR" not in op.log_text()  # the provider got its 200
    assert store.ended == [(op.issuer, sid, FTN)]
    # 2.6 (8): the same logout token again is a replay
    assert len(received) == 1
    again = httpx2.post(op.backchannel_logout_uri, content=received[0], timeout=10,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_request"
    assert len(store.ended) == 1
