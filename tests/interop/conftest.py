"""Pytest wiring for the interop tests: a real OpenID provider on 127.0.0.1.

The session-scoped ``oidc_provider`` fixture starts panva's oidc-provider (node/server.mjs) on a
random loopback port with the clients and seed accounts described in ``_provider.py`` and
``_seed_accounts.py``, and stops it when the session ends.  Complete logins without a browser
with ``_driver.drive_login``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._provider import OidcProvider, start, stop


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """The running provider: ``.issuer``, ``.clients``, ``.sig_key_path``, ``.enc_key_path``,
    ``.redirect_uri``, ``.accounts`` (see ``_provider.OidcProvider``)."""
    workdir = tmp_path_factory.mktemp("oidc-provider")
    try:
        running = start(workdir)
    except RuntimeError as exc:
        pytest.fail(f"could not start the interop OpenID provider: {exc}", pytrace=False)
    try:
        yield running.provider
    finally:
        stop(running.process)
