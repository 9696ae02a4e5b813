"""Pure functions between JWT User Service wire bodies and core dataclasses.

Names: `firstname` and `lastname` are always strings, `""` when not given. The seed's register example shows
`null` and its login example `""` for the same unset name; one rule keeps the type stable (the token table
says String), and it is what a profile update that leaves a name out stores anyway.

`confirmed` mirrors the core's `email_verified`: an account is confirmed only by the activation code (or
another proof of the address). Apps that do not require a verified email let unconfirmed users sign in, and
their users stay `confirmed: false` until they prove the address; usher never marks an unproven address verified.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from usher.core.accounts import Registration
from usher.core.errors import InvalidInput
from usher.core.models import TokenSpec, User, UserChanges
from usher.dialects.userservice.schemas import ProfileRequest, RegisterRequest

ACCESS_TTL = 3600  # seconds, the original's figure; an app's own setting wins
REFRESH_TTL = 30 * 24 * 3600
DEFAULT_LANGUAGE = "en"
DECOY_ID = 0  # real surrogate ids start at 1
ACTIVATE_PATH = "/userservice/v1/users/activate"
_LANGUAGE = re.compile(r"[A-Za-z0-9_-]{1,35}", re.ASCII)

Attributes = list[tuple[int, str, str]]


def language(header: str | None) -> str:
    """The `Language` header (a language tag such as `en` or `pt-BR`), "en" when absent or blank."""
    value = (header or "").strip()
    if not value:
        return DEFAULT_LANGUAGE
    if not _LANGUAGE.fullmatch(value):
        raise InvalidInput("Language header must be a language tag such as en or pt-BR", field="Language")
    return value


def attribute_map(attributes: Attributes) -> dict[str, str]:
    return {key: value for _, key, value in attributes}


def user(found: User, attributes: Attributes | None = None) -> dict[str, Any]:
    """The seed's user object; `attributes` only where the seed shows them (pass a list to include them)."""
    body: dict[str, Any] = {"confirmed": found.email_verified}
    if attributes is not None:
        body["attributes"] = attribute_map(attributes)
    body.update(
        firstname=found.first_name,
        lastname=found.last_name,
        email=found.email or "",
        id=found.number,
        language=found.language or DEFAULT_LANGUAGE,
        permissionLevel=found.permission_level,
    )
    return body


def answer(found: User, attributes: Attributes | None = None) -> dict[str, Any]:
    return {"status": "success", "user": user(found, attributes)}


def decoy(email: str, lang: str) -> dict[str, Any]:
    """newPassword's answer, the same for every address (SPEC §6.14): built from the request alone, so it tells
    nobody whether the address has an account, nor that account's names. Its `id` (0) is not a real id."""
    return {
        "status": "success",
        "user": {
            "confirmed": False,
            "firstname": "",
            "lastname": "",
            "email": email,
            "id": DECOY_ID,
            "language": lang,
            "permissionLevel": 0,
        },
    }


def claims(found: User) -> dict[str, Any]:
    """The seed's payload keys; the token engine adds the standard claims (iss, aud, sub, sid, jti, iat, exp).
    `id` is the integer surrogate, as in the seed's example token (its table says String)."""
    return {
        "id": found.number,
        "email": found.email or "",
        "firstname": found.first_name,
        "lastname": found.last_name,
        "language": found.language or DEFAULT_LANGUAGE,
        "permissionLevel": found.permission_level,
    }


def token_spec() -> TokenSpec:
    """Access 3600 s, refresh 30 days, never rotated (its accessToken answer carries no new refresh token);
    the payload is the seed's keys, built from the user as the token is minted."""
    return TokenSpec(access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL, rotate=False, user_claims=claims)


def registration(body: RegisterRequest, lang: str) -> Registration:
    return Registration(
        password=body.password,
        email=body.email,
        first_name=body.firstname or "",
        last_name=body.lastname or "",
        language=lang,
    )


def profile_changes(body: ProfileRequest) -> UserChanges:
    """Both names are always set: a name not passed becomes "" (the original's nil)."""
    return UserChanges(first_name=body.firstname or "", last_name=body.lastname or "")


def activation_link(public_url: str) -> str:
    return f"{public_url}{ACTIVATE_PATH}?code={{token}}"


def reset_link(public_url: str, app_id: str) -> str:
    """Where the reset is completed: the native API's `POST /v1/apps/{app}/password/reset {token, new_password}`."""
    return f"{public_url}/v1/apps/{quote(app_id, safe='')}/password/reset?token={{token}}"
