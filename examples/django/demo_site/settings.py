"""Settings of the Django example: eidgate's app, its middleware and EIDGATE, nothing more.

DEMO ONLY: the secret key is public, and DEBUG is off so that errors look as they would.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "django-demo-only-secret-do-not-use-in-production"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "demo_site.urls"
WSGI_APPLICATION = "demo_site.wsgi.application"
INSTALLED_APPS = ["eidgate_adapters.django"]  # its system checks: manage.py check
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "eidgate_adapters.django.EidGateMiddleware",
]
DATABASES: dict[str, dict[str, str]] = {}  # eidgate needs none (its session is a cookie)
USE_TZ = True

EIDGATE = {
    # the examples' shared configuration (the sandbox on :8800); EIDGATE_CONFIG for another
    "config": os.environ.get("EIDGATE_CONFIG") or BASE_DIR.parent / "eidgate.toml",
    "languages": ["en", "fi", "sv"],
}
