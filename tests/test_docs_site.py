"""The documentation site (docs/, mkdocs.yml): its pages are in the nav, every code block is
in a language these tests know and is compiled or run, and what the pages promise holds.

The getting-started apps log a sandbox test person in, the configuration tables list
exactly the keys eidgate reads, the Redis example ends a real session in a real Redis, the
logout form logs out, and the deployment guide's nginx site is started in front of the
getting-started app, TLS and all, for a whole login. tests/test_docs.py covers the README
and the blocks it shares with the site; ``make docs`` builds the site with warnings as
errors.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx2
import pytest
import yaml
from doc_blocks import (
    DOCS,
    README,
    ROOT,
    SECRETS,
    SITE_PAGES,
    Block,
    block,
    blocks,
    docs_text,
    run,
    sandbox_config,
)
from redis_server import RedisServer, redis_server  # noqa: F401 (the session fixture)

from eidgate import load_config
from eidgate._cli import main as cli
from eidgate._config import _GLOBAL_KEYS, _PROVIDER_KEYS
from eidgate._config_session import _SESSION_KEYS
from eidgate.sandbox import RunningSandbox

KNOWN_LANGUAGES = {"python", "toml", "sh", "json", "text", "nginx", "html"}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "optional_pages", DOCS / "_hooks" / "optional_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nav_pages(entries: list[Any]) -> list[str]:
    found = []
    for entry in entries:
        target = next(iter(entry.values())) if isinstance(entry, dict) else entry
        found += _nav_pages(target) if isinstance(target, list) else [target]
    return found


# -- the site's shape -------------------------------------------------------------------

def test_every_page_is_in_the_nav_and_every_nav_entry_is_a_page() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = _nav_pages(config["nav"])
    pages = sorted(str(p.relative_to(DOCS)) for p in SITE_PAGES)
    assert sorted(set(pages) - set(nav)) == [], "pages missing from mkdocs.yml nav"
    optional = _hook().OPTIONAL
    missing = [p for p in nav if not (DOCS / p).is_file()]
    assert set(missing) <= optional, f"nav entries without a page: {missing}"
    assert len(nav) == len(set(nav))
    for page in ("getting-started.md", "configuration.md", "identity.md", "sessions.md",
                 "logout.md", "sandbox.md", "security.md", "deployment.md", "api.md"):
        assert page in pages


def test_nav_hook_drops_only_optional_pages_that_do_not_exist(tmp_path: Path) -> None:
    hook = _hook()
    (tmp_path / "hooks.md").write_text("# Hooks\n", encoding="utf-8")
    nav = [{"Home": "index.md"},
           {"Guides": [{"Hooks": "hooks.md"}, {"Tokens": "tokens.md"}]},
           {"More": [{"Django": "django.md"}]},
           {"Lost": "lost.md"}]
    kept = hook.on_config({"nav": nav, "docs_dir": str(tmp_path)})["nav"]
    # tokens.md and django.md are optional and absent (an emptied section goes too);
    # lost.md is not optional: it stays, and the strict build fails on it
    assert kept == [{"Home": "index.md"}, {"Guides": [{"Hooks": "hooks.md"}]},
                    {"Lost": "lost.md"}]


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading (lower case, punctuation dropped, spaces to -)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_readme_links_resolve_and_lead_into_the_site() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    anchors = {_github_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
    for link in links:
        if link.startswith(("http://", "https://")):
            continue
        path, _, anchor = link.partition("#")
        if path:
            assert (ROOT / path).is_file(), link
        else:
            assert anchor in anchors, link
    linked = {link.partition("#")[0] for link in links}
    for page in ("getting-started", "configuration", "routes", "identity", "sessions",
                 "logout", "pages", "sandbox", "deployment", "security", "adapters", "api",
                 "contributing"):
        assert f"docs/{page}.md" in linked, page


# -- every block is compiled or run -----------------------------------------------------

SITE_BLOCKS = [b for page in SITE_PAGES for b in blocks(page)]


def test_every_block_has_a_language_the_tests_know() -> None:
    assert len(SITE_BLOCKS) >= 25
    unknown = [b.name for b in SITE_BLOCKS if b.lang not in KNOWN_LANGUAGES]
    assert unknown == []


@pytest.mark.parametrize("doc_block", [b for b in blocks(None, "json")],
                         ids=lambda b: b.name)
def test_json_block_parses(doc_block: Block) -> None:
    assert isinstance(json.loads(doc_block.code), dict)


SH_BLOCKS = blocks(None, "sh")


@pytest.mark.parametrize("doc_block", SH_BLOCKS, ids=[b.name for b in SH_BLOCKS])
def test_sh_block_is_valid_shell(doc_block: Block) -> None:
    done = subprocess.run(["bash", "-n"], input=doc_block.code, capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr


def test_pip_install_lines_name_existing_extras() -> None:
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["project"]["optional-dependencies"])
    named = re.findall(r"eidgate\[([\w,]+)\]", docs_text())
    assert named
    for group in named:
        assert set(group.split(",")) <= extras, group


# -- getting started: each framework's app logs a test person in -----------------------

GETTING_STARTED = DOCS / "getting-started.md"


@pytest.fixture
def app_dir(eidgate_sandbox: RunningSandbox, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the getting-started eidgate.toml for this session's sandbox, as cwd."""
    sandbox_config(eidgate_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def getting_started(marker: str) -> dict[str, Any]:
    """Run the getting-started block with ``marker`` (the README shows copies of them:
    test_readme_examples_are_the_getting_started_apps)."""
    doc = block(GETTING_STARTED, "python", marker)
    return run(doc.code, doc.name, {"__name__": "getting_started"})


def test_getting_started_flask(app_dir: Path, eidgate_login: Callable[..., Any]) -> None:
    app = getting_started('app.run("127.0.0.1", 8000)')["app"]
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/account").status_code == 303  # to the login
    page = eidgate_login(client, "/account", person="ftn-vaino")
    assert page.get_data(as_text=True) == "Hello Väinö"


def test_getting_started_fastapi(app_dir: Path, eidgate_login: Callable[..., Any]) -> None:
    from starlette.testclient import TestClient

    app = getting_started('return {"hello": identity.first_name}')["app"]
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/account", headers={"Accept": "application/json"}
                          ).status_code == 401
        page = eidgate_login(client, "/account", person="ftn-vaino")
        assert page.json() == {"hello": "Väinö"}


