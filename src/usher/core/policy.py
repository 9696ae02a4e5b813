"""Pure rules: the password policy and default lifetimes."""

from __future__ import annotations

import re
from collections.abc import Collection

from usher.core.errors import WeakPassword
from usher.core.identity import canonical
from usher.core.models import AppSettings

MIN_PASSWORD = 8
MAX_PASSWORD = 256
NATIVE_SESSION_TTL = 7 * 24 * 3600
# A regex setting is applied with a time bound in mind: keep the subject short.
_REGEX_SUBJECT_LIMIT = MAX_PASSWORD


class PasswordPolicy:
    """Checks a new password against usher's defaults and the app's stricter rules."""

    def __init__(self, common_passwords: Collection[str]) -> None:
        self._common = frozenset(canonical(p) for p in common_passwords)

    def check(
        self,
        password: str,
        settings: AppSettings,
        *,
        email: str | None = None,
        username: str | None = None,
    ) -> None:
        """Raises WeakPassword naming the first rule the password breaks."""
        minimum = max(MIN_PASSWORD, settings.password_min_length or 0)
        length = len(password)  # code points, never bytes, never truncated
        if length > MAX_PASSWORD:
            raise WeakPassword(f"password must be at most {MAX_PASSWORD} characters")
        if length < minimum:
            raise WeakPassword(f"password must be at least {minimum} characters")
        if not password.strip():
            raise WeakPassword("password must not be only whitespace")
        key = canonical(password)
        if key in self._common:
            raise WeakPassword("password is too common")
        for identifier in (email, username):
            if identifier and key == canonical(identifier):
                raise WeakPassword("password must not be the same as the username or email")
        if settings.password_regex and not re.fullmatch(settings.password_regex, password[:_REGEX_SUBJECT_LIMIT]):
            raise WeakPassword("password does not meet this application's password rules")
