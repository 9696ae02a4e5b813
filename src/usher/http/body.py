"""Reading request bodies for dialect routes: JSON or form, empty tolerated, validated without echoing input."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qsl

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from usher.http.errors import MalformedBody, describe_validation

M = TypeVar("M", bound=BaseModel)


async def read_payload(request: Request, *, allow_form: bool = False) -> dict[str, Any]:
    """The body as a dict: `{}` when empty; JSON, or form-encoded where the dialect accepts it."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if allow_form and content_type.startswith("application/x-www-form-urlencoded"):
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise MalformedBody("request body is not valid UTF-8") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise MalformedBody() from None
    if not isinstance(data, dict):
        raise MalformedBody("request body must be a JSON object")
    return data


async def read_model(request: Request, model: type[M], *, allow_form: bool = False) -> M:
    data = await read_payload(request, allow_form=allow_form)
    return validate(model, data)


def validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise describe_validation([dict(e) for e in exc.errors(include_input=False)]) from None
