#!/usr/bin/env python
"""The Django example: ``.venv/bin/python examples/django/manage.py runserver 8000``.

Needs the sandbox eID hub beside it (``.venv/bin/eidgate sandbox --port 8800``), like the
other examples; reads ``examples/eidgate.toml`` (or the file ``EIDGATE_CONFIG`` names).
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
