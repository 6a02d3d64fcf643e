"""A user's FastAPI app behind eidgate's ASGI middleware, the identity as a dependency."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI

from eidgate import Identity
from eidgate_adapters.asgi import EidGateMiddleware, identity_required


def create_app(config: Path) -> Any:
    api = FastAPI()

    @api.get("/me")
    def me(identity: Annotated[Identity, Depends(identity_required())]) -> dict[str, Any]:
        assert identity.national_id is not None
        return {"name": identity.full_name, "national_id": identity.national_id.value}

    return EidGateMiddleware(api, config=config, protect=["/me"])
