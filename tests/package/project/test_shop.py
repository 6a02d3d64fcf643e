"""The user's apps log a sandbox test person in, with the plugin's fixtures."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from shop_fastapi import create_app as create_api
from shop_flask import create_app


def test_flask_account_after_a_login(config: Path, eidgate_login) -> None:
    client = create_app(config).test_client()
    assert client.get("/").get_data(as_text=True) == "public"
    refused = client.get("/account")
    assert refused.status_code == 303  # See Other: to the login, then back here
    assert refused.headers["Location"].startswith("/eidgate/login?next=%2Faccount")
    page = eidgate_login(client, "/account", person="ftn-vaino")
    assert page.status_code == 200
    # the broker's FTN example (Väinö Tunnistus, level substantial)
    assert page.get_data(as_text=True) == "Hello Väinö (substantial)"


def test_fastapi_me_after_a_login(config: Path, eidgate_login) -> None:
    with TestClient(create_api(config), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/me", headers={"Accept": "application/json"}).status_code == 401
        page = eidgate_login(client, "/me", person="ftn-vaino")
        assert page.status_code == 200
        # the FTN example's HETU as the page publishes it
        assert page.json() == {"name": "Väinö Tunnistus", "national_id": "070770-905D"}
