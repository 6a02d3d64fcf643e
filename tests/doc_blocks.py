"""The code blocks of the documentation (README.md and every page of docs/), for the tests
that compile and run them (tests/test_docs.py, tests/test_docs_site.py).

A block is found by a marker it contains, in one page or in all of them, so a section can
move between the README and the site without its test losing it: a block that is renamed
or removed fails its test instead of being skipped.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from eidgate.sandbox import RunningSandbox

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
IDENTITY_DOC = DOCS / "identity.md"
# the pages of the site (docs/_hooks holds the build's own code, not pages)
SITE_PAGES = sorted(p for p in DOCS.rglob("*.md") if "_hooks" not in p.parts)
ALL_DOCS = [README, *SITE_PAGES]

# a fence may be indented (a block inside a list item or a tab): the closing fence alike
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\n(?P<code>.*?)^(?P=indent)```\s*$",
                    re.S | re.M)
# environment variables the documented eidgate.toml files name
SECRETS = {"EIDGATE_SECRET": "docs-test-secret-0123456789abcdef",
           "FTN_CLIENT_SECRET": "ftn-secret", "SIGNICAT_CLIENT_SECRET": "signicat-secret",
           "IDURA_CLIENT_SECRET": "idura-secret", "REDIS_URL": "redis://127.0.0.1:6379/0"}


@dataclasses.dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path | None = None, lang: str | None = None) -> list[Block]:
    """The fenced blocks of ``path`` (every documentation page: None), of ``lang`` or all."""
    if path is None:
        return [b for page in ALL_DOCS for b in blocks(page, lang)]
    text = path.read_text(encoding="utf-8")
    found = [Block(path, text.count("\n", 0, m.start()) + 1, m["lang"],
                   textwrap.dedent(m["code"]) if m["indent"] else m["code"])
             for m in _FENCE.finditer(text)]
    return [b for b in found if lang is None or b.lang == lang]


def block(path: Path | None, lang: str, marker: str) -> Block:
    """The one block of ``lang`` that contains ``marker``, in ``path`` or in all pages.

    Across pages the same block may stand in several (the README shows the getting-started
    apps): then every copy must be the same code, so that testing one tests them all."""
    hits = [b for b in blocks(path, lang) if marker in b.code]
    where = path.name if path is not None else "the docs"
    names = ", ".join(b.name for b in hits)
    assert hits, f"{where}: no {lang} block contains {marker!r}"
    assert len({b.code for b in hits}) == 1, \
        f"{where}: {len(hits)} different {lang} blocks contain {marker!r}: {names}"
    assert path is None or len(hits) == 1, f"{where}: {names} all contain {marker!r}"
    return hits[0]


def all_blocks(lang: str, marker: str) -> list[Block]:
    """Every block of ``lang`` in any page that contains ``marker``; at least one."""
    hits = [b for b in blocks(None, lang) if marker in b.code]
    assert hits, f"no {lang} block in the docs contains {marker!r}"
    return hits


def docs_text() -> str:
    """README and every page, one text (for what a page must say somewhere)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in ALL_DOCS)


def run(code: str, name: str, namespace: dict[str, Any]) -> dict[str, Any]:
    exec(compile(code, name, "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace


def sandbox_config(sandbox: RunningSandbox, directory: Path, provider: str = "sandbox"
                   ) -> Path:
    """The documented sandbox ``eidgate.toml``, with this test session's sandbox port.

    Every page that shows it shows the same settings (checked here; comments may differ)."""
    shown = all_blocks("toml", 'label = "eidgate sandbox"')
    assert len({repr(tomllib.loads(b.code)) for b in shown}) == 1, \
        "the pages show different sandbox eidgate.toml files: " + ", ".join(b.name for b in shown)
    text = shown[0].code
    assert 'issuer = "http://127.0.0.1:8800"' in text
    assert sandbox.client.client_secret in text
    text = text.replace("http://127.0.0.1:8800", sandbox.issuer)
    text = text.replace("[providers.sandbox]", f"[providers.{provider}]")
    path = directory / "eidgate.toml"
    path.write_text(text, encoding="utf-8")
    return path


def commented_values(code: str, namespace: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(expression, value, expected)`` for each line ``expression  # <a Python value>``."""
    found = []
    for line in code.splitlines():
        expression, _, comment = line.partition("  #")
        try:
            expected = eval(comment.strip(), {"date": date})  # noqa: S307
            compile(expression.strip(), "<doc>", "eval")
        except (SyntaxError, NameError, TypeError, ValueError):
            continue  # a prose comment, or a statement
        found.append((expression.strip(), eval(expression.strip(), namespace), expected))  # noqa: S307
    return found
