"""create_app(settings): mounts the enabled dialects, one error handler, health and metrics."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from types import ModuleType

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from usher.container import Container
from usher.core.errors import UsherError
from usher.http import docs, health, metrics, wellknown
from usher.http.context import ClientAddresses
from usher.http.cors import CorsMiddleware
from usher.http.errors import ErrorFormats
from usher.http.middleware import EdgeMiddleware
from usher.http.routing import DialectMount, flat_router, include_flat
from usher.settings import Settings

# Dialect name -> (module, URL prefix). Each module offers routers() and render(error, request).
DIALECTS: dict[str, tuple[str, str]] = {
    "native": ("usher.dialects.native", "/v1"),
    "m3o": ("usher.dialects.m3o", "/m3o"),
    "authc1": ("usher.dialects.authc1", "/authc1"),
    "userservice": ("usher.dialects.userservice", "/userservice"),
    "userstore": ("usher.dialects.userstore", "/userstore"),
    "wekan": ("usher.dialects.wekan", "/wekan"),
}


def _load(name: str) -> tuple[ModuleType, str] | None:
    entry = DIALECTS.get(name)
    if entry is None:
        return None  # named in settings, not built yet
    return importlib.import_module(entry[0]), entry[1]


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    """The ASGI app. Without a container one is built at start-up and closed at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = container is None
        built = container or Container(settings)
        app.state.services = built.services
        app.state.readiness = built.ready
        # The mail dispatcher (when SMTP is configured) sends in the background; requests only queue mail.
        mailer: AbstractAsyncContextManager[None] = (
            built.dispatcher.running() if built.dispatcher is not None else nullcontext()
        )
        try:
            async with mailer:
                yield
        finally:
            if own:
                await built.close()

    native = _load("native")
    assert native is not None
    app = FastAPI(
        title="usher",
        version="1",  # the API's version, not the package's: no version banner
        description="Accounts, sign-in, sessions and tokens. Native API; the dialects are documented in SPEC.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # http/docs.py serves /docs under its own Content-Security-Policy
        redoc_url=None,
    )
    formats = ErrorFormats(fallback=native[0].render)
    app.state.client_addresses = ClientAddresses(settings.trusted_proxies)
    app.state.public_url = settings.public_url
    app.state.dialect_apps = settings.dialect_apps()
    if container is not None:
        app.state.services = container.services
        app.state.readiness = container.ready

    mounts = _add_routes(app, settings, formats)
    for kind in (UsherError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, formats.handle)
    app.add_middleware(CorsMiddleware, formats=formats, mounts=mounts)
    https = settings.public_url.lower().startswith("https://")
    # Added last, so it wraps CORS and routing.
    app.add_middleware(EdgeMiddleware, formats=formats, hsts=https, access_log=settings.access_log)
    return app


def _add_routes(app: FastAPI, settings: Settings, formats: ErrorFormats) -> list[tuple[str, str]]:
    """Every enabled dialect, with its error format; returns (prefix, dialect) pairs for CORS.

    Routes are tried in order, one by one: the native API first (the session check is the call answered most
    often; its routes stay on the app, where the OpenAPI document finds them), then the fixed paths, then each
    other dialect behind one prefix test (a Mount) instead of among everybody's routes.
    """
    mounts: list[tuple[str, str]] = []
    loaded = {name: found for name in settings.dialects if (found := _load(name)) is not None}
    if "native" in loaded:
        module, prefix = loaded["native"]
        for router in module.routers():
            include_flat(app.router, router, prefix=prefix)
    for fixed in (health.router, metrics.router, wellknown.router, docs.router):
        include_flat(app.router, fixed)
    for name, (module, prefix) in loaded.items():
        if name != "native":
            app.router.routes.append(DialectMount(prefix, flat_router(module.routers())))
        formats.register(prefix, module.render)
        mounts.append((prefix, name))
    root = _load(settings.root_dialect) if settings.root_dialect and settings.root_dialect != "native" else None
    if root is not None:
        for router in root[0].routers():  # the fixed paths were added first, so they win
            include_flat(app.router, router, include_in_schema=False)
        formats.register("", root[0].render)
        mounts.append(("", str(settings.root_dialect)))
    return mounts
