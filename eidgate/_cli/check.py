"""``eidgate check CONFIG``: does each configured provider support what the config asks?"""

from __future__ import annotations

import sys
from pathlib import Path

from .._config import ProviderConfig, load_config
from .._errors import EidGateError
from .._oidc.metadata import ProviderMetadata


def problems(conf: ProviderConfig, meta: ProviderMetadata) -> list[str]:
    """Mismatches between a provider's config and what its discovery document says."""
    raw = meta.raw
    found = []
    methods = raw.get("token_endpoint_auth_methods_supported")
    # OIDC Discovery 3: the default when absent is client_secret_basic
    if conf.client_auth not in (methods if isinstance(methods, list)
                                else ["client_secret_basic"]):
        found.append(f"client_auth {conf.client_auth!r} is not among the provider's "
                     f"token_endpoint_auth_methods_supported {methods}")
    if conf.use_par and not meta.pushed_authorization_request_endpoint:
        found.append("use_par = true but the provider has no PAR endpoint")
    if conf.request_object and raw.get("request_parameter_supported") is False and not (
            meta.pushed_authorization_request_endpoint and conf.use_par):
        found.append("request_object = true but the provider does not accept request "
                     "objects (request_parameter_supported is false)")
    algs = raw.get("id_token_signing_alg_values_supported")
    if isinstance(algs, list) and not set(algs) & set(conf.id_token_algorithms):
        found.append(f"none of id_token_algorithms is among the provider's {algs}")
    if not meta.userinfo_endpoint and conf.userinfo:
        found.append("the provider has no userinfo endpoint (set userinfo = false)")
    challenge = raw.get("code_challenge_methods_supported")
    if isinstance(challenge, list) and "S256" not in challenge:
        found.append("the provider does not advertise PKCE S256")
    return found


def check_config(path: Path) -> int:
    """Print a table of providers; exit status 1 if anything is wrong."""
    from .._client import Client

    try:
        config = load_config(path)
    except EidGateError as exc:
        print(f"eidgate check: {exc.description}", file=sys.stderr)
        return 1
    failed = False
    print(f"{'provider':<14}{'reachable':<11}{'PAR':<5}{'iss':<5}{'userinfo':<10}"
          f"{'keys':<6}issuer")
    with Client(config) as client:
        for name, conf in config.providers.items():
            try:
                client.warm_up(name)
            except EidGateError as exc:
                failed = True
                print(f"{name:<14}{'NO':<11}{'':<5}{'':<5}{'':<10}{'':<6}{conf.issuer}\n"
                      f"  ! {exc.description}")
                continue
            state = client.rp.providers[name]
            meta = state.metadata
            assert meta is not None
            yes = {True: "yes", False: "no"}
            print(f"{name:<14}{'yes':<11}"
                  f"{yes[bool(meta.pushed_authorization_request_endpoint)]:<5}"
                  f"{yes[meta.authorization_response_iss_parameter_supported]:<5}"
                  f"{yes[bool(meta.userinfo_endpoint)]:<10}{len(state.keys):<6}{conf.issuer}")
            for problem in problems(conf, meta):
                failed = True
                print(f"  ! {problem}")
    print("\nproblems found" if failed else "\nall providers OK")
    return 1 if failed else 0
