"""The code in README.md and the pages of docs/ compiles, and what can run offline runs.

Every Python block is compiled; the blocks a reader copies first (the Flask app, the ASGI
and WSGI middlewares, the login pages, the pytest plugin, the core, ``normalize``) run
against the sandbox eID hub, and values written in ``# comments`` are compared with what
the code returns. TOML blocks load with ``load_config``, the shell commands that need no
network run. A block that is renamed or removed fails here instead of being skipped; a
block that moves between the README and a page of the site is found where it now is
(``doc_blocks``). The site's own pages: tests/test_docs_site.py.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from doc_blocks import (
    ALL_DOCS,
    DOCS,
    IDENTITY_DOC,
    README,
    SECRETS,
    Block,
    block,
    blocks,
    commented_values,
    docs_text,
    run,
    sandbox_config,
)

import eidgate
from eidgate import Identity, load_config
from eidgate._cli import main as cli
from eidgate._config import _GLOBAL_KEYS, _PROVIDER_KEYS
from eidgate._config_session import _SESSION_KEYS
from eidgate._identity.profiles import PROFILES
from eidgate.sandbox import EIDS, PEOPLE, RunningSandbox, person

_DEFAULT_MARK = re.compile(r"#.*\bthe default(: none)?\)?\s*$")


PYTHON_BLOCKS = blocks(None, "python")


def test_the_docs_have_the_blocks_these_tests_read() -> None:
    assert len(blocks(README, "python")) >= 6
    assert len(blocks(IDENTITY_DOC, "python")) >= 1
    assert len(blocks(None, "toml")) >= 3
    for page in ALL_DOCS:
        text = page.read_text(encoding="utf-8")
        # every fence is closed: an odd number of fences would swallow the rest of the page
        assert len(re.findall(r"^ *```", text, re.M)) % 2 == 0, page.name


@pytest.mark.parametrize("doc_block", PYTHON_BLOCKS, ids=[b.name for b in PYTHON_BLOCKS])
def test_python_block_compiles(doc_block: Block) -> None:
    compile(doc_block.code, doc_block.name, "exec")


def test_readme_examples_are_the_getting_started_apps() -> None:
    """The README's Flask, FastAPI and WSGI apps are the getting-started page's, which
    tests/test_docs_site.py runs against the sandbox (a login each)."""
    started = {b.code for b in blocks(DOCS / "getting-started.md", "python")}
    for marker in ('app.run("127.0.0.1", 8000)', 'return {"hello": identity.first_name}',
                   'make_server("127.0.0.1", 8000, application)'):
        example = block(README, "python", marker)
        assert example.code in started, example.name


def test_login_pages_block_runs(eidgate_sandbox: RunningSandbox, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    from flask import Flask

    from eidgate.web import DefaultPages
    from eidgate_adapters.asgi import EidGateMiddleware
    from eidgate_adapters.flask import EidGate

    sandbox_config(eidgate_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)

    class MyPages(DefaultPages):
        pass

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not called")

    doc = block(None, "python", "EidGate(app, strings=")
    statements = ast.parse(doc.code).body
    assert len(statements) >= 4
    apps = []
    for statement in statements:  # each line is an alternative: a fresh app for each
        app = Flask("docs_pages")
        source = ast.get_source_segment(doc.code, statement) or ""
        run(source, doc.name, {"EidGate": EidGate, "EidGateMiddleware": EidGateMiddleware,
                               "MyPages": MyPages,
                               "app": asgi_app if "Middleware" in source else app})
        apps.append(app)
    client = apps[0].test_client()
    finnish = client.get("/eidgate/", headers={"Accept-Language": "fi"})
    assert "Kirjaudu sisään" in finnish.get_data(as_text=True)
    icelandic = client.get("/eidgate/", headers={"Accept-Language": "is"})
    assert "Innskráning" in icelandic.get_data(as_text=True)
    assert icelandic.headers["Content-Language"] == "is"


def test_pytest_plugin_block_passes_in_a_fresh_pytest(tmp_path: Path) -> None:
    doc = block(None, "python", "from myapp import create_app")
    assert "from myapp import create_app" in doc.code
    (tmp_path / "myapp.py").write_text(textwrap.dedent('''
        from flask import Flask

        from eidgate_adapters.flask import EidGate, current_identity, login_required


        def create_app(config):
            app = Flask(__name__)
            EidGate(app, config=config)

            @app.get("/account")
            @login_required
            def account():
                return f"Hello {current_identity.first_name}"
            return app
        '''), encoding="utf-8")
    (tmp_path / "test_account.py").write_text(doc.code, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_core_block_logs_in(eidgate_sandbox: RunningSandbox,
                            eidgate_login: Callable[..., Any], tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox_config(eidgate_sandbox, tmp_path, provider="ftn")  # the block logs in with "ftn"
    monkeypatch.chdir(tmp_path)
    doc = block(None, "python", "client.complete_login(")
    before, marker, after = doc.code.partition("# /eidgate/callback")
    assert marker, "the core block lost its '# /eidgate/callback' comment"
    namespace = run(before, doc.name, {})
    try:
        # the browser's part: the provider sends it back to the callback with a query
        callback = eidgate_login(namespace["redirect"].url, person="ftn-vaino")
        namespace["request_query_string"] = httpx2.URL(callback).query.decode()
        run(marker + after, doc.name, namespace)
        result = namespace["result"]
        assert result.accepted
        assert result.identity.first_name == "Väinö"
    finally:
        namespace["client"].close()


def test_normalize_block_gives_what_its_comments_say() -> None:
    doc = block(None, "python", 'claims = person("ftn-vaino").claims')
    namespace = run(doc.code, doc.name, {})  # self-contained: its claims are a sandbox person's
    checks = commented_values(doc.code, namespace)
    assert len(checks) >= 3
    for expression, value, expected in checks:
        assert value == expected, expression


def test_identity_doc_block_runs() -> None:
    doc = block(IDENTITY_DOC, "python", "normalize(")
    namespace = run(doc.code, doc.name, {"claims": dict(person("idin-stegenga").claims)})
    identity = namespace["identity"]
    assert (identity.method, identity.provider) == ("idin", "idin")


# -- Identity fields, profiles, test persons --------------------------------------------

def test_identity_doc_lists_every_field() -> None:
    text = IDENTITY_DOC.read_text(encoding="utf-8")
    table = text.split("## Fields", 1)[1].split("\n\n", 2)[1]
    documented = [name for row in table.splitlines()[2:]
                  for name in re.findall(r"`(\w+)`", row.split("|")[1])]
    fields = [f.name for f in dataclasses.fields(Identity)]
    assert documented == fields
    assert list(Identity("s", None, None, "oidc").to_dict()) == fields


def test_identity_doc_names_every_profile() -> None:
    text = IDENTITY_DOC.read_text(encoding="utf-8")
    row = next(r for r in text.splitlines() if r.startswith("| `method` |"))
    assert sorted(re.findall(r"`(\w+)`", row.split("|")[3])) == sorted(PROFILES)


def test_readme_counts_the_sandbox_persons_and_eids() -> None:
    text = README.read_text(encoding="utf-8")
    counts = [int(n) for n in re.findall(r"(\d+) test persons", docs_text())]
    assert counts  # the README or a page says how many
    assert set(counts) == {len(PEOPLE)}
    for label in ("FTN", "iDIN", "itsme", "MitID", "Mobiilivarmenne", "NemID", "Smart-ID",
                  "Personalausweis", "Yes"):
        assert any(label in eid for eid in EIDS.values()), label
        assert label in text, label


# -- eidgate.toml ------------------------------------------------------------------------

TOML_BLOCKS = blocks(None, "toml")


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path with keys/ from ``eidgate keys generate`` and the secrets the docs name."""
    assert cli(["keys", "generate", "--out", str(tmp_path / "keys")]) == 0
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("doc_block", TOML_BLOCKS, ids=[b.name for b in TOML_BLOCKS])
def test_toml_block_loads(doc_block: Block, key_dir: Path) -> None:
    (key_dir / "eidgate.toml").write_text(doc_block.code, encoding="utf-8")
    config = load_config("eidgate.toml")
    assert config.providers


