import asyncio

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.views import View

from eidgate_adapters.django import LoginRequiredMixin, get_identity, login_required


def _who(request: HttpRequest) -> str:
    identity = get_identity(request)
    return identity.full_name or identity.subject if identity else "anonymous"


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return HttpResponse(f"public, {_who(request)}, user "
                        f"{user.get_username() if user.is_authenticated else '-'}")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    identity = request.identity
    return HttpResponse(f"account of {identity.full_name} via {identity.method}")


@login_required(provider="sandbox")
async def async_account(request: HttpRequest) -> HttpResponse:
    await asyncio.sleep(0)
    return HttpResponse(f"async {request.identity.first_name}")


@login_required(loa="high")
def high(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"high: {request.identity.loa}")


@login_required(max_age=60)
def fresh(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"fresh: {request.identity.first_name}")


class Account(LoginRequiredMixin, View):
    loa = "substantial"

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(f"cbv {request.identity.first_name}")


class AsyncAccount(LoginRequiredMixin, View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(f"acbv {request.identity.first_name}")


def plain(request: HttpRequest, rest: str = "") -> HttpResponse:
    return HttpResponse(f"protected {rest!r} for {_who(request)}")


@permission_required("auth.view_user", raise_exception=True)
def perm(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"may view users: {request.user.get_username()}")


def form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"posted {request.method}")