def test_getting_started_starlette(app_dir: Path, eidgate_login: Callable[..., Any]) -> None:
    from starlette.testclient import TestClient

    app = getting_started('Route("/account", account)')["app"]
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = eidgate_login(client, "/account", person="ftn-vaino")
        assert page.text == "Hello Väinö"


def test_getting_started_wsgi(app_dir: Path, eidgate_login: Callable[..., Any]) -> None:
    from werkzeug.test import Client as WerkzeugClient

    application = getting_started('make_server("127.0.0.1", 8000, application)')[
        "application"]
    try:
        page = eidgate_login(WerkzeugClient(application), "/account", person="ftn-vaino")
        assert page.get_data(as_text=True) == "Hello Väinö"
    finally:
        application.close()


# -- configuration: the tables list exactly the keys eidgate reads ----------------------

def _table_keys(text: str, heading: str) -> list[str]:
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.match(r"\| `(\w+)` \|", row)[1] for row in rows]  # type: ignore[index]


@pytest.mark.parametrize(("heading", "keys"), [
    ("`[eidgate]`", _GLOBAL_KEYS),
    ("`[eidgate.session]`", _SESSION_KEYS),
    ("`[providers.<name>]`", _PROVIDER_KEYS),
])
def test_configuration_tables_list_every_key(heading: str, keys: set[str]) -> None:
    documented = _table_keys((DOCS / "configuration.md").read_text(encoding="utf-8"),
                             heading)
    assert len(documented) == len(set(documented)), "a key listed twice"
    assert sorted(set(keys) - set(documented)) == [], f"missing from {heading}"
    assert sorted(set(documented) - set(keys)) == [], f"not a key of {heading}"


# -- sessions: the example ends a real session in a real Redis --------------------------

