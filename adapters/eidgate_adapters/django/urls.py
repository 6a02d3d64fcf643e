"""eidgate's routes for the URLconf: ``path("eidgate/", include("eidgate_adapters.django.urls"))``.

Include them at ``route_prefix`` (``/eidgate`` by default): ``manage.py check`` reports a
mismatch (``eidgate.E006``), and so does the first request. With
``EidGateMiddleware`` installed the middleware answers these paths before URL routing;
the URLconf's views answer them without it (with the sync driver), and name them for
``reverse("eidgate:login")`` and ``{% url "eidgate:logout" %}``.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import django_response, web_request
from ._gates import gates, prefix_mismatch

app_name = "eidgate"


# CSRF exempt: the gate checks its own POSTs (OpenID Connect Back-Channel Logout 1.0 2.5:
# the provider's server sends no CSRF token, its logout token's signature authenticates it;
# logout refuses cross-site requests by Sec-Fetch-Site / Origin)
@csrf_exempt
def route(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any route under ``route_prefix``, answered by the gate (404 for unknown ones)."""
    found = gates()
    gate = found.gate
    if not gate.owns(request.path_info):
        raise ImproperlyConfigured(prefix_mismatch(gate) or (
            f"eidgate's URLconf answered {request.path_info!r}, outside route_prefix "
            f"{gate.prefix!r}: include eidgate_adapters.django.urls at route_prefix"))
    return django_response(found.client.run(gate.handle(web_request(request, gate))))


urlpatterns = [
    path("", route, name="picker"),
    path("login", route, name="login"),
    path("callback", route, name="callback"),
    path("logout", route, name="logout"),
    path("logged-out", route, name="logged-out"),
    path("jwks.json", route, name="jwks"),
    path("backchannel-logout", route, name="backchannel-logout"),
    re_path(r"^(?P<rest>.+)$", route),  # every other path below is the gate's too (404)
]
