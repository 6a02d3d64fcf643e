"""A public page, a protected account page (a function) and a profile (a class)."""

from html import escape

from django.http import HttpRequest, HttpResponse
from django.views import View

from eidgate_adapters.django import LoginRequiredMixin, login_required

_PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
         "<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;"
         "padding:0 1rem}}td{{padding:.2rem .8rem .2rem 0}}</style></head><body>{body}"
         '<form method="post" action="/eidgate/logout"><p><button>Log out</button></p></form>'
         '<p><a href="/">Home</a></p></body></html>')


def home(request: HttpRequest) -> HttpResponse:
    identity = request.identity  # None when nobody is logged in
    who = (f"Logged in as {escape(identity.full_name or identity.subject)}."
           if identity else "Not logged in.")
    return HttpResponse(_PAGE.format(title="eidgate Django demo", body=(
        f"<h1>eidgate Django demo</h1><p>{who}</p>"
        '<p><a href="/account/">My account</a> (requires an eID login)</p>'
        '<p><a href="/profile/">My profile</a> (level substantial or higher)</p>')))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    identity = request.identity
    number = identity.national_id.value if identity.national_id else "-"
    return HttpResponse(_PAGE.format(title="My account", body=(
        f"<h1>Hello {escape(identity.first_name or identity.full_name or '')}</h1>"
        f"<p>You logged in with <b>{escape(identity.method)}</b>.</p>"
        f"<table><tr><td>national id</td><td>{escape(number)}</td></tr>"
        f"<tr><td>level</td><td>{escape(identity.loa or '-')}</td></tr></table>")))


class Profile(LoginRequiredMixin, View):
    loa = "substantial"  # a lower login is asked to step up

    def get(self, request: HttpRequest) -> HttpResponse:
        identity = request.identity
        return HttpResponse(_PAGE.format(title="My profile", body=(
            f"<h1>Profile of {escape(identity.full_name or identity.subject)}</h1>"
            f"<p>Born {identity.date_of_birth or '-'}, level {escape(identity.loa or '-')}"
            "</p>")))
