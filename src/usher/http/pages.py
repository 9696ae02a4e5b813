"""Tiny HTML result pages for links opened in a browser (verification links): nothing loads, nothing runs."""

from __future__ import annotations

import html
from collections.abc import Awaitable

from starlette.responses import HTMLResponse, RedirectResponse, Response

from usher.core.errors import InvalidCode, NotFound
from usher.core.verification import Verified
from usher.http.middleware import STRICT_CSP

CSP = STRICT_CSP
_TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{title}</title></head>
<body><h1>{title}</h1><p>{message}</p></body>
</html>
"""


def page(title: str, message: str, *, status_code: int = 200) -> HTMLResponse:
    """A plain page; both texts are escaped, and the policy forbids every script, style and load."""
    body = _TEMPLATE.format(title=html.escape(title), message=html.escape(message))
    return HTMLResponse(body, status_code=status_code, headers={"Content-Security-Policy": CSP})


def redirect(url: str) -> RedirectResponse:
    """302 to a URL the core stored with the token; never to one read from the request."""
    return RedirectResponse(url, status_code=302)


def verified_page() -> HTMLResponse:
    return page("Email address verified", "Your email address is verified. You may close this page.")


def invalid_link_page() -> HTMLResponse:
    return page(
        "Link not valid",
        "This link is not valid: it may have expired or been used already. Ask for a new one.",
        status_code=400,
    )


async def link_result(verify: Awaitable[Verified]) -> Response:
    """The answer to a followed verification link: 302 to a target stored with the token, else a page.

    Success goes to the stored redirect URL; a known token that is spent or expired goes to its stored failure
    URL; anything else (unknown token, unknown app) gets the error page and no redirect (SPEC §6.10).
    """
    try:
        verified = await verify
    except InvalidCode as error:
        return redirect(error.redirect) if error.redirect else invalid_link_page()
    except NotFound:
        return invalid_link_page()
    return redirect(verified.redirect_url) if verified.redirect_url else verified_page()
