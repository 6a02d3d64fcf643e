"""The layout's one rule, checked on the source: nothing climbs back up.

``web`` stands on the drivers and ``_oidc``, which stands on ``_identity``; the leaves
(config, keys, errors, languages, JSON) import none of the wings. The sandbox, the command
line and the pytest plugin sit beside the wings and may use them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "eidgate"
LEAVES = {"_config", "_config_session", "_keys", "_errors", "_languages", "_json", "_calls"}
# the drivers and what is under them: the wire format, the network layer, egress checks
DRIVERS = {"_client", "_transport", "_network", "_egress"}
# what each part may import from eidgate (besides itself)
ALLOWED = {
    "leaf": LEAVES,
    "_identity": LEAVES,
    "_oidc": LEAVES | {"_identity"},
    "drivers": LEAVES | {"_identity", "_oidc", *DRIVERS},
    "web": LEAVES | {"_identity", "_oidc", *DRIVERS},
}
# config checks ``profile = "..."`` against the identity wing's table of claim profiles
# (data that itself imports only a leaf): the one edge from a leaf into a wing
EXCEPTIONS = {("_config", "_identity")}


def part_of(module: str) -> str | None:
    top = module.split(".")[0]
    if top in LEAVES:
        return "leaf"
    if top in ("_identity", "_oidc", "web"):
        return top
    if top in DRIVERS:
        return "drivers"
    return None  # sandbox, _cli, pytest_plugin, __init__: beside or above the wings


def eidgate_imports(path: Path, root: Path = PACKAGE) -> set[str]:
    """The eidgate modules ``path`` imports, relative to the package (``_oidc.flow``)."""
    here = path.relative_to(root).with_suffix("").parts
    package = list(here[:-1])  # the package a relative import starts from
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "eidgate":
                target = node.module.split(".")[1:]
            else:
                continue
            names = [a.name for a in node.names]
            found |= {".".join([*target, n]) if not node.module or not target else
                      ".".join(target) for n in names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".", 1)[1] for a in node.names
                      if a.name.startswith("eidgate.")}
    return {f for f in found if f}


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if part_of(
    ".".join(p.relative_to(PACKAGE).with_suffix("").parts)) is not None)


def violations(path: Path, root: Path = PACKAGE) -> list[str]:
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    part = part_of(module)
    assert part is not None
    top = module.split(".")[0]
    return sorted(
        target for target in eidgate_imports(path, root)
        if target.split(".")[0] != top
        and target.split(".")[0] not in ALLOWED[part]
        and (top, target.split(".")[0]) not in EXCEPTIONS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_climbs_back_up(path: Path) -> None:
    assert violations(path) == []


@pytest.mark.parametrize(("module", "source", "wrong"), [
    ("_languages.py", "from .web._pages import picker\n", ["web._pages"]),
    ("_identity/normalize.py", "from .._oidc import flow\n", ["_oidc"]),
    ("_oidc/flow.py", "import eidgate.web._gate\nfrom eidgate.web import Gate\n",
     ["web", "web._gate"]),
    ("_client.py", "from .web import Gate\n", ["web"]),
])
def test_the_rule_sees_an_upward_import(tmp_path: Path, module: str, source: str,
                                        wrong: list[str]) -> None:
    # the test above can fail: each of these spellings of an upward import is reported
    path = tmp_path / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    assert violations(path, tmp_path) == wrong
