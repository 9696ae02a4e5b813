"""`/docs`: FastAPI's Swagger UI page for the native API, under a Content-Security-Policy made for it.

The page loads Swagger UI's script and stylesheet from the jsDelivr CDN (pinned to that package path) and runs one
inline bootstrap script, allowed by its SHA-256 hash; nothing else runs, it cannot be framed, and it fetches only
from usher itself (`/openapi.json`, "Try it out"). Offline, the CDN is unreachable and the page stays blank;
`/openapi.json` is the document itself and works everywhere. Swagger UI's online validator is switched off and
the favicon is inline, so the page talks to no other third party.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse

router = APIRouter()

CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_csp(html: str) -> str:
    """The policy for one rendering of the page: the CDN, and the page's own inline scripts by hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src {CDN} {hashes}; style-src {CDN} 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    page = get_swagger_ui_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=CDN + "swagger-ui-bundle.js",
        swagger_css_url=CDN + "swagger-ui.css",
        swagger_favicon_url="data:,",
        swagger_ui_parameters={"validatorUrl": None},
    )
    page.headers["Content-Security-Policy"] = docs_csp(bytes(page.body).decode())
    return page
