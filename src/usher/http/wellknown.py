"""`/.well-known/jwks.json`: every app's published public signing keys, for offline verifiers (SPEC §5, §6.9)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from usher.http.deps import services
from usher.http.responses import Json

router = APIRouter()

# Verifiers may cache the document: a new key signs at once, but the old one stays published for a day at least.
CACHE_CONTROL = "public, max-age=300"


@router.get("/.well-known/jwks.json", include_in_schema=False)
async def jwks(request: Request) -> Json:
    keys = await services(request).keys.jwks()
    headers = {"Cache-Control": CACHE_CONTROL, "Access-Control-Allow-Origin": "*"}
    return Json({"keys": keys}, headers=headers)
