"""Pure rules about identifiers: canonical forms for uniqueness, and what a valid id, email or username is."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from usher.core.errors import InvalidInput

CALLER_ID = re.compile(r"[A-Za-z0-9._~-]{1,64}")
MAX_EMAIL = 254
MAX_USERNAME = 128
# Deliberately loose: one @, something on both sides, no spaces. Delivery proves the rest.
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")


def canonical(value: str) -> str:
    """The form two identifiers are compared in: NFKC, case-folded, trimmed (SPEC §2)."""
    return unicodedata.normalize("NFKC", value).casefold().strip()


def digest(secret: str) -> str:
    """SHA-256 hex digest of a high-entropy secret (session token, app key): what storage keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _printable(value: str) -> bool:
    return all(unicodedata.category(ch)[0] != "C" for ch in value)


def clean_email(email: str) -> str:
    """The address as typed, minus surrounding blanks; refuses what cannot be an address."""
    email = email.strip()
    if not email:
        raise InvalidInput("email must not be empty", field="email")
    if len(email) > MAX_EMAIL:
        raise InvalidInput(f"email must be at most {MAX_EMAIL} characters", field="email")
    if not EMAIL_SHAPE.fullmatch(email) or not _printable(email):
        raise InvalidInput("email is not a valid address", field="email")
    return email


def clean_username(username: str) -> str:
    """Usernames may hold any printable characters, `@` and spaces included."""
    username = username.strip()
    if not username:
        raise InvalidInput("username must not be empty", field="username")
    if len(username) > MAX_USERNAME:
        raise InvalidInput(f"username must be at most {MAX_USERNAME} characters", field="username")
    if not _printable(username):
        raise InvalidInput("username must contain only printable characters", field="username")
    return username


def check_caller_id(user_id: str) -> str:
    if not CALLER_ID.fullmatch(user_id):
        raise InvalidInput("id must be 1 to 64 characters of A-Z a-z 0-9 . _ ~ -", field="id")
    return user_id
