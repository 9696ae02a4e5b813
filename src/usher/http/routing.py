"""Routes of the dialects as one flat list on the app.

FastAPI (0.160 and later) keeps each included router as a tree node and walks the tree on every request, twice
per level (to match, then to handle): about 25 microseconds a level here, more than the session check itself
costs. Routes of the app's own router are matched by one flat scan, so the dialects' routes are copied onto it
under their prefix. Each route was made by a decorator on a leaf router and so already carries everything that
router gave it (prefix, tags, default response class).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


def include_flat(app: FastAPI, router: APIRouter, *, prefix: str = "", include_in_schema: bool = True) -> None:
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only API routes can be flattened, not {route!r}")
        app.router.add_api_route(
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
