"""A user's Flask app: a public page and an account page that needs an eID login."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from eidgate_adapters.flask import EidGate, current_identity, login_required


def create_app(config: Path) -> Flask:
    app = Flask(__name__)
    EidGate(app, config=config)

    @app.get("/")
    def home() -> str:
        return "public"

    @app.get("/account")
    @login_required(loa="substantial")
    def account() -> str:
        return f"Hello {current_identity.first_name} ({current_identity.loa})"

    return app
