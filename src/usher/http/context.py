"""What the edge knows about a caller: client address (proxy-aware), user agent and request id."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from starlette.requests import Request

from usher.core.models import RequestContext

_MAX_AGENT = 512


class ClientAddresses:
    """Believes X-Forwarded-For only from trusted proxies, or when the caller authenticated as an app backend."""

    def __init__(self, trusted_proxies: tuple[str, ...]) -> None:
        self._networks = tuple(ip_network(p, strict=False) for p in trusted_proxies)

    def _trusted(self, peer: str | None) -> bool:
        if not peer or not self._networks:
            return False
        try:
            address = ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    def address(self, request: Request, *, app_backend: bool = False) -> str | None:
        peer = request.client.host if request.client else None
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded and (app_backend or self._trusted(peer)):
            # The right-most address not added by a trusted proxy is the client.
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            for hop in reversed(hops):
                if not self._trusted(hop):
                    return _valid_or(hop, peer)
        return peer


def _valid_or(candidate: str, fallback: str | None) -> str | None:
    try:
        return str(ip_address(candidate))
    except ValueError:
        return fallback


def _printable(value: str) -> str:
    """Headers are latin-1 text a client controls: keep what can be stored and shown safely."""
    return "".join(ch for ch in value if ch.isprintable())


def request_id(request: Request) -> str:
    rid = request.scope.get("usher.request_id")
    return rid if isinstance(rid, str) else "-"


def request_context(request: Request, *, app_backend: bool = False) -> RequestContext:
    addresses: ClientAddresses = request.app.state.client_addresses
    agent = request.headers.get("user-agent")
    named_end_user = "x-forwarded-for" in request.headers
    return RequestContext(
        client_address=addresses.address(request, app_backend=app_backend),
        user_agent=_printable(agent[:_MAX_AGENT]) if agent else None,
        request_id=request_id(request),
        app_backend=app_backend and not named_end_user,
    )
