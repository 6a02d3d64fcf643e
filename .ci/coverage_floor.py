"""Fail ``make test`` when line or branch coverage of eidgate falls under its floor.

coverage.py's own ``fail_under`` checks one combined figure; the floor here is two (issue
10: at least 92 % of lines and 85 % of branches of ``eidgate/`` and ``eidgate_adapters/``
over the whole suite), read from ``coverage json`` totals.

    python .ci/coverage_floor.py [--lines 92] [--branches 85] [coverage.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report", nargs="?", default="coverage.json", type=Path)
    parser.add_argument("--lines", type=float, default=92.0)
    parser.add_argument("--branches", type=float, default=85.0)
    args = parser.parse_args(argv)
    totals = json.loads(args.report.read_text(encoding="utf-8"))["totals"]
    lines = 100.0 * totals["covered_lines"] / max(totals["num_statements"], 1)
    branches = 100.0 * totals["covered_branches"] / max(totals["num_branches"], 1)
    print(f"coverage: {lines:.1f} % of {totals['num_statements']} lines (floor {args.lines:g} %), "
          f"{branches:.1f} % of {totals['num_branches']} branches (floor {args.branches:g} %)")
    failed = [f"{what} {have:.1f} % < {floor:g} %" for what, have, floor in (
        ("lines", lines, args.lines), ("branches", branches, args.branches)) if have < floor]
    if failed:
        print(f"coverage under its floor: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
