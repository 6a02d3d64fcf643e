"""eidgate's system checks: ``manage.py check`` names the key and the fix of each mistake.

=============  ===========================================================================
eidgate.E001   ``settings.EIDGATE`` is missing or not a dict
eidgate.E002   ``EIDGATE`` has a key eidgate does not know (with the one meant)
eidgate.E003   eidgate.toml does not load (its file, key and fix)
eidgate.E004   an option in ``EIDGATE`` is wrong (``protect``, ``loa``, ``strings``, ...)
eidgate.E005   the URLconf does not include ``eidgate_adapters.django.urls``
eidgate.E006   the URLconf includes them elsewhere than ``route_prefix``
eidgate.E007   ``EIDGATE["users"]`` without ``django.contrib.auth`` or the backend
eidgate.E008   ``EIDGATE["users"]`` with EidGateMiddleware before AuthenticationMiddleware
eidgate.W001   ``protect`` without EidGateMiddleware in ``MIDDLEWARE`` (nothing is guarded)
eidgate.W002   a ``protect`` pattern misses the ``/``-ended path APPEND_SLASH leads to
=============  ===========================================================================
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import Resolver404, resolve

from eidgate import ConfigError

from ._gates import ADAPTER_KEYS, SETTING, Gates, mounted_prefix, option_names, prefix_mismatch

MIDDLEWARE = "eidgate_adapters.django.EidGateMiddleware"
BACKEND = "eidgate_adapters.django.auth.EidGateBackend"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def register() -> None:
    """Register :func:`check_eidgate` (done by the app's ``ready()``)."""
    checks.register(check_eidgate, "eidgate")


def check_eidgate(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every eidgate check, in order; a broken setting stops before the checks that need it."""
    conf = getattr(settings, SETTING, None)
    if not isinstance(conf, Mapping):
        return [checks.Error(
            f"settings.{SETTING} is {'missing' if conf is None else 'not a dict'}",
            hint=f'set {SETTING} = {{"config": BASE_DIR / "eidgate.toml"}} in settings',
            id="eidgate.E001")]
    known = sorted(option_names() | ADAPTER_KEYS)
    for key in sorted(set(conf) - set(known)):
        close = difflib.get_close_matches(key, known, n=1)
        return [checks.Error(
            f"settings.{SETTING}[{key!r}]: unknown key"
            + (f"; did you mean {close[0]!r}?" if close else ""),
            hint=f"the keys are: {', '.join(known)}", id="eidgate.E002")]
    try:
        found = Gates(conf)
    except ConfigError as exc:
        if exc.option is not None:
            return [checks.Error(f"settings.{SETTING}[{exc.option!r}]: {exc.description}",
                                 hint=f"fix {SETTING}[{exc.option!r}] in settings",
                                 id="eidgate.E004")]
        where = f"the key {exc.key} in {exc.file}" if exc.key else exc.file
        return [checks.Error(exc.description, hint=f"fix {where} "
                             f"(settings.{SETTING}['config'])", id="eidgate.E003")]
    except (ImproperlyConfigured, TypeError, ValueError) as exc:
        return [checks.Error(f"settings.{SETTING}: {exc}", id="eidgate.E004")]
    try:
        return [*_routes(found), *_users(conf), *_protect(found)]
    finally:
        found.close()


def _routes(found: Gates) -> list[checks.CheckMessage]:
    prefix = found.gate.prefix
    if mounted_prefix() is None:
        return [checks.Error(
            "the URLconf does not include eidgate_adapters.django.urls",
            hint=f'add path({prefix.strip("/") + "/"!r}, include("eidgate_adapters.django.'
                 f'urls")) to {settings.ROOT_URLCONF} (at route_prefix {prefix!r})',
            id="eidgate.E005")]
    mismatch = prefix_mismatch(found.gate)
    if mismatch is not None:
        message, _, fix = mismatch.partition("; ")
        return [checks.Error(message, hint=fix, id="eidgate.E006")]
    return []


def _users(conf: Mapping[str, Any]) -> list[checks.CheckMessage]:
    if not conf.get("users"):
        return []
    errors: list[checks.CheckMessage] = []
    if "django.contrib.auth" not in settings.INSTALLED_APPS:
        errors.append(checks.Error(
            f"settings.{SETTING}['users'] needs django.contrib.auth",
            hint="add 'django.contrib.auth' and 'django.contrib.contenttypes' to "
                 "INSTALLED_APPS", id="eidgate.E007"))
    if BACKEND not in settings.AUTHENTICATION_BACKENDS:
        errors.append(checks.Error(
            f"settings.{SETTING}['users'] needs eidgate's authentication backend",
            hint=f"add {BACKEND!r} to AUTHENTICATION_BACKENDS", id="eidgate.E007"))
    middleware = list(settings.MIDDLEWARE)
    if MIDDLEWARE in middleware and AUTH_MIDDLEWARE in middleware and middleware.index(
            MIDDLEWARE) < middleware.index(AUTH_MIDDLEWARE):
        errors.append(checks.Error(
            f"{MIDDLEWARE} comes before AuthenticationMiddleware, which would replace the "
            "request.user it sets", hint=f"move {MIDDLEWARE!r} after {AUTH_MIDDLEWARE!r} "
            "in MIDDLEWARE", id="eidgate.E008"))
    return errors


def _protect(found: Gates) -> list[checks.CheckMessage]:
    gate = found.gate
    if not gate.protect:
        return []
    if MIDDLEWARE not in settings.MIDDLEWARE:
        return [checks.Warning(
            f"settings.{SETTING}['protect'] is set but EidGateMiddleware is not installed: "
            "no path is guarded", hint=f"add {MIDDLEWARE!r} to MIDDLEWARE",
            id="eidgate.W001")]
    warnings: list[checks.CheckMessage] = []
    if settings.APPEND_SLASH:
        for pattern in gate.protect:
            # CommonMiddleware redirects /account to /account/ when only that resolves: a
            # pattern that matches the first and not the second would guard a redirect
            slashed = pattern + "/"
            if any(c in pattern for c in "*?[") or pattern.endswith("/") or gate.protects(
                    slashed) or not _resolves(slashed):
                continue
            warnings.append(checks.Warning(
                f"settings.{SETTING}['protect']: {pattern!r} does not cover {slashed!r}, "
                "which your URLconf serves (APPEND_SLASH sends the browser there)",
                hint=f"protect {slashed + '*'!r} or {pattern + '*'!r}", id="eidgate.W002"))
    return warnings


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True
