"""The Django app: ``INSTALLED_APPS = [..., "eidgate_adapters.django"]`` registers the
system checks (``manage.py check``: ``eidgate.E001`` ...)."""

from __future__ import annotations

from django.apps import AppConfig


class EidGateConfig(AppConfig):
    """eidgate's Django app (label ``eidgate``): its system checks."""

    name = "eidgate_adapters.django"
    label = "eidgate"
    verbose_name = "eidgate"

    def ready(self) -> None:
        from . import checks  # registers them

        checks.register()
