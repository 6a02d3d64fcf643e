"""eidgate's routes included at /auth/, while route_prefix is /eidgate (a mismatch)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home),
    path("account/", views.account),
    path("auth/", include("eidgate_adapters.django.urls")),
]
