"""eidgate's system checks: each mistake in EIDGATE, eidgate.toml, the URLconf or the
middleware is reported by ``manage.py check`` with its id, the key and the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from eidgate_adapters.django.checks import check_eidgate

pytestmark = pytest.mark.usefixtures("eidgate_settings")
ROOT = Path(__file__).resolve().parents[2]


def found(settings: Any) -> list[tuple[str, str, str]]:
    return [(m.id, m.msg, m.hint or "") for m in check_eidgate()]


def test_the_test_project_passes(settings: Any) -> None:
    assert found(settings) == []


def test_missing_setting(settings: Any) -> None:
    del settings.EIDGATE
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.E001"
    assert "missing" in message
    assert 'EIDGATE = {"config": BASE_DIR / "eidgate.toml"}' in hint
    settings.EIDGATE = ["not", "a", "dict"]
    assert found(settings)[0][:2] == ("eidgate.E001", "settings.EIDGATE is not a dict")


def test_unknown_key_names_the_one_meant(settings: Any) -> None:
    settings.EIDGATE = {**settings.EIDGATE, "protcet": ["/x/*"]}
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.E002"
    assert message == "settings.EIDGATE['protcet']: unknown key; did you mean 'protect'?"
    assert "config" in hint and "users" in hint


def test_config_file_error_names_file_key_and_fix(settings: Any, tmp_path: Path) -> None:
    good = Path(settings.EIDGATE["config"]).read_text(encoding="utf-8")
    broken = tmp_path / "eidgate.toml"
    broken.write_text(good.replace("issuer =", "isuer ="), encoding="utf-8")
    settings.EIDGATE = {"config": broken}
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.E003"
    assert message == (f"{broken}: providers.sandbox.isuer: unknown key 'isuer'; did you "
                       "mean 'issuer'?")
    assert hint == f"fix the key providers.sandbox.isuer in {broken} (settings.EIDGATE['config'])"


def test_option_error_names_the_option(settings: Any) -> None:
    settings.EIDGATE = {**settings.EIDGATE, "loa": "extreme"}
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.E004"
    assert message.startswith("settings.EIDGATE['loa']: ")
    assert "substantial" in message
    assert hint == "fix EIDGATE['loa'] in settings"


def test_routes_not_included(settings: Any) -> None:
    settings.ROOT_URLCONF = "testsite.urls_without"
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.E005"
    assert message == "the URLconf does not include eidgate_adapters.django.urls"
    assert hint == ("add path('eidgate/', include(\"eidgate_adapters.django.urls\")) to "
                    "testsite.urls_without (at route_prefix '/eidgate')")


def test_routes_elsewhere_than_route_prefix(settings: Any) -> None:
    settings.ROOT_URLCONF = "testsite.urls_elsewhere"
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.E006"
    assert message.startswith("eidgate's routes are included at '/auth' in the URLconf, but ")
    assert "eidgate.route_prefix is '/eidgate'" in message
    assert hint == ("include them at path('eidgate/', include(\"eidgate_adapters.django."
                    "urls\")) or set route_prefix = '/auth'")
    # a server runs no checks: the first request says the same
    client = Client(raise_request_exception=True)
    with pytest.raises(ImproperlyConfigured, match="included at '/auth'"):
        client.get("/")
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "eidgate" not in m]
    with pytest.raises(ImproperlyConfigured, match="included at '/auth'"):
        Client(raise_request_exception=True).get("/auth/login")


def test_users_need_the_backend_and_the_order(settings: Any) -> None:
    settings.EIDGATE = {**settings.EIDGATE, "users": True}
    assert found(settings) == []
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    [(ident, _, hint)] = found(settings)
    assert (ident, hint) == ("eidgate.E007", "add 'eidgate_adapters.django.auth."
                             "EidGateBackend' to AUTHENTICATION_BACKENDS")
    settings.AUTHENTICATION_BACKENDS = ["eidgate_adapters.django.auth.EidGateBackend"]
    middleware = [m for m in settings.MIDDLEWARE if "eidgate" not in m]
    settings.MIDDLEWARE = ["eidgate_adapters.django.EidGateMiddleware", *middleware]
    [(ident, message, _)] = found(settings)
    assert ident == "eidgate.E008"
    assert "AuthenticationMiddleware" in message
    settings.EIDGATE = {**settings.EIDGATE, "users": {"key": "email"}}
    [(ident, message, _)] = found(settings)
    assert ident == "eidgate.E004"
    assert "never a name or e-mail alone" in message


def test_protect_without_middleware_and_append_slash(settings: Any) -> None:
    settings.EIDGATE = {**settings.EIDGATE, "protect": ["/account", "/protected/*"]}
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.W002"
    assert "'/account' does not cover '/account/'" in message
    assert hint == "protect '/account/*' or '/account*'"
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "eidgate" not in m]
    [(ident, message, hint)] = found(settings)
    assert ident == "eidgate.W001"
    assert hint == "add 'eidgate_adapters.django.EidGateMiddleware' to MIDDLEWARE"


def test_manage_py_check_reports_a_broken_config(tmp_path: Path) -> None:
    # the example project, as a developer runs it, with a typo in its eidgate.toml
    text = (ROOT / "examples" / "eidgate.toml").read_text(encoding="utf-8")
    broken = tmp_path / "eidgate.toml"
    broken.write_text(text.replace("client_secret =", "client_secrt =", 1), encoding="utf-8")
    env = {**os.environ, "EIDGATE_CONFIG": str(broken)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "django" / "manage.py"),
                           "check"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert "(eidgate.E003)" in done.stderr
    assert "providers.sandbox.client_secrt: unknown key 'client_secrt'; did you mean " \
           "'client_secret'?" in done.stderr
    assert f"HINT: fix the key providers.sandbox.client_secrt in {broken}" in done.stderr
    env.pop("EIDGATE_CONFIG")
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "django" / "manage.py"),
                           "check"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
