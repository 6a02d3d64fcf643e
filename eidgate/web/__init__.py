"""eidgate's web face: everything an adapter for a web framework is built from.

The Flask, ASGI, WSGI (and Django) adapters in ``eidgate_adapters`` import only from here
and from ``eidgate``; a new adapter needs nothing else. An adapter is a translation:

1. **Build** the gate and its driver once, from the config and the :class:`GateOptions`
   the adapter takes (the same names in every adapter)::

       gate, client = Gate.open(config, Client, **options)        # AsyncClient for async

2. **Gate routes.** For a path the gate owns (``gate.owns(path)``: ``route_prefix`` and
   below), turn the request into a :class:`WebRequest` and run the gate's sans-IO answer
   with the driver; send the :class:`WebResponse` back (``response.all_headers()``)::

       response = client.run(gate.handle(request))               # or: await client.run(...)
       response = gate.finish(request, response)                 # Gate(defer_evidence=True)

3. **Identity.** On every other request, read the session from the ``Cookie`` header
   (``gate.cookie_identity(header)``: cached, the hot path) and put it where the
   framework's users look for it.

4. **Protection.** A middleware refuses what ``protect=`` covers::

       if gate.protects(path, root):
           refused = gate.refuse(identity, lambda: request, method=method)

   a decorator refuses with its own :class:`Rule` (``Rule.of(loa=..., providers=...)``;
   ``OPTIONS`` needs a login there too, since a framework that answers it itself never
   calls the view) and :func:`wrap_view` keeps sync and async views what they are.
   ``refused`` is None to go on, else the response to send (a redirect to log in, or 401
   JSON for an API call).

Extension points, accepted by every adapter under the same keyword: ``sessions=`` (a
:class:`SessionStore`: :class:`CookieSessions` by default, :class:`RedisSessions` with
``[eidgate.session] store = "redis"``; a store that can also list and end single
sessions is a :class:`RevocableStore`, listing :class:`SessionInfo`), ``evidence=`` (an
:class:`EvidenceSink`), ``pages=`` (a :class:`Pages`), ``strings=`` (:data:`Strings`) and
``languages=``.
"""

from __future__ import annotations

from .._errors import SessionError, SessionStoreUnavailable
from .._languages import STRINGS, TRANSLATIONS, Strings
from .._oidc.evidence import EvidenceSink
from ._gate import Gate
from ._options import GateOptions
from ._pages import DefaultPages, Pages
from ._redis import RedisSessions
from ._request import WebRequest, WebResponse, parse_cookies, wrap_view
from ._rules import Rule, below_root
from ._sessions import CookieSessions, RevocableStore, SessionInfo, SessionStore
from ._tokens import LoginRequired

__all__ = [
    "STRINGS",
    "TRANSLATIONS",
    "CookieSessions",
    "DefaultPages",
    "EvidenceSink",
    "Gate",
    "GateOptions",
    "LoginRequired",
    "Pages",
    "RedisSessions",
    "RevocableStore",
    "Rule",
    "SessionError",
    "SessionInfo",
    "SessionStore",
    "SessionStoreUnavailable",
    "Strings",
    "WebRequest",
    "WebResponse",
    "below_root",
    "parse_cookies",
    "wrap_view",
]
