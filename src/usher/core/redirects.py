"""Which redirect targets a public flow may send users to: only those the app allowed (no open redirects)."""

from __future__ import annotations

from urllib.parse import urlsplit

from usher.core.errors import InvalidInput
from usher.core.models import AppSettings


def _parts(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/"


def check_redirect(settings: AppSettings, url: str, *, field: str = "redirect_url") -> str:
    """`url` if it lies under one of the app's `redirect_urls` (same scheme and host, path below); else 400."""
    scheme, host, path = _parts(url)
    if scheme not in ("http", "https") or not host or any(ch in url for ch in "\r\n\t "):
        raise InvalidInput(f"{field} must be an absolute http(s) URL", field=field)
    for allowed in settings.redirect_urls:
        a_scheme, a_host, a_path = _parts(allowed)
        if (scheme, host) == (a_scheme, a_host) and (path == a_path or path.startswith(a_path.rstrip("/") + "/")):
            return url
    raise InvalidInput(f"{field} is not in this application's allowed redirect URLs", field=field)


def default_redirect(settings: AppSettings) -> str | None:
    return settings.redirect_urls[0] if settings.redirect_urls else None