def reference_block() -> Block:
    """The configuration page's complete eidgate.toml."""
    return block(DOCS / "configuration.md", "toml", "trusted_audiences")


def test_reference_block_names_every_key() -> None:
    text = reference_block().code
    missing = [k for k in sorted(_GLOBAL_KEYS | _PROVIDER_KEYS | _SESSION_KEYS)
               if not re.search(rf"\b{k}\b", text)]
    assert not missing, f"eidgate.toml keys missing from {reference_block().name}: {missing}"


def test_reference_block_defaults_are_the_defaults(key_dir: Path) -> None:
    text = reference_block().code
    marked = [line for line in text.splitlines() if _DEFAULT_MARK.search(line)]
    assert len(marked) >= 5
    path = key_dir / "eidgate.toml"
    path.write_text(text, encoding="utf-8")
    full = comparable(load_config(path))
    for line in marked:
        path.write_text(text.replace(line + "\n", ""), encoding="utf-8")
        assert comparable(load_config(path)) == full, f"not the default: {line}"


def comparable(config: eidgate.Config) -> dict[str, Any]:
    """The config as plain values (keys by their ``kid``: key objects compare by identity)."""
    values = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    values["providers"] = {name: {
        f.name: getattr(p, f.name) for f in dataclasses.fields(p)} | {
        "signing_key": p.signing_key.kid if p.signing_key else None,
        "decryption_keys": [k.kid for k in p.decryption_keys]}
        for name, p in config.providers.items()}
    return values


