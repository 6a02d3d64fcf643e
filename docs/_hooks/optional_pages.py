"""MkDocs hook: nav entries whose page is not written yet are left out, not a broken link.

Pages that other changes add (``hooks.md``, ``tokens.md``, ``step-up.md``, ``django.md``)
have their place in ``mkdocs.yml``'s nav already; until a page exists its entry is dropped
here, so ``mkdocs build --strict`` passes before and after. Only the names in ``OPTIONAL``
may be missing: any other missing page stays in the nav and fails the strict build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

OPTIONAL = frozenset({"hooks.md", "tokens.md", "step-up.md", "django.md"})


def _present(entries: list[Any], docs: Path) -> list[Any]:
    kept: list[Any] = []
    for entry in entries:
        if isinstance(entry, dict):
            (title, target), = entry.items()
            if isinstance(target, list):
                target = _present(target, docs)
                if not target:
                    continue
            elif isinstance(target, str) and target in OPTIONAL and not (docs / target).is_file():
                continue
            kept.append({title: target})
        elif not (isinstance(entry, str) and entry in OPTIONAL and not (docs / entry).is_file()):
            kept.append(entry)
    return kept


def on_config(config: Any) -> Any:
    """Drop the nav entries of optional pages that do not exist yet."""
    config["nav"] = _present(config["nav"], Path(config["docs_dir"]))
    return config
