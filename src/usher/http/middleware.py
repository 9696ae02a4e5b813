"""Pure ASGI middleware: request id, body-size limit, security headers, last-resort 500, and an access log
without secrets.

EdgeMiddleware is the outermost layer that answers: Starlette's ServerErrorMiddleware sits outside it, but an
exception never reaches that one, because the edge turns it into the dialect's 500 itself (so the 500 carries
the security headers and the request id like every other response).

Headers on every response (a route may set its own Cache-Control or Content-Security-Policy, which then stands):
    X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer, X-Frame-Options: DENY
    Cache-Control: no-store                   (the JWKS document sets a public max-age itself)
    Content-Security-Policy: STRICT_CSP        (HTML and JSON alike; /docs sets its own, see docs.py)
    Strict-Transport-Security                  only when USHER_PUBLIC_URL is https
    X-Request-Id; never a Server header
"""

from __future__ import annotations

import logging
import secrets
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from usher.http.errors import ErrorFormats, PayloadTooLarge

access_log = logging.getLogger("usher.access")
log = logging.getLogger("usher.http")

BODY_LIMIT = 64 * 1024
STRICT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_DEFAULTS = [
    (b"cache-control", b"no-store"),
    (b"content-security-policy", STRICT_CSP.encode()),
]
_DROPPED = {b"server", b"x-powered-by"}


def secure_headers(headers: list[tuple[bytes, bytes]], *, request_id: str, hsts: bool) -> list[tuple[bytes, bytes]]:
    """The response's headers with every security header the edge promises (see the module docstring)."""
    kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED]
    present = {k.lower() for k, _ in kept}
    kept += [h for h in _SECURITY_HEADERS if h[0] not in present]
    kept += [h for h in _DEFAULTS if h[0] not in present]
    if hsts and b"strict-transport-security" not in present:
        kept.append((b"strict-transport-security", HSTS.encode()))
    kept.append((b"x-request-id", request_id.encode()))
    return kept


class EdgeMiddleware:
    """Everything every request needs before and after routing, in one pass over the ASGI messages."""

    def __init__(
        self,
        app: ASGIApp,
        formats: ErrorFormats,
        body_limit: int = BODY_LIMIT,
        hsts: bool = False,
        access_log: bool = True,
    ) -> None:
        self.app = app
        self.formats = formats
        self.body_limit = body_limit
        self.hsts = hsts
        self.access_log = access_log

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
                headers = secure_headers(list(message.get("headers", [])), request_id=rid, hsts=self.hsts)
                message = {**message, "headers": headers}
            await send(message)

        try:
            body_receive = await self._limited(scope, receive)
            if body_receive is None:
                response = self.formats.respond(Request(scope), PayloadTooLarge(self.body_limit))
                await response(scope, receive, send_with_headers)
                return
            await self.app(scope, body_receive, send_with_headers)
        except Exception as exc:
            if status:  # the answer is on its way: nothing left to say but the log line
                log.error("error after the response started (request %s): %s", rid, type(exc).__name__)
                return
            response = await self.formats.handle(Request(scope), exc)  # logs it, answers the dialect's 500
            await response(scope, receive, send_with_headers)
        finally:
            if self.access_log:
                self._log_access(scope, status, started, rid)

    @staticmethod
    def _log_access(scope: Scope, status: int, started: float, rid: str) -> None:
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
