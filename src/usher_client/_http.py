"""What both clients share: the Calls of one app, the admin key, and turning a Call's answer into a result."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx

from usher_client.calls import Call, Calls
from usher_client.errors import error_from

T = TypeVar("T")
USER_AGENT = "usher-client-python/0.1"


class ClientBase:
    def __init__(self, app_id: str, secret_key: str | None) -> None:
        self.app_id = app_id
        self._calls = Calls(app_id)
        self._secret_key = secret_key

    def _key(self) -> str:
        if self._secret_key is None:
            raise ValueError("admin calls need the client's secret_key (the app's secret key)")
        return self._secret_key


def request_args(call: Call[Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {call.credential}"} if call.credential is not None else {}
    return {"method": call.method, "url": call.path, "json": call.json, "params": call.params, "headers": headers}


def result_of(call: Call[T], response: httpx.Response) -> T:
    """The typed result of a 2xx answer; the matching UsherError subclass otherwise."""
    if response.is_error:
        raise error_from(response)
    return call.read(response.json() if response.content else None)
