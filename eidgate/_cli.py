"""The ``eidgate`` command line. For now: ``eidgate keys generate``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._keys import generate_key, write_key


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``eidgate`` console script; returns the exit status."""
    parser = argparse.ArgumentParser(prog="eidgate", description="eidgate tools")
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
    args = parser.parse_args(argv)

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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
