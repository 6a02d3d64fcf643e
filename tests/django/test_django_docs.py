"""README.md's Django block runs: its settings, view and URLconf, as written, serve a
login against the sandbox through Django's test client; docs/django.md's blocks compile."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\n(?P<code>.*?)^(?P=indent)```\s*$",
                    re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    return [m["code"] for m in _FENCE.finditer(path.read_text(encoding="utf-8"))
            if m["lang"] == "python"]


def test_readme_django_block_logs_in(settings: Any, sandbox_config: Path,
                                     eidgate_login: Callable[..., Any],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    [code] = [b for b in python_blocks(ROOT / "README.md")
              if "from eidgate_adapters.django import" in b]
    found: dict[str, Any] = {"BASE_DIR": sandbox_config.parent, "__name__": "readme_views"}
    exec(compile(code, "README.md (Django)", "exec"), found)  # noqa: S102 (our own docs)
    assert found["INSTALLED_APPS"] == ["eidgate_adapters.django"]
    urls = types.ModuleType("readme_urls")
    urls.urlpatterns = found["urlpatterns"]  # type: ignore[attr-defined]
    settings.MIDDLEWARE = found["MIDDLEWARE"]
    settings.EIDGATE = found["EIDGATE"]
    monkeypatch.setitem(sys.modules, "readme_urls", urls)
    settings.ROOT_URLCONF = "readme_urls"
    client = Client()
    assert client.get("/account/", headers={"Accept": "application/json"}).status_code == 401
    assert client.get("/reports/x", headers={"Accept": "application/json"}).status_code == 401
    page = eidgate_login(client, "/account/", person="ftn-vaino")
    assert page.content.decode() == "Hello Väinö"
    low = eidgate_login(Client(), "/account/", person="mitid-abelone")  # level low
    assert low.status_code == 401  # the step-up came back below substantial


@pytest.mark.parametrize("code", python_blocks(ROOT / "docs" / "django.md"))
def test_docs_page_blocks_compile(code: str) -> None:
    compile(code, "docs/django.md", "exec")


def test_docs_page_has_its_blocks() -> None:
    assert len(python_blocks(ROOT / "docs" / "django.md")) >= 4