def test_log_out_everywhere_ends_a_redis_session(
        app_dir: Path, eidgate_login: Callable[..., Any],
        redis_server: RedisServer) -> None:  # noqa: F811
    from flask import Flask

    from eidgate_adapters.flask import EidGate, current_identity

    helper = run(block(None, "python", "def log_out_everywhere(").code, "sessions", {})
    log_out_everywhere = helper["log_out_everywhere"]
    text = (app_dir / "eidgate.toml").read_text(encoding="utf-8")
    (app_dir / "redis.toml").write_text(text.replace(
        "[providers.", f'[eidgate.session]\nstore = "redis"\nurl = "{redis_server.url}"\n'
                      'key_prefix = "docs-sessions:"\n\n[providers.', 1), encoding="utf-8")

    for config, ended in (("eidgate.toml", 0), ("redis.toml", 1)):
        app = Flask("docs_sessions")
        EidGate(app, config=config, protect=["/account"])
        app.get("/account")(lambda: f"{current_identity.issuer} {current_identity.subject}")
        client = app.test_client()
        issuer, sub = eidgate_login(client, "/account", person="mitid-sofie").get_data(
            as_text=True).split()
        store = app.extensions["eidgate"].gate.sessions
        assert log_out_everywhere(store, issuer, sub) == ended
        # the cookie store's session lives on in the browser; the Redis one has ended
        assert client.get("/account").status_code == (200 if ended == 0 else 303)


# -- logout: the documented form logs out ----------------------------------------------

class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms.append(dict(attrs))


def test_logout_form_logs_out(app_dir: Path, eidgate_login: Callable[..., Any]) -> None:
    parser = _Forms()
    parser.feed(block(DOCS / "logout.md", "html", "<form").code)
    (form,) = parser.forms
    app = getting_started('app.run("127.0.0.1", 8000)')["app"]
    client = app.test_client()
    assert eidgate_login(client, "/account", person="ftn-vaino").status_code == 200
    assert str(form["method"]).upper() == "POST"
    out = client.post(str(form["action"]), headers={"Origin": "http://127.0.0.1:8000"})
    assert out.status_code in (302, 303)
    assert client.get("/account").status_code == 303  # logged out: to the login again


# -- deployment: the FTN keys and JWKS, and the nginx site in front of the app ----------

def test_ftn_keys_and_static_jwks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DOCS / "deployment.md").read_text(encoding="utf-8")
    ftn = text.split("### Finnish Trust Network (FTN)", 1)[1]
    commands = next(b for b in blocks(DOCS / "deployment.md", "sh")
                    if "keys generate" in b.code and "jwks()" in b.code).code.splitlines()
    config = next(b for b in blocks(DOCS / "deployment.md", "toml")
                  if 'request_object = true' in b.code)
    assert config.code in ftn and commands[0] in ftn
    monkeypatch.chdir(tmp_path)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    assert cli(commands[0].split()[1:]) == 0
    (tmp_path / "eidgate.toml").write_text(config.code, encoding="utf-8")
    provider = load_config("eidgate.toml").providers["ftn"]
    assert provider.client_auth == "private_key_jwt" and provider.request_object
    python = commands[1].removeprefix("python -c ")
    assert python.startswith("'") and python.endswith("'")
    out = subprocess.run([sys.executable, "-c", python[1:-1]], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    keys = json.loads(out)["keys"]
    # separate signing and encryption keys, public halves only (Traficom 213/2023 S)
    assert sorted(k["use"] for k in keys) == ["enc", "sig"]
    assert all("d" not in k and k["kid"] for k in keys)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .sign(key, hashes.SHA256()))
    chain, private = directory / "fullchain.pem", directory / "privkey.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return chain, private


