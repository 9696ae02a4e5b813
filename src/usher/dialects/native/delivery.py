"""How the native API mails codes: formats and lifetimes per method, link shapes, checked redirect targets."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from usher.core.errors import InvalidInput
from usher.core.mailing import Delivery
from usher.core.models import SIX_DIGITS, TOKEN, App, CodeFormat
from usher.core.redirects import check_redirect, default_redirect
from usher.dialects.native.schemas import Method

HOUR = 3600
MINUTE = 60
# (link lifetime, code lifetime) in seconds
VERIFY_TTL = (24 * HOUR, 15 * MINUTE)
RESET_TTL = (1 * HOUR, 15 * MINUTE)
MAGIC_TTL = (15 * MINUTE, 10 * MINUTE)


@dataclass(frozen=True, slots=True)
class Plan:
    """What the core needs to issue and mail one code."""

    fmt: CodeFormat
    ttl: int
    delivery: Delivery


def allowed(app: App, url: str | None, field: str = "redirect_url") -> str | None:
    """A caller-given redirect target, if the app allows it (400 otherwise); None when none was given."""
    return check_redirect(app.settings, url, field=field) if url else None


def with_token(base: str) -> str:
    """`base` with `token={token}` added to its query, before any fragment."""
    parts = urlsplit(base)
    query = f"{parts.query}&token={{token}}" if parts.query else "token={token}"
    return urlunsplit(parts._replace(query=query))


def verification_plan(
    app: App, public_url: str, method: Method, redirect_url: str | None, failure_redirect_url: str | None
) -> Plan:
    """Links lead to usher's own GET verify page, which then redirects to the (checked, stored) targets."""
    success = allowed(app, redirect_url)
    failure = allowed(app, failure_redirect_url, "failure_redirect_url")
    if method == "code":
        return Plan(SIX_DIGITS, VERIFY_TTL[1], Delivery())
    link = f"{public_url}/v1/apps/{quote(app.id, safe='')}/email/verify?token={{token}}"
    return Plan(TOKEN, VERIFY_TTL[0], Delivery(link_template=link, redirect_url=success, failure_redirect_url=failure))


def app_link_plan(app: App, method: Method, redirect_url: str | None, ttl: tuple[int, int]) -> Plan:
    """Links lead to the app's own page (the given target or the app's first allowed one) with `?token=`."""
    base = allowed(app, redirect_url)
    if method == "code":
        return Plan(SIX_DIGITS, ttl[1], Delivery())
    base = base or default_redirect(app.settings)
    if base is None:
        raise InvalidInput(
            "redirect_url is required: the application has no allowed redirect URLs", field="redirect_url"
        )
    return Plan(TOKEN, ttl[0], Delivery(link_template=with_token(base)))
