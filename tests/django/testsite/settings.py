"""The Django project the tests run (in-process and under gunicorn and uvicorn).

``EIDGATE_CONFIG`` names its eidgate.toml, ``TESTSITE_DB`` its SQLite file (in memory by
default), ``TESTSITE_USERS=1`` turns on the link to django.contrib.auth.
"""

import os

SECRET_KEY = "django-tests-only-not-a-secret-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
USE_TZ = True
ROOT_URLCONF = "testsite.urls"
APPEND_SLASH = True
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "eidgate_adapters.django",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "eidgate_adapters.django.EidGateMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "eidgate_adapters.django.auth.EidGateBackend",
    "django.contrib.auth.backends.ModelBackend",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("TESTSITE_DB", ":memory:")}}
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
EIDGATE = {
    "config": os.environ.get("EIDGATE_CONFIG", "eidgate.toml"),
    "protect": ["/protected/*"],
    "users": os.environ.get("TESTSITE_USERS") == "1",
}
