"""`make demo`: the sandbox eID hub on :8800 and the Flask example on :8000, together."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eidgate.sandbox import RunningSandbox


def main() -> None:
    try:
        hub = RunningSandbox(8800).start()
    except OSError as exc:
        sys.exit(f"make demo: port 8800 is busy ({exc.strerror}); stop what uses it")
    from flask_app import app

    print(f"\n  eidgate demo: open http://127.0.0.1:8000/   (sandbox eID hub: {hub.issuer})\n"
          "  log in with any test person; Ctrl-C stops both.\n", flush=True)
    try:
        app.run("127.0.0.1", 8000)
    finally:
        hub.stop()


if __name__ == "__main__":
    main()
