"""``python -m eidgate``: the same as the ``eidgate`` command."""

from ._cli import main

raise SystemExit(main())
