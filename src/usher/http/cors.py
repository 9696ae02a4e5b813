"""Per-app CORS (the app setting `cors_origins`), pure ASGI, only where a request names its app.

A preflight carries no credentials, so the app must come from the path or from the settings:

    native        /v1/apps/{app}/{signup|signin|me|signout...|token|email|password|magic-link}...
    authc1        {prefix}/v1/{app}/...
    wekan         {prefix}/users/..., {prefix}/api/...     app: USHER_WEKAN_APP
    userservice   {prefix}/{v}/users/...                   app: USHER_USERSERVICE_APP
    never         M3O, UserStore, native admin (/users, /audit): secret-key APIs, server to server; health,
                  metrics, docs, OpenAPI (and JWKS, which is public and sets `*` itself)

Decisions:
- Origins match exactly (scheme, host and port; case and a trailing slash aside). No wildcards; `null` never.
- An allowed origin gets `Access-Control-Allow-Origin: <that origin>` on every response of the path (errors too),
  and a preflight (OPTIONS with Origin and Access-Control-Request-Method) answers 204 with the allowed methods,
  headers and a max-age. Credentials (cookies) are never allowed: every API takes its token in a header.
- A disallowed origin (or an unknown app) gets no CORS headers, and its preflight a 403 in the dialect's error
  format, which says plainly what a silent 204 would hide. Requests without Origin pass untouched (so the JWT
  User Service keeps answering `OPTIONS` with `options allowed`).
- Every response of a CORS path says `Vary: Origin`, since the answer depends on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from usher.core.apps import APP_ID
from usher.core.errors import Forbidden, NotFound
from usher.core.services import Services
from usher.http.errors import ErrorFormats

MAX_AGE = 600
METHODS = "GET, POST, PUT, PATCH, DELETE"
HEADERS = "Authorization, Content-Type"
EXPOSED = "Retry-After, X-Request-Id"
_NATIVE_PUBLIC = frozenset(
    {"signup", "signin", "me", "signout", "signout-everywhere", "token", "email", "password", "magic-link"}
)


class OriginNotAllowed(Forbidden):
    code = "origin_not_allowed"

    def __init__(self) -> None:
        super().__init__("cross-origin requests from this origin are not allowed")


@dataclass(frozen=True)
class Target:
    """Where a path's app comes from, and what a browser may send there."""

    app_id: str | None
    headers: str = HEADERS


# A locator reads the path segments below a dialect's mount (and the dialects' apps from settings); it answers
# the Target, or None when the path is not one a browser may call.
Locator = Callable[[list[str], Mapping[str, str]], Target | None]


def _native(parts: list[str], apps: Mapping[str, str]) -> Target | None:
    return Target(parts[0]) if len(parts) >= 2 and parts[1] in _NATIVE_PUBLIC else None


def _authc1(parts: list[str], apps: Mapping[str, str]) -> Target | None:
    return Target(parts[1]) if len(parts) >= 3 and parts[0] == "v1" else None


def _wekan(parts: list[str], apps: Mapping[str, str]) -> Target | None:
    return Target(apps.get("wekan")) if parts[0] in ("users", "api") else None


def _never(parts: list[str], apps: Mapping[str, str]) -> None:
    return None


def _userservice(parts: list[str], apps: Mapping[str, str]) -> Target | None:
    if len(parts) >= 2 and parts[1] == "users":
        return Target(apps.get("userservice"), HEADERS + ", Language")
    return None


# Dialect name -> (path below its mount where its routes start, locator). M3O and UserStore claim their prefix
# only so that a root-mounted dialect never reads their paths as its own.
_LOCATORS: dict[str, tuple[str, Locator]] = {
    "native": ("/apps", _native),
    "authc1": ("", _authc1),
    "wekan": ("", _wekan),
    "userservice": ("", _userservice),
    "m3o": ("", _never),
    "userstore": ("", _never),
}


class CorsPolicy:
    """Which app a path belongs to, and whether an origin is on that app's list."""

    def __init__(self, mounts: Sequence[tuple[str, str]]) -> None:
        """`mounts`: (URL prefix, dialect name) of every mounted dialect; "" for the root-mounted one."""
        entries = [(prefix + _LOCATORS[name][0], _LOCATORS[name][1]) for prefix, name in mounts if name in _LOCATORS]
        # Longest prefix first; the root-mounted dialect last, so fixed paths and prefixed dialects win.
        self._entries = sorted(entries, key=lambda entry: len(entry[0]), reverse=True)

    def target(self, path: str, apps: Mapping[str, str]) -> Target | None:
        for prefix, locate in self._entries:
            if prefix and not path.startswith(prefix + "/"):
                continue
            parts = path[len(prefix) + 1 :].split("/")
            return locate(parts, apps) if parts[0] else None
        return None

    @staticmethod
    async def allows(services: Services, app_id: str | None, origin: str) -> bool:
        if app_id is None or not APP_ID.fullmatch(app_id) or origin.lower() == "null":
            return False
        try:
            app = await services.apps.get(app_id)
        except NotFound:
            return False
        wanted = _normal(origin)
        return any(_normal(allowed) == wanted for allowed in app.settings.cors_origins)


def _normal(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


class CorsMiddleware:
    """Answers preflights and adds the allow headers; sits inside EdgeMiddleware, so its answers are secured too."""

    def __init__(self, app: ASGIApp, formats: ErrorFormats, mounts: Sequence[tuple[str, str]]) -> None:
        self.app = app
        self.formats = formats
        self.policy = CorsPolicy(mounts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        target = self.policy.target(scope["path"], getattr(state, "dialect_apps", None) or {})
        if target is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and await self.policy.allows(state.services, target.app_id, origin)
        added = [(b"access-control-allow-origin", origin.encode("latin-1"))] if allowed and origin else []

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _vary_origin([*message.get("headers", []), *added])}
            await send(message)

        if origin is not None and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send_with_cors, allowed, target)
            return
        if added:
            added.append((b"access-control-expose-headers", EXPOSED.encode()))
        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, allowed: bool, target: Target) -> None:
        if not allowed:
            response = self.formats.respond(Request(scope), OriginNotAllowed())
            await response(scope, receive, send)
            return
        headers = [
            (b"access-control-allow-methods", METHODS.encode()),
            (b"access-control-allow-headers", target.headers.encode()),
            (b"access-control-max-age", str(MAX_AGE).encode()),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Adds Origin to the Vary header (merging with one a route set)."""
    for index, (key, value) in enumerate(headers):
        if key.lower() == b"vary":
            if b"origin" not in value.lower():
                headers[index] = (key, value + b", Origin")
            return headers
    return [*headers, (b"vary", b"Origin")]
