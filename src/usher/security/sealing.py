"""Sealing secrets at rest (queued mail codes and links): AES-256-GCM under a key derived from USHER_SECRET_KEY.

A sealed value is `v1.` + base64url(nonce || ciphertext || tag) without padding; the 96-bit nonce is random per
message. Keys come from the server secret through HKDF-SHA256 with a purpose label (`info`), so other secrets
at rest (private signing keys) can derive their own key from the same server secret.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
import tempfile
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from usher.settings import Settings

MAIL_SECRETS = b"usher mail secrets"
SIGNING_KEYS = b"usher signing keys"  # private JWT signing keys at rest
REFRESH_SUCCESSORS = b"usher refresh successors"  # the HMAC key that derives a refresh token's successor
KEY_FILE = "secret.key"
DEFAULT_DATA_DIR = Path(".usher")
_VERSION = "v1."
_NONCE_BYTES = 12
_KEY_BYTES = 32


class SealError(ValueError):
    """A sealed value that cannot be opened: tampered with, truncated, or sealed under another key."""


class Sealer:
    """Encrypts short strings so the database alone does not reveal them; detects any change to them."""

    def __init__(self, secret: bytes, *, info: bytes = MAIL_SECRETS) -> None:
        if len(secret) < 16:
            raise ValueError("the server secret must be at least 16 bytes")
        self._aead = AESGCM(derive_key(secret, info))

    def seal(self, plaintext: str, *, associated: str = "") -> str:
        """`associated` (e.g. the row id) is authenticated, not stored: opening needs the same value."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), associated.encode())
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")

    def open(self, sealed: str, *, associated: str = "") -> str:
        """The plaintext; SealError for anything not sealed by this key with this associated value."""
        if not sealed.startswith(_VERSION):
            raise SealError("unknown sealed format")
        body = sealed[len(_VERSION) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise SealError("sealed value is not base64url") from None
        if len(raw) < _NONCE_BYTES + 16:
            raise SealError("sealed value is too short")
        try:
            plaintext = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated.encode())
        except InvalidTag:
            raise SealError("sealed value was altered or sealed under another key") from None
        try:
            return plaintext.decode()
        except UnicodeDecodeError:
            raise SealError("sealed value is not text") from None


def derive_key(secret: bytes, info: bytes, length: int = _KEY_BYTES) -> bytes:
    """A key for one purpose (`info`) from the server secret: HKDF-SHA256, no salt."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


def resolve_secret_key(settings: Settings) -> bytes:
    """The server secret: USHER_SECRET_KEY when set; else a per-process key in tests, a key file in dev.

    In dev the key is made once (32 random bytes) as `<data dir>/secret.key` with mode 0600; the data dir is
    the SQLite file's directory, or `./.usher` for other databases (created with mode 0700). In prod a missing
    key is an error (Settings.problems() already refuses to start).
    """
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value().encode()
        if len(value) < 16:
            raise ValueError("USHER_SECRET_KEY must be at least 16 characters")
        return value
    if settings.env == "test":
        return _ephemeral_key()
    if settings.env == "prod":
        raise ValueError("USHER_SECRET_KEY is required in prod")
    return key_file(data_dir(settings.database_url))


def data_dir(database_url: str) -> Path:
    """Where dev-mode files live: beside the SQLite database, else `./.usher`."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return DEFAULT_DATA_DIR
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).parent
    return DEFAULT_DATA_DIR


def key_file(directory: Path) -> bytes:
    """The key in `directory/secret.key`, made first if absent; safe when several processes start at once."""
    path = directory / KEY_FILE
    with contextlib.suppress(FileNotFoundError):
        return _read_key(path)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".secret-", dir=directory)  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(_KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) != _KEY_BYTES:
        raise ValueError(f"{path} does not hold a {_KEY_BYTES}-byte key; remove it or set USHER_SECRET_KEY")
    return key


@cache
def _ephemeral_key() -> bytes:
    return secrets.token_bytes(_KEY_BYTES)
