from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home),
    path("account/", views.account),
    path("profile/", views.Profile.as_view()),
    path("eidgate/", include("eidgate_adapters.django.urls")),  # route_prefix = "/eidgate"
]
