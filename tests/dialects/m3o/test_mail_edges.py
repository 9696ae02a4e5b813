"""M3O mail endpoints under odd input: never a 5xx, always the micro format."""

from __future__ import annotations

import json

import pytest

from tests.dialects.m3o.support import M3O, MAIL_ENDPOINTS, PREFIX
from tests.dialects.m3o.test_edges import ODD_VALUES

FIELDS = ["email", "subject", "text_content", "textContent", "from_name", "redirect_url", "failureRedirectUrl"]
FIELDS += ["expiration", "address", "endpoint", "token", "code", "new_password", "confirm_password"]


@pytest.mark.parametrize("endpoint", MAIL_ENDPOINTS)
async def test_mail_call_with_odd_values_never_fails_with_5xx(m3o: M3O, endpoint: str) -> None:
    await m3o.create()
    headers = {"Authorization": f"Bearer {m3o.key}", "Content-Type": "application/json"}
    base = {"email": "joe@example.com", "address": "www.example.com", "token": "t", "code": "c"}
    for field in FIELDS:
        for value in ODD_VALUES:
            raw = json.dumps({**base, field: value}).encode()
            response = await m3o.api.post(f"{PREFIX}/{endpoint}", content=raw, headers=headers)
            assert response.status_code < 500, (field, value, response.text)
            assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("token", ["%00", "%ED%A0%80", "%FF%FE", "x" * 5000, "%25", "a&token=b"])
async def test_verify_link_with_odd_token_is_an_error_page(m3o: M3O, token: str) -> None:
    response = await m3o.api.get(f"/m3o/user/verify?app=default&token={token}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
