"""Liveness and readiness endpoints."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from starlette.requests import Request

from usher.http.responses import Json

router = APIRouter()

ReadinessCheck = Callable[[], Awaitable[bool]]


@router.get("/healthz", include_in_schema=False)
async def healthz() -> Json:
    return Json({"status": "ok"})


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> Json:
    check: ReadinessCheck = request.app.state.readiness
    ready = await check()
    return Json({"status": "ok" if ready else "unavailable", "database": ready}, status_code=200 if ready else 503)
