"""The demo in a real browser: headless Chromium (Debian's) logs in through the sandbox.

The Flask example is served on 127.0.0.1 next to a sandbox eID hub; Selenium drives
Debian's ``/usr/bin/chromium`` through ``/usr/bin/chromedriver`` (both installed by
``make test``; nothing is downloaded). A person opens a protected page, is sent to the
provider picker, picks an eID and a test person at the sandbox, comes back to see the
identity, and logs out.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import WSGIRequestHandler, make_server

from eidgate.sandbox import RunningSandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# the flags known to work here as root without a network: no GPU, no sandbox (root), no
# background connections (the closed network refuses them), a fresh profile per run
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1000,900")
WAIT = 20  # seconds for any one step


class _Quiet(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        pass  # request lines carry codes and state in query strings


def _example_app(issuer: str, client_secret: str, app_port: int, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Any:
    """examples/flask_app.py with the example's providers pointed at ``issuer``."""
    # the example's own file, every provider pointed at this sandbox (labels, acr_values
    # and the rest as the demo has them)
    text = (EXAMPLES / "eidgate.toml").read_text(encoding="utf-8")
    assert text.count('"http://127.0.0.1:8800"') == len(tomllib.loads(text)["providers"])
    lines = [text.replace('"http://127.0.0.1:8800"', f'"{issuer}"')
             .replace('"demo-secret-do-not-use-in-production"', f'"{client_secret}"')
             .replace('base_url = "http://127.0.0.1:8000"',
                      f'base_url = "http://127.0.0.1:{app_port}"')]
    config = tmp_path / "eidgate.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("EIDGATE_CONFIG", str(config))
    spec = importlib.util.spec_from_file_location("flask_example_browser",
                                                  EXAMPLES / "flask_app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "flask_example_browser", module)
    spec.loader.exec_module(module)
    return module.app


def _chromium(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT)
    return driver


def test_demo_login_and_logout_in_headless_chromium(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: run `make test`, which installs "
                    "Debian's chromium and chromium-driver")
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download
    # bind the app's port first: the sandbox must allow its callback URL
    holder: dict[str, Callable[..., Any]] = {}
    httpd = make_server("127.0.0.1", 0, lambda env, start: holder["app"](env, start),
                        threaded=True, request_handler=_Quiet)
    app_port = httpd.server_port
    origin = f"http://127.0.0.1:{app_port}"
    hub: RunningSandbox | None = None
    server: threading.Thread | None = None
    driver: webdriver.Chrome | None = None
    try:
        hub = RunningSandbox(0, redirect_uris=(f"{origin}/eidgate/callback",)).start()
        holder["app"] = _example_app(hub.issuer, hub.client.client_secret, app_port,
                                     tmp_path, monkeypatch)
        server = threading.Thread(target=httpd.serve_forever, daemon=True,
                                  name="flask-example")
        server.start()
        driver = _chromium(tmp_path / "profile")
        wait = WebDriverWait(driver, WAIT)

        def click(text: str, tag: str = "a") -> None:
            wait.until(ec.element_to_be_clickable(
                (By.XPATH, f"//{tag}[contains(normalize-space(.), '{text}')]"))).click()

        # a protected page sends the person to the app's provider picker
        driver.get(f"{origin}/account")
        wait.until(ec.url_contains(f"{origin}/eidgate/"))
        assert "next=%2Faccount" in driver.current_url
        click("Any eID (sandbox picker)")
        # the sandbox eID hub: choose an eID, then a test person
        wait.until(ec.url_contains(hub.issuer))
        click("Finnish bank ID (FTN)")
        click("Väinö Tunnistus (OP)", tag="button")
        # back at the app, logged in
        wait.until(ec.url_to_be(f"{origin}/account"))
        wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "Hello Väinö" in text
        assert "070770-905D" in text
        shot = tmp_path / "account.png"
        assert driver.save_screenshot(str(shot))
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 5 * 1024
        # logging out ends the session (at the sandbox too, then back to the app)
        click("Log out", tag="button")
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"),
                                                    "You are logged out"))
        driver.get(f"{origin}/account")
        wait.until(ec.url_contains(f"{origin}/eidgate/"))
        assert "Any eID (sandbox picker)" in driver.find_element(By.TAG_NAME, "body").text
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            httpd.shutdown()
        httpd.server_close()
        if hub is not None:
            hub.stop()
