"""The FastAPI example: the identity as a dependency.

    .venv/bin/uvicorn --app-dir examples fastapi_app:app --port 8000   (sandbox on :8800)

uvicorn is not among eidgate's dependencies: ``.venv/bin/pip install uvicorn`` first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from eidgate import Identity
from eidgate_adapters.asgi import EidGateMiddleware, get_identity, identity_required

api = FastAPI(title="eidgate FastAPI example")


@api.get("/")
def home(request: Request) -> dict[str, str | None]:
    identity = get_identity(request)
    return {"logged_in_as": identity.full_name if identity else None}


@api.get("/account")
def account(identity: Annotated[Identity, Depends(identity_required())]) -> dict[str, object]:
    return {k: v for k, v in identity.to_dict().items() if k not in ("claims", "warnings")}


@api.get("/high")
def high(identity: Annotated[Identity, Depends(identity_required(loa="high"))]
         ) -> dict[str, str | None]:
    return {"loa": identity.loa}


app = EidGateMiddleware(api, config=os.environ.get("EIDGATE_CONFIG")
                        or Path(__file__).with_name("eidgate.toml"))
