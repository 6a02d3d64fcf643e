"""The sandbox eID hub: a local OpenID provider with test persons for every eID.

For demos, development and your own tests, no broker account needed::

    from eidgate.sandbox import Sandbox, SandboxClient

    sandbox = Sandbox("https://sandbox.eidgate.test")
    sandbox.register(SandboxClient("demo", "demo-secret",
                                   ("http://127.0.0.1:8000/eidgate/callback",)))
    transport = httpx2.WSGITransport(app=sandbox.wsgi_app())   # in-process

or run it on a port: ``eidgate sandbox --port 8800``.
"""

from ._http import Request, Response
from ._people import EIDS, PEOPLE, TestPerson, people_for, person
from ._provider import CANCEL, EXPIRED, Faults, Sandbox, SandboxClient
from ._serve import RunningSandbox

__all__ = ["CANCEL", "EIDS", "EXPIRED", "PEOPLE", "Faults", "Request", "Response",
           "RunningSandbox", "Sandbox", "SandboxClient", "TestPerson", "people_for", "person"]
