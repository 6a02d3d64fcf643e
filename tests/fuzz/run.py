"""Run the fuzz harnesses under atheris (coverage-guided, libFuzzer), one process each.

    .venv/bin/python tests/fuzz/run.py [--seconds 60] [--merge] [NAME ...]

Each harness of tests/fuzz/harnesses.py runs for ``--seconds`` on its corpus
(tests/fuzz/corpus/<name>, read only) plus a work folder where the new inputs go
(``--work``, default $TMPDIR/eidgate-fuzz). A crash, a hang (``--timeout``) or a memory
blow-up (``--rss-mb``) leaves its reproducer in the work folder and fails the run; save it
in the corpus and it is replayed by every ``make test``. ``--merge`` adds to the corpus the
found inputs that reach new coverage (libFuzzer's -merge=1; small inputs first).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# libFuzzer writes new inputs to its first corpus folder: the repository's stays as it is
_STATS = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")
#: what atheris instruments besides eidgate: the JOSE and cookie libraries the parsers
#: hand the hostile bytes to (their branches guide the fuzzer through token formats)
#: the libFuzzer dictionary (tests/fuzz/dicts/<name>.dict) each harness mutates with
DICTIONARIES = {**dict.fromkeys(("token_response", "par_response", "userinfo", "discovery",
                                 "jwks", "jws", "jwe", "session_sealed", "pending_signed"),
                                "json"),
                **dict.fromkeys(("callback_query", "cookie_header", "accept_language",
                                 "gate_request", "session_cookie", "pending_cookie"), "http"),
                "config_toml": "toml"}
INSTRUMENTED = ["eidgate", "jwt", "joserfc", "itsdangerous", "harnesses"]


def child(name: str, libfuzzer_args: list[str]) -> None:
    """The fuzzing process of one harness (atheris takes over this process)."""
    import logging

    import atheris

    # eidgate logs refused logins and provider failures: millions of lines, no findings
    logging.disable(logging.CRITICAL)

    sys.path[:0] = [str(HERE), str(HERE.parent)]
    with atheris.instrument_imports(include=INSTRUMENTED):
        import harnesses

        harness = harnesses.tolerating_known_bugs(name)
        # the seeds once, inside the block: what eidgate imports lazily (joserfc.jwe, the
        # pages, the evidence archive) is imported, and so instrumented, now
        for path in harnesses.corpus_files(name):
            try:
                harness(path.read_bytes())
            except Exception as exc:  # reported by the fuzzing run below
                print(f"seed {path.name} fails: {exc!r:.200}", file=sys.stderr)
    # libFuzzer starts its -merge=1 (and -fork) workers as a shell command from argv[0]
    command = " ".join(shlex.quote(a) for a in (sys.executable, __file__, "--child", name))
    atheris.Setup([command, *libfuzzer_args], harness)
    atheris.Fuzz()


def run(name: str, args: argparse.Namespace) -> tuple[int, str]:
    """Fuzz one harness in its own process; returns its exit code and final stats."""
    work = Path(args.work) / name
    work.mkdir(parents=True, exist_ok=True)
    corpus = HERE / "corpus" / name
    log = Path(args.work) / f"{name}.log"
    libfuzzer = [f"-max_total_time={args.seconds}", f"-timeout={args.timeout}",
                 f"-rss_limit_mb={args.rss_mb}", f"-max_len={args.max_len}",
                 f"-artifact_prefix={work}-", "-print_final_stats=1", str(work), str(corpus)]
    words = HERE / "dicts" / f"{DICTIONARIES.get(name, '')}.dict"
    if words.is_file():
        libfuzzer.insert(0, f"-dict={words}")
    started = time.monotonic()
    code = 0
    summary = f"{name}: not fuzzed (--merge-only)"
    if not args.merge_only:
        with log.open("w") as out:
            code = subprocess.call([sys.executable, __file__, "--child", name, *libfuzzer],
                                   stdout=out, stderr=subprocess.STDOUT)
        text = log.read_text(errors="replace")
        found = _STATS.findall(text)
        runs, cov, ft, corp = found[-1] if found else ("0", "?", "?", "?")
        summary = (f"{name}: {runs} runs in {time.monotonic() - started:.0f} s, cov {cov}, "
                   f"ft {ft}, corpus {corp}; exit {code}; log {log}")
    if code != 0:
        crashes = sorted(str(p) for p in Path(args.work).glob(f"{name}-*"))
        summary += f"\n  reproducers: {' '.join(crashes) or '(none written)'}"
    if (args.merge or args.merge_only) and code == 0:
        before = len(list(corpus.iterdir()))
        # by edges only (-use_counters=0): hit-count buckets would keep hundreds of inputs
        # per harness, and the corpus is in the repository and replayed by make test
        subprocess.call([sys.executable, __file__, "--child", name, "-merge=1",
                         "-use_counters=0", f"-max_len={args.max_len}", str(corpus), str(work)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        summary += f"; merged {len(list(corpus.iterdir())) - before} new inputs into {corpus}"
    return code, summary


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3:])
        return 0
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from harnesses import HARNESSES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"harnesses (default all): {', '.join(HARNESSES)}")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", 60)))
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory bound (MB)")
    parser.add_argument("--max-len", type=int, default=4096, help="largest input (bytes)")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "eidgate-fuzz"))
    parser.add_argument("--merge", action="store_true",
                        help="add the found inputs that reach new coverage to the corpus")
    parser.add_argument("--merge-only", action="store_true",
                        help="only merge what an earlier run left in --work (no fuzzing)")
    args = parser.parse_args()
    names = [n for n in args.names if n != "all"] or list(HARNESSES)
    unknown = [n for n in names if n not in HARNESSES]
    if unknown:
        parser.error(f"unknown harness(es) {unknown}; choose from {', '.join(HARNESSES)}")
    failed = []
    for name in names:
        code, summary = run(name, args)
        print(summary, flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
