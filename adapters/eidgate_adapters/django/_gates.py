"""The gates a Django project's ``EIDGATE`` setting describes, built once per process.

Settings are read on first use, not at import (Django may not be configured yet), and
again after ``override_settings(EIDGATE=...)`` or a new ``ROOT_URLCONF`` (the
``setting_changed`` signal). One sync gate with :class:`~eidgate.Client` serves WSGI and
sync code; under ASGI each event loop gets its own gate with :class:`~eidgate.AsyncClient`
(an httpx2 pool belongs to the loop that opened it) sharing the sync gate's session store,
so a login begun on one finishes on the other.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, reverse

from eidgate import AsyncClient, Client, Config, load_config
from eidgate.web import Gate, GateOptions

SETTING = "EIDGATE"
#: the keys of ``EIDGATE`` besides the options every adapter takes (GateOptions)
ADAPTER_KEYS = frozenset({"config", "users"})


def option_names() -> frozenset[str]:
    """The :class:`~eidgate.web.GateOptions` keys, as the installed eidgate has them."""
    return frozenset(GateOptions.__optional_keys__)


def setting() -> Mapping[str, Any]:
    """``settings.EIDGATE`` (a dict); ImproperlyConfigured when absent or not a dict."""
    value = getattr(settings, SETTING, None)
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(
            f"settings.{SETTING}: {'missing' if value is None else 'not a dict'}; set "
            f'{SETTING} = {{"config": BASE_DIR / "eidgate.toml"}} (eidgate_adapters.django)')
    return value


def config_path(conf: Mapping[str, Any]) -> str | os.PathLike[str] | Config:
    """``EIDGATE["config"]``: a path to eidgate.toml (the default) or a loaded Config."""
    return cast("str | os.PathLike[str] | Config", conf.get("config", "eidgate.toml"))


def mounted_prefix() -> str | None:
    """Where the URLconf includes ``eidgate_adapters.django.urls`` (``/eidgate``), below
    the script prefix; None when it does not include them."""
    try:
        url = reverse("eidgate:picker")
    except NoReverseMatch:
        return None
    script = get_script_prefix()
    below = "/" + url[len(script):] if url.startswith(script) else url
    return below.rstrip("/") or "/"


def prefix_mismatch(gate: Gate) -> str | None:
    """The error to report when the URL include and ``route_prefix`` disagree, else None."""
    # the callback eidgate registers and sends is base_url + route_prefix + "/callback",
    # which the provider compares exactly (OIDC Core 3.1.2.1, RFC 9700 2.1): routes mounted
    # anywhere else are never reached by the provider, and reverse() would name wrong URLs
    mounted = mounted_prefix()
    if mounted is None or mounted == gate.prefix:
        return None
    return (f"eidgate's routes are included at {mounted!r} in the URLconf, but "
            f"{gate.config.source or 'eidgate.toml'}: eidgate.route_prefix is "
            f"{gate.prefix!r}; include them at path({gate.prefix.strip('/') + '/'!r}, "
            f'include("eidgate_adapters.django.urls")) or set route_prefix = {mounted!r}')


class Gates:
    """What ``EIDGATE`` describes: the config, the options, the sync gate and its driver,
    and one async gate per event loop (made on first use there)."""

    def __init__(self, conf: Mapping[str, Any]) -> None:
        unknown = sorted(set(conf) - option_names() - ADAPTER_KEYS)
        if unknown:  # the system check names them with a fix; refuse to guess here
            raise ImproperlyConfigured(f"settings.{SETTING}: unknown key {unknown[0]!r}; "
                                       "run manage.py check")
        path = config_path(conf)
        self.config = path if isinstance(path, Config) else load_config(path)
        self.options = cast(GateOptions, {k: v for k, v in conf.items()
                                          if k in option_names()})
        self.users: Any = conf.get("users") or None
        if self.users is not None:
            from .auth import link_users  # imports django.contrib.auth: only when asked

            self.options = link_users(self.options, self.users)
        self.gate, self.client = Gate.open(self.config, Client, **self.options)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[
            Gate, AsyncClient]] = weakref.WeakKeyDictionary()
        self._checked: str | bool | None = False

    def for_loop(self) -> tuple[Gate, AsyncClient]:
        """The async gate and driver of the running event loop."""
        loop = asyncio.get_running_loop()
        found = self._loops.get(loop)
        if found is None:
            # evidence is stored in a worker thread (finish()); the session store is the
            # sync gate's, so both read the same sessions (and one Redis pool serves both)
            options = cast(GateOptions, {**self.options, "sessions": self.gate.sessions})
            found = self._loops[loop] = Gate.open(self.config, AsyncClient,
                                                  defer_evidence=True, **options)
        return found

    def check_prefix(self) -> None:
        """Raise ImproperlyConfigured when the URL include disagrees with route_prefix
        (once per settings: servers do not run ``manage.py check``)."""
        if self._checked is False:
            self._checked = prefix_mismatch(self.gate)
        if isinstance(self._checked, str):
            raise ImproperlyConfigured(self._checked)

    def close(self) -> None:
        """Close the sync driver's connection pool (async pools close with their loop) and
        the session store eidgate made (``[eidgate.session]``; never one the app gave)."""
        self.client.close()
        close = getattr(self.gate.sessions, "close", None)
        if "sessions" not in self.options and close is not None:
            close()


_lock = threading.Lock()
_current: list[Gates] = []


def gates() -> Gates:
    """The project's :class:`Gates`, built from settings on first use."""
    if _current:
        return _current[0]
    with _lock:
        if not _current:
            _current.append(Gates(setting()))
        return _current[0]


def reset(**kwargs: Any) -> None:
    """Forget the gates (the next request builds them from settings again)."""
    if kwargs.get("setting") not in (None, SETTING, "ROOT_URLCONF", "AUTHENTICATION_BACKENDS"):
        return
    with _lock:
        while _current:
            _current.pop().close()


setting_changed.connect(reset, dispatch_uid="eidgate_adapters.django.reset")
