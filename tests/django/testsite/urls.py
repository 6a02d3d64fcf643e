from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home),
    path("account/", views.account),
    path("async/", views.async_account),
    path("high/", views.high),
    path("fresh/", views.fresh),
    path("cbv/", views.Account.as_view()),
    path("acbv/", views.AsyncAccount.as_view()),
    path("protected/", views.plain),
    path("protected/<path:rest>", views.plain),
    path("perm/", views.perm),
    path("form/", views.form),
    path("admin/", admin.site.urls),
    path("eidgate/", include("eidgate_adapters.django.urls")),
]
