"""Pure AuthC1 translations: display names and the access token's reported lifetime."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from usher.core.models import Session, TokenPair, User
from usher.dialects.authc1 import translate as t

NOW = datetime(2026, 1, 1, 12, 0, 0, 500_000, tzinfo=UTC)
USER = User(
    app_id="default",
    id="u1",
    number=1,
    username=None,
    email="ada@example.com",
    first_name="Ada",
    last_name="",
    language="",
    profile={},
    permission_level=0,
    is_admin=False,
    disabled=False,
    email_verified=False,
    email_verified_at=None,
    created_at=NOW,
    updated_at=NOW,
    last_signin_at=None,
    password_changed_at=None,
    has_password=True,
)
SESSION = Session("ses_1", "default", "u1", NOW, NOW + timedelta(days=30), NOW, None, None)


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def _pair(ttl: int) -> TokenPair:
    iat = int(NOW.timestamp())
    token = _jwt({"iat": iat, "exp": iat + ttl})
    return TokenPair(token, NOW + timedelta(seconds=ttl), NOW, "r" * 43, None, SESSION, USER)


@pytest.mark.parametrize(("first", "last", "name"), [("Ada", "", "Ada"), ("Ada", "Lovelace", "Ada Lovelace")])
def test_display_name_joins_first_and_last_name(first: str, last: str, name: str) -> None:
    assert t.display_name(replace(USER, first_name=first, last_name=last)) == name


@pytest.mark.parametrize("ttl", [60, 86400])
def test_lifetime_reports_minted_ttl_and_expiry(ttl: int) -> None:
    assert t.lifetime(_pair(ttl)) == (ttl, int(NOW.timestamp()) + ttl)


def test_login_user_email_missing_is_empty_string() -> None:
    pair = replace(_pair(60), user=replace(USER, email=None))
    assert t.login(pair)["user"]["email"] == ""
