"""tests/package is run by ``make package`` against the built wheel in a fresh venv
(``run.py``), not by the repository's own pytest: its project would import the checkout."""

collect_ignore = ["project", "run.py", "check_dist.py"]
