"""The Django example (examples/django) in a real browser: started with its one command,
``manage.py runserver``, on a free port next to a sandbox eID hub; headless Chromium
(Debian's, driven by Selenium as in tests/browser) logs in through the picker, sees the
account page and the class-based profile, and logs out."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx2
import pytest
from redis_server import free_port

from eidgate.sandbox import RunningSandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "django"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1000,900")
WAIT = 20


def example_config(issuer: str, client_secret: str, port: int, directory: Path) -> Path:
    """examples/eidgate.toml (shared by every example), pointed at this sandbox and port."""
    text = (ROOT / "examples" / "eidgate.toml").read_text(encoding="utf-8")
    assert text.count('"http://127.0.0.1:8800"') == len(tomllib.loads(text)["providers"])
    path = directory / "eidgate.toml"
    path.write_text(text.replace('"http://127.0.0.1:8800"', f'"{issuer}"')
                    .replace('"demo-secret-do-not-use-in-production"', f'"{client_secret}"')
                    .replace('base_url = "http://127.0.0.1:8000"',
                             f'base_url = "http://127.0.0.1:{port}"'), encoding="utf-8")
    return path


def test_django_example_in_headless_chromium(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: run `make test`, which installs "
                    "Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    hub = RunningSandbox(0, redirect_uris=(f"{origin}/eidgate/callback",)).start()
    server: subprocess.Popen[bytes] | None = None
    driver: webdriver.Chrome | None = None
    log = tmp_path / "runserver.log"
    try:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env["EIDGATE_CONFIG"] = str(example_config(hub.issuer, hub.client.client_secret,
                                                   port, tmp_path))
        with log.open("wb") as out:  # the README's one command, on this port
            server = subprocess.Popen([sys.executable, str(EXAMPLE / "manage.py"),
                                       "runserver", "--noreload", f"127.0.0.1:{port}"],
                                      env=env, stdout=out, stderr=subprocess.STDOUT)
        for _ in range(300):
            if server.poll() is not None:
                raise AssertionError(log.read_text(errors="replace"))
            try:
                httpx2.get(origin + "/", timeout=1)
                break
            except httpx2.TransportError:
                import time

                time.sleep(0.05)
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        driver.set_page_load_timeout(WAIT)
        wait = WebDriverWait(driver, WAIT)

        def click(text: str, tag: str = "a") -> None:
            wait.until(ec.element_to_be_clickable(
                (By.XPATH, f"//{tag}[contains(normalize-space(.), '{text}')]"))).click()

        driver.get(origin + "/")
        assert "Not logged in." in driver.find_element(By.TAG_NAME, "body").text
        click("My account")
        wait.until(ec.url_contains(f"{origin}/eidgate/"))  # the app's provider picker
        assert "next=%2Faccount%2F" in driver.current_url
        click("Any eID (sandbox picker)")
        wait.until(ec.url_contains(hub.issuer))
        click("Finnish bank ID (FTN)")
        click("Väinö Tunnistus (OP)", tag="button")
        wait.until(ec.url_to_be(f"{origin}/account/"))
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "Hello Väinö" in text
        assert "070770-905D" in text
        driver.get(origin + "/profile/")  # the class-based view: substantial is enough
        assert "Profile of Väinö Tunnistus" in driver.find_element(By.TAG_NAME, "h1").text
        click("Log out", tag="button")
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"),
                                                    "You are logged out"))
        driver.get(origin + "/profile/")
        wait.until(ec.url_contains(f"{origin}/eidgate/"))
        assert "Any eID (sandbox picker)" in driver.find_element(By.TAG_NAME, "body").text
        output = log.read_text(errors="replace")  # runserver logs each request line
        assert "GET /account/" in output
        assert "Väinö" not in output and "070770-905D" not in output
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        hub.stop()