@pytest.fixture
def nginx_site(tmp_path: Path) -> Iterator[Callable[[int], tuple[int, Path]]]:
    """``start(app_port) -> (https_port, access_log)``: the deployment guide's nginx site,
    its ports, certificate and log moved into ``tmp_path``, in front of ``app_port``."""
    if not os.access(NGINX, os.X_OK):
        message = (f"NGINX TEST NOT RUN: {NGINX} is not installed; run `make test` (it "
                   "installs Debian's nginx-light with apt)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    started: list[subprocess.Popen[bytes]] = []

    def start(app_port: int) -> tuple[int, Path]:
        site = block(DOCS / "deployment.md", "nginx", "proxy_pass").code
        https, http = _free_port(), _free_port()
        chain, private = _self_signed(tmp_path)
        log = tmp_path / "app.access.log"
        for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
                         ("listen 80;", f"listen 127.0.0.1:{http};"),
                         ("/etc/ssl/app.example.com/fullchain.pem", str(chain)),
                         ("/etc/ssl/app.example.com/privkey.pem", str(private)),
                         ("/var/log/nginx/app.access.log", str(log)),
                         ("http://127.0.0.1:8000", f"http://127.0.0.1:{app_port}")):
            assert site.count(old) == 1, old
            site = site.replace(old, new)
        (tmp_path / "site.conf").write_text(site, encoding="utf-8")
        temp = "".join(f"{kind}_temp_path {tmp_path / kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (tmp_path / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\nworker_processes 1;\npid {tmp_path / 'nginx.pid'};\n"
            f"error_log {tmp_path / 'error.log'};\nevents {{}}\n"
            f"http {{\n{temp}access_log off;\ninclude {tmp_path / 'site.conf'};\n}}\n",
            encoding="utf-8")
        command = [NGINX, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                   "-c", str(tmp_path / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True,
                                 timeout=30, check=False)
        assert checked.returncode == 0, checked.stderr
        started.append(subprocess.Popen(command))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", https), timeout=0.5).close()
                return https, log
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not listen within 10 s")

    yield start
    for process in started:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_login_through_the_nginx_site(tmp_path: Path, nginx_site: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment guide's proxy: TLS ends at nginx, the app speaks plain HTTP, and
    base_url (the public https URL) is all eidgate needs: the login completes, the cookies
    are __Host- and Secure, logout from the public origin is not cross-site, and the
    access log holds no code or state."""
    from werkzeug.serving import make_server

    app_port = _free_port()
    https, log = nginx_site(app_port)
    public = f"https://127.0.0.1:{https}"
    with RunningSandbox(0, redirect_uris=(f"{public}/eidgate/callback",)) as sandbox:
        (tmp_path / "eidgate.toml").write_text(
            f'[eidgate]\nbase_url = "{public}"\nsecret_key = "proxy-test-secret-0123456789"'
            f"\n\n{sandbox.toml()}", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        app = getting_started('app.run("127.0.0.1", 8000)')["app"]
        server = make_server("127.0.0.1", app_port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            # verify=False: the certificate is the one this test made for nginx
            with httpx2.Client(verify=False, follow_redirects=False, timeout=10) as browser:
                response = browser.get(f"{public}/account")
                for _ in range(8):
                    if response.status_code not in (302, 303):
                        break
                    location = response.headers["location"]
                    if location.startswith(sandbox.issuer):
                        location = str(httpx2.URL(location).copy_set_param(
                            "login_hint", "ftn-vaino"))
                    response = browser.get(httpx2.URL(public).join(location))
                assert response.text == "Hello Väinö"
                assert response.headers["strict-transport-security"] == "max-age=63072000"
                # eidgate's cookies (the sandbox, on plain http, has its own)
                ours = [c for c in browser.cookies.jar
                        if "eidgate" in c.name and not c.name.startswith("eidgate_sandbox")]
                assert "__Host-eidgate_session" in {c.name for c in ours}
                assert all(c.secure and c.name.startswith("__Host-") for c in ours)
                out = browser.post(f"{public}/eidgate/logout",
                                   headers={"Origin": public, "Sec-Fetch-Site": "same-origin"})
                assert out.status_code in (302, 303)
                assert browser.get(f"{public}/account").status_code == 303
        finally:
            server.shutdown()
            thread.join(10)
    logged = log.read_text(encoding="utf-8")
    assert "/eidgate/callback" in logged
    assert "code=" not in logged and "state=" not in logged


def test_sphinx_roles_read_as_code_in_the_api_pages() -> None:
    spec = importlib.util.spec_from_file_location(
        "sphinx_roles", DOCS / "_hooks" / "sphinx_roles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    html = ("driven by :class:<code>RelyingParty</code>, see :meth:<code>~eidgate.Client.run"
            "</code> and :exc:<code>~eidgate.ConfigError</code>; a <code>:class:</code> stays")
    assert module.plain(html) == (
        "driven by <code>RelyingParty</code>, see <code>run</code> and "
        "<code>ConfigError</code>; a <code>:class:</code> stays")
