"""Pure ASGI middleware: request id, body-size limit, security headers, and an access log without secrets."""

from __future__ import annotations

import logging
import secrets
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from usher.http.errors import ErrorFormats, PayloadTooLarge

access_log = logging.getLogger("usher.access")

BODY_LIMIT = 64 * 1024
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_NO_STORE = (b"cache-control", b"no-store")


class EdgeMiddleware:
    """Everything every request needs before and after routing, in one pass over the ASGI messages."""

    def __init__(self, app: ASGIApp, formats: ErrorFormats, body_limit: int = BODY_LIMIT) -> None:
        self.app = app
        self.formats = formats
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(8)
        scope["usher.request_id"] = rid
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                present = {k.lower() for k, _ in headers}
                headers += [h for h in _SECURITY_HEADERS if h[0] not in present]
                if b"cache-control" not in present:
                    headers.append(_NO_STORE)
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            body_receive = await self._limited(scope, receive)
            if body_receive is None:
                response = self.formats.respond(Request(scope), PayloadTooLarge(self.body_limit))
                await response(scope, receive, send_with_headers)
                return
            await self.app(scope, body_receive, send_with_headers)
        finally:
            # Path only: query strings may carry tokens and codes (?access_token=, ?token=, ?code=).
            access_log.info(
                "%s %s %s %.1fms %s",
                scope.get("method"),
                scope.get("path"),
                status,
                (time.perf_counter() - started) * 1000,
                rid,
            )

    async def _limited(self, scope: Scope, receive: Receive) -> Receive | None:
        """A receive that replays the (bounded) body, or None when the body is over the limit."""
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None:
            try:
                if int(length) > self.body_limit:
                    return None
            except ValueError:
                return None
            if int(length) == 0:
                return receive
        elif b"transfer-encoding" not in headers:
            return receive
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replay([message], receive)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.body_limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
