"""Routes of the dialects as flat lists: on the app, or on one router per mounted prefix.

FastAPI (0.160 and later) keeps each included router as a tree node and walks the tree on every request, twice
per level (to match, then to handle): about 25 microseconds a level here, more than the session check itself
costs. A router's own routes are matched by one flat scan, so the dialects' routes are copied onto one under
their prefix. Each route was made by a decorator on a leaf router and so already carries everything that router
gave it (prefix, tags, default response class).
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Match, Mount
from starlette.types import Scope


class DialectMount(Mount):
    """A dialect's routes behind its prefix. The bare prefix (`/wekan`, not only `/wekan/...`) is the dialect's
    too: it answers the dialect's 404, as when its routes sat on the app, not a redirect to `/wekan/`."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        root_path = scope.get("root_path", "")
        if scope["type"] == "http" and scope["path"] == root_path + self.path:
            return Match.FULL, {
                "path_params": dict(scope.get("path_params", {})),
                "app_root_path": scope.get("app_root_path", root_path),
                "root_path": root_path + self.path,
                "endpoint": self.app,
            }
        return super().matches(scope)


def flat_router(routers: Iterable[APIRouter]) -> APIRouter:
    """The routers' routes on one router, to mount under the dialect's prefix (paths relative to it)."""
    flat = APIRouter()
    for router in routers:
        include_flat(flat, router, include_in_schema=False)
    return flat


def include_flat(target: APIRouter, router: APIRouter, *, prefix: str = "", include_in_schema: bool = True) -> None:
    """Copies the router's routes onto `target` under `prefix`."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only API routes can be flattened, not {route!r}")
        target.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema and include_in_schema,
            response_class=route.response_class,
            name=route.name,
            route_class_override=type(route),
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
        )
