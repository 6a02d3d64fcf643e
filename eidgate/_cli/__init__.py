"""The ``eidgate`` command line: ``keys generate``, ``sandbox``, ``check`` (in ``check``)."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from .._keys import generate_key, write_key
from .._version import __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``eidgate`` console script; returns the exit status."""
    parser = argparse.ArgumentParser(prog="eidgate", description="eidgate tools")
    parser.add_argument("--version", action="version", version=f"eidgate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="relying-party keys").add_subparsers(
        dest="action", required=True)
    gen = keys.add_parser(
        "generate", help="write a signing and an encryption key (private JWK files, mode 0600)")
    gen.add_argument("--out", type=Path, default=Path("keys"),
                     help="directory to write into (default: ./keys)")
    gen.add_argument("--kty", choices=["RSA", "EC"], default="RSA",
                     help="key type (default RSA 2048; EC is P-256)")
    gen.add_argument("--force", action="store_true", help="overwrite existing files")
    box = commands.add_parser("sandbox", help="run the sandbox eID hub on 127.0.0.1")
    box.add_argument("--port", type=int, default=8800, help="port (default 8800; 0 = any)")
    box.add_argument("--redirect-uri", action="append", default=None,
                     help="redirect URI to allow for the demo client (repeatable; default "
                          "http://127.0.0.1:8000/eidgate/callback and the localhost one)")
    check = commands.add_parser(
        "check", help="load a config, reach every provider, report what each supports")
    check.add_argument("config", type=Path, help="path to eidgate.toml")
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return _sandbox(args.port, tuple(args.redirect_uri or ()))
    if args.command == "check":
        from .check import check_config

        return check_config(args.config)

    out: Path = args.out
    targets = {"sig": out / "signing.jwk.json", "enc": out / "encryption.jwk.json"}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not args.force:
        print(f"eidgate: {', '.join(existing)} already exist; pass --force to replace them "
              "(the provider must then be given the new public keys)", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for use, path in targets.items():
        jwk = generate_key("sig" if use == "sig" else "enc", args.kty)
        write_key(path, jwk)
        print(f"{use}: {path}  kid={jwk['kid']}  alg={jwk['alg']}")
    print("\nIn eidgate.toml:\n"
          f'  signing_key = "{targets["sig"]}"\n'
          f'  decryption_keys = ["{targets["enc"]}"]\n'
          "Register the PUBLIC halves with the provider; print them as a JWKS with\n"
          "  python -c 'import eidgate, json; "
          "print(json.dumps(eidgate.load_config(\"eidgate.toml\").jwks()))'")
    return 0


def _sandbox(port: int, redirects: tuple[str, ...]) -> int:
    from ..sandbox import EIDS, PEOPLE, RunningSandbox
    from ..sandbox._serve import DEMO_REDIRECTS

    try:
        running = RunningSandbox(port, redirect_uris=redirects or DEMO_REDIRECTS)
    except OSError as exc:
        print(f"eidgate: cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another "
              "port with --port", file=sys.stderr)
        return 1
    print(f"eidgate sandbox eID hub\n  issuer: {running.issuer}\n"
          f"  client: {running.client.client_id} / {running.client.client_secret}\n"
          f"  redirect URIs: {', '.join(running.client.redirect_uris)}\n")
    print("Test persons (use the key as login_hint to skip the picker):")
    for eid, label in EIDS.items():
        keys = ", ".join(p.key for p in PEOPLE if p.eid == eid)
        print(f"  {label}: {keys}")
    print(f"\nIn eidgate.toml:\n\n{running.toml()}\nCtrl-C stops it.", flush=True)

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and a service manager's SIGTERM both stop it cleanly; set explicitly because
    # a shell starts background jobs with SIGINT ignored, and Python keeps it so
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        running.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
