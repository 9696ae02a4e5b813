"""Parsing `key=value` app settings (SPEC §6.8), shared by the CLI and the admin API."""

from __future__ import annotations

import dataclasses
import re
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

from usher.core.errors import InvalidInput
from usher.core.models import AppSettings

MAIL_PURPOSES = ("verify_email", "reset_password", "magic_link", "email_change")
MAIL_PARTS = ("subject", "text", "html")
_DURATIONS = ("session_ttl", "access_token_ttl", "refresh_token_ttl")
_MAX_DURATION = 10 * 365 * 24 * 3600
_MAX_TEMPLATE = 32 * 1024


def valid_keys() -> list[str]:
    plain = [*_DURATIONS, "password_min_length", "password_regex", "require_verified_email", "signup_open"]
    plain += ["mail_sender_name", "redirect_urls", "cors_origins"]
    templates = [f"mail_{purpose}_{part}" for purpose in MAIL_PURPOSES for part in MAIL_PARTS]
    return plain + templates


def _int(key: str, value: str, low: int, high: int) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{key} must be a whole number", field=key) from None
    if not low <= number <= high:
        raise InvalidInput(f"{key} must be between {low} and {high}", field=key)
    return number


def _bool(key: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise InvalidInput(f"{key} must be true or false", field=key)


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def _origins(key: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Exact origins only (scheme://host[:port]): no wildcard, no `null`, no path."""
    for origin in values:
        if not _ORIGIN.fullmatch(origin.rstrip("/")):
            raise InvalidInput(f"{key} entries must be origins like https://app.example.com", field=key)
    return tuple(origin.rstrip("/") for origin in values)


def _regex(key: str, value: str) -> str | None:
    if value == "":
        return None
    if len(value) > 512:
        raise InvalidInput(f"{key} must be at most 512 characters", field=key)
    try:
        parsed = _parser.parse(value)
    except re.error as exc:
        raise InvalidInput(f"{key} is not a valid regular expression: {exc}", field=key) from None
    if _backtracks(list(parsed), inside_repeat=False):
        raise InvalidInput(f"{key} nests repetitions (like (a+)+ or (a|b)*): it could take exponential time", field=key)
    return value


def _backtracks(items: list[Any], *, inside_repeat: bool) -> bool:
    """True when an unbounded repetition contains another repetition or an alternation: the shapes that
    make a backtracking engine take exponential time (one regex must never freeze every tenant)."""
    for op, arg in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _low, high, body = arg
            unbounded = high == _constants.MAXREPEAT or high > 32
            if inside_repeat and unbounded:
                return True
            if _backtracks(list(body), inside_repeat=inside_repeat or unbounded):
                return True
        elif name == "BRANCH":
            if inside_repeat:
                return True
            if any(_backtracks(list(branch), inside_repeat=False) for branch in arg[1]):
                return True
        elif name == "SUBPATTERN":
            if _backtracks(list(arg[-1]), inside_repeat=inside_repeat):
                return True
        elif name in ("ASSERT", "ASSERT_NOT") and _backtracks(list(arg[1]), inside_repeat=inside_repeat):
            return True
    return False


def _header_safe(key: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise InvalidInput(f"{key} must not contain line breaks", field=key)
    return value


def apply_setting(settings: AppSettings, key: str, value: str) -> AppSettings:
    """A copy of `settings` with one key changed; an unknown key or bad value raises InvalidInput."""
    changes: dict[str, Any]
    if key in _DURATIONS:
        changes = {key: _int(key, value, 1, _MAX_DURATION)}
    elif key == "password_min_length":
        changes = {key: _int(key, value, 8, 256)}
    elif key == "password_regex":
        changes = {key: _regex(key, value)}
    elif key in ("require_verified_email", "signup_open"):
        changes = {key: _bool(key, value)}
    elif key == "mail_sender_name":
        changes = {key: _header_safe(key, value) or None}
    elif key == "cors_origins":
        changes = {key: _origins(key, _list(value))}
    elif key == "redirect_urls":
        changes = {key: _list(value)}
    elif key in valid_keys():  # a mail template part
        if len(value) > _MAX_TEMPLATE:
            raise InvalidInput(f"{key} must be at most {_MAX_TEMPLATE} characters", field=key)
        if key.endswith("_subject"):
            _header_safe(key, value)
        templates = {k: v for k, v in settings.mail_templates.items() if k != key}
        if value:
            templates[key] = value
        changes = {"mail_templates": templates}
    else:
        raise InvalidInput(f"unknown setting {key!r}; valid settings: {', '.join(valid_keys())}", field=key)
    return dataclasses.replace(settings, **changes)


def settings_to_dict(settings: AppSettings) -> dict[str, Any]:
    """Plain JSON-able form, for storage and for display."""
    data = dataclasses.asdict(settings)
    data["redirect_urls"] = list(settings.redirect_urls)
    data["cors_origins"] = list(settings.cors_origins)
    return data


def settings_from_dict(data: dict[str, Any]) -> AppSettings:
    """Inverse of settings_to_dict; unknown keys (from a newer version) are ignored."""
    names = {f.name for f in dataclasses.fields(AppSettings)}
    known = {k: v for k, v in data.items() if k in names}
    for key in ("redirect_urls", "cors_origins"):
        if key in known:
            known[key] = tuple(known[key])
    return AppSettings(**known)
