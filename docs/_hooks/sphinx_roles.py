"""MkDocs hook: the Sphinx roles of eidgate's docstrings read as plain code in the API pages.

The docstrings cross-reference with Sphinx roles (``:class:`~eidgate.Client```), which
mkdocstrings renders as the role's name before the code, ``:class:<code>~eidgate.Client
</code>``. This drops the role and, like Sphinx, shows only the last name after a ``~``.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|meth|func|attr|data|exc|mod|obj):<code>(~?)([^<]*)</code>")


def plain(html: str) -> str:
    """``html`` with each ``:role:<code>target</code>`` shown as ``<code>target</code>``."""
    return _ROLE.sub(lambda m: f"<code>{m[2].rsplit('.', 1)[-1] if m[1] else m[2]}</code>",
                     html)


def on_page_content(html: str, **kwargs: Any) -> str:
    """Applied to every page once it is HTML (the API pages are where the roles are)."""
    return plain(html)
