"""A fast JSON response (orjson) used by every dialect."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class Json(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def empty(status_code: int = 204) -> Json:
    """A body-less answer that still says it is JSON-free."""
    response = Json(None, status_code=status_code)
    response.body = b""
    response.headers["content-length"] = "0"
    return response
