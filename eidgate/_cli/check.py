"""``eidgate check CONFIG``: does each configured provider support what the config asks,
and does it accept the client's credentials?"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Generator
from pathlib import Path

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from .._config import Config, ProviderConfig, load_config
from .._errors import DiscoveryError, EidGateError, ProviderError
from .._oidc.authorize import client_auth, push
from .._oidc.http import HttpRequest, HttpResponse, oauth_error
from .._oidc.metadata import ProviderMetadata

#: RFC 6749 5.2: the answers that mean the client was not authenticated
_REFUSED = ("invalid_client", "unauthorized_client")


def credentials(config: Config, conf: ProviderConfig, meta: ProviderMetadata, *,
                now: float) -> Generator[HttpRequest, HttpResponse, tuple[str, bool]]:
    """Whether the provider accepts the client's credentials, without a person: the line to
    print and whether it is a problem.

    With PAR (``use_par``, or required by the provider) the pushed request the login would
    send: RFC 9126 2.1 authenticates the client there, ``201`` accepts it. Else a token
    request with a made-up code: RFC 6749 4.1.3 has the server authenticate the client and
    then check that the code was issued to it, so ``invalid_grant`` says the credentials
    were accepted and ``invalid_client`` / ``unauthorized_client`` (5.2) that they were not.
    Nothing is logged or printed of the request (it carries the secret).
    """
    token = secrets.token_urlsafe(32)
    par = meta.pushed_authorization_request_endpoint
    if par and (conf.use_par or meta.require_pushed_authorization_requests):
        params = {"response_type": "code", "client_id": conf.client_id,
                  "redirect_uri": config.redirect_uri, "scope": " ".join(conf.scopes),
                  "state": token, "nonce": token,
                  "code_challenge": create_s256_code_challenge(token),
                  "code_challenge_method": "S256"}
        try:
            yield from push(conf, par, params, now=now, jti=secrets.token_urlsafe(16))
        except ProviderError as exc:
            if exc.provider_error in _REFUSED:
                return f"credentials REFUSED ({exc.provider_error}) at PAR", True
            return f"credentials not confirmed: PAR refused the request ({exc.description})", True
        return "credentials OK (PAR)", False
    headers, form = client_auth(conf, meta.token_endpoint, now=now,
                                jti=secrets.token_urlsafe(16))
    form.update(grant_type="authorization_code", code="eidgate-check-" + token,
                redirect_uri=config.redirect_uri, code_verifier=token)
    response = yield HttpRequest.form(meta.token_endpoint, form, headers, conf.timeout,
                                      conf.issuer)
    code, _ = oauth_error(response)
    if code in _REFUSED:
        return f"credentials REFUSED ({code})", True
    if code == "invalid_grant":
        return "credentials OK", False
    # another answer (5xx, invalid_request, ...): the credentials are not known to be wrong
    return (f"credentials not checked (token endpoint answered HTTP {response.status}"
            f"{f', {code}' if code else ''})", False)


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
                # Discovery 4.3: reached, but it is another issuer (or the config's is wrong)
                reached = "issuer mismatch" if isinstance(exc, DiscoveryError) and \
                    exc.issuer_mismatch else "NO"
                print(f"{name:<14}{reached:<11}{'':<5}{'':<5}{'':<10}{'':<6}{conf.issuer}\n"
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
            try:
                said, wrong = client.run(credentials(config, conf, meta, now=time.time()))
            except EidGateError as exc:
                said, wrong = f"credentials not checked ({exc.description})", False
            failed = failed or wrong
            print(f"  {'!' if wrong else ' '} {said}")
    print("\nproblems found" if failed else "\nall providers OK")
    return 1 if failed else 0