def test_config_error_examples_are_what_eidgate_says(key_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    messages = next(b for b in blocks(None) if "unknown key 'isuer'" in b.code)
    typo, unset = messages.code.strip().splitlines()
    text = reference_block().code
    assert text.count("\nissuer = ") == 1
    Path("eidgate.toml").write_text(text.replace("\nissuer = ", "\nisuer = "), encoding="utf-8")
    with pytest.raises(eidgate.ConfigError) as caught:
        load_config("eidgate.toml")
    assert caught.value.description == typo
    assert str(caught.value) == f"invalid_configuration: {typo}"
    Path("eidgate.toml").write_text(text, encoding="utf-8")
    monkeypatch.delenv("FTN_CLIENT_SECRET")
    with pytest.raises(eidgate.ConfigError) as caught:
        load_config("eidgate.toml")
    assert caught.value.description == unset


# -- shell commands ----------------------------------------------------------------------

def test_keys_generate_writes_what_the_readme_says(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    command = next(line for b in blocks(None, "sh") for line in b.code.splitlines()
                   if line.startswith("eidgate keys generate") and "#" in line)
    args, _, comment = command.partition("#")
    monkeypatch.chdir(tmp_path)
    assert cli(args.split()[1:]) == 0
    written = re.findall(r"(keys/[\w.]+) \((\S+)\)", comment)
    assert len(written) == 2
    for path, alg in written:
        assert stat.S_IMODE((tmp_path / path).stat().st_mode) == 0o600
        assert json.loads((tmp_path / path).read_text(encoding="utf-8"))["alg"] == alg


def test_check_command_passes_for_the_sandbox_config(eidgate_sandbox: RunningSandbox,
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    assert "eidgate check eidgate.toml" in docs_text()
    config = sandbox_config(eidgate_sandbox, tmp_path)
    assert cli(["check", str(config)]) == 0
    assert "all providers OK" in capsys.readouterr().out


def test_routes_and_urls_to_register_exist(eidgate_sandbox: RunningSandbox, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The broker section's URLs: callback, post-logout page and JWKS are eidgate's routes."""
    from werkzeug.test import Client as WerkzeugClient

    from eidgate_adapters.wsgi import EidGateMiddleware

    text = docs_text()
    for route in ("{route_prefix}/callback", "{route_prefix}/logged-out",
                  "{route_prefix}/jwks.json", "{route_prefix}/backchannel-logout"):
        assert f"`{{base_url}}{route}`" in text, route
    sandbox_config(eidgate_sandbox, tmp_path)
    app = EidGateMiddleware(lambda environ, start: [], config=tmp_path / "eidgate.toml")
    try:
        client = WerkzeugClient(app)
        assert client.get("/eidgate/logged-out").status_code == 200
        jwks = client.get("/eidgate/jwks.json")
        assert jwks.status_code == 200
        assert jwks.json == {"keys": []}  # a client-secret config has no keys to publish
        callback = client.get("/eidgate/callback?state=x&code=y")
        assert callback.status_code == 400  # a callback without a pending login
    finally:
        app.close()


def test_adapter_block_runs_against_the_sandbox(eidgate_sandbox: RunningSandbox,
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    doc = block(None, "python", "gate, client = Gate.open(")
    sandbox_config(eidgate_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)
    found = run(doc.code, doc.name, {})
    response = found["response"]
    # the sandbox is the only provider: the refusal goes straight to its login, with next=
    assert dict(response.headers)["Location"] == (
        "/eidgate/login?next=%2Faccount%2Fstatement&provider=sandbox")


def test_on_login_block_keeps_the_customer_and_refuses_others(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import html

    sandbox_config(eidgate_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)  # the block reads "eidgate.toml"
    doc = block(None, "python", "on_login=find_customer")
    app = run(doc.code, doc.name, {"__name__": "docs_on_login"})["app"]
    with app.test_client() as client:  # ftn-vaino's national id is 070770-905D
        page = eidgate_login(client, "/account", person="ftn-vaino")
        assert page.get_data(as_text=True) == "Customer C-1001"
    with app.test_client() as client:  # ftn-eero's (150403A9178) is no customer's
        refused = eidgate_login(client, "/account", person="ftn-eero")
        assert refused.status_code == 403
        assert html.escape("This service is for our customers only.") in refused.get_data(
            as_text=True)
        assert client.get_cookie("eidgate_session") is None
