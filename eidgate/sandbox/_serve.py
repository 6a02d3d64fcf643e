"""Serving the sandbox on 127.0.0.1 (for ``eidgate sandbox`` and the pytest plugin)."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ._provider import Sandbox, SandboxClient

DEMO_CLIENT_ID = "demo"
DEMO_CLIENT_SECRET = "demo-secret-do-not-use-in-production"  # noqa: S105 (sandbox only)
DEMO_REDIRECTS = ("http://127.0.0.1:8000/eidgate/callback",
                  "http://localhost:8000/eidgate/callback")


def _logged_out(redirect_uri: str) -> tuple[str, str]:
    """The post-logout URIs that go with a callback: the gate's logged-out page, the root."""
    return (redirect_uri.rsplit("/", 1)[0] + "/logged-out",
            redirect_uri.split("/", 3)[0] + "//" + redirect_uri.split("/", 3)[2] + "/")


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines would include codes and tokens in query strings


class RunningSandbox:
    """A sandbox listening on 127.0.0.1 in a background thread; ``stop()`` ends it."""

    def __init__(self, port: int = 0, *, quiet: bool = True,
                 redirect_uris: tuple[str, ...] = DEMO_REDIRECTS) -> None:
        # bind first (port 0 picks a free one): the issuer must name the real port
        self.sandbox = Sandbox("http://127.0.0.1")
        self._httpd = make_server("127.0.0.1", port, self._dispatch, server_class=_Server,
                                  handler_class=_Quiet if quiet else WSGIRequestHandler)
        self.port = self._httpd.server_port
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.sandbox = Sandbox(self.issuer)
        self.client = self.sandbox.register(SandboxClient(
            DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, redirect_uris,
            post_logout_redirect_uris=tuple(
                target for u in redirect_uris for target in _logged_out(u))))
        self._app: Any = self.sandbox.wsgi_app()
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        name="eidgate-sandbox")

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self._app(environ, start_response)

    def start(self) -> RunningSandbox:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and free the port (also when it was never started)."""
        if self._thread.is_alive():
            self._httpd.shutdown()  # blocks until serve_forever returns: only when running
        self._httpd.server_close()

    def __enter__(self) -> RunningSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def accept_redirect(self, redirect_uri: str) -> bool:
        """Register ``redirect_uri`` as a callback of the demo client (and the app's
        logged-out page and root as its post-logout URIs). True if it is one now; False for
        a URI no client may register (RFC 6749 3.1.2: absolute, no fragment; http or https).

        The pytest plugin calls it with the callback of the app under test, whatever its
        ``base_url``: the user's own config."""
        try:
            parts = urlsplit(redirect_uri)
            parts.port  # noqa: B018 (a port that is not a number raises ValueError)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
            return False
        client = self.client
        if redirect_uri not in client.redirect_uris:
            client.redirect_uris = (*client.redirect_uris, redirect_uri)
            client.post_logout_redirect_uris = (*client.post_logout_redirect_uris,
                                                *_logged_out(redirect_uri))
        return True

    def toml(self, name: str = "sandbox") -> str:
        """An ``eidgate.toml`` provider table for this sandbox."""
        return (f'[providers.{name}]\nlabel = "eidgate sandbox"\n'
                f'issuer = "{self.issuer}"\nclient_id = "{self.client.client_id}"\n'
                f'client_secret = "{self.client.client_secret}"\n')
