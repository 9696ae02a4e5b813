"""Sealing mail secrets (usher.security.sealing): round trip, tamper and key checks, the server secret's sources."""

from __future__ import annotations

import base64
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from usher.security.sealing import KEY_FILE, Sealer, SealError, data_dir, key_file, resolve_secret_key
from usher.settings import Settings

SECRET = b"0123456789abcdef0123456789abcdef"


def _settings(**values: object) -> Settings:
    return Settings(**values)  # type: ignore[arg-type]


def _flip(sealed: str, position: int) -> str:
    body = sealed[3:]
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position] ^= 0x01
    return "v1." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_seal_then_open_round_trips_text() -> None:
    sealer = Sealer(SECRET)
    for text in ("", "123456", '{"code": "äß 🐍"}', "x" * 10_000):
        sealed = sealer.seal(text)
        assert sealed.startswith("v1.") and "=" not in sealed
        assert sealer.open(sealed) == text


def test_seal_same_text_twice_gives_different_values() -> None:
    sealer = Sealer(SECRET)
    first, second = sealer.seal("123456"), sealer.seal("123456")
    assert first != second
    assert "123456" not in first


@pytest.mark.parametrize("position", [0, 11, 12, -1])
def test_open_with_flipped_byte_raises(position: int) -> None:
    sealer = Sealer(SECRET)
    with pytest.raises(SealError):
        sealer.open(_flip(sealer.seal("123456"), position))


@pytest.mark.parametrize("broken", ["", "v2.AAAA", "v1.", "v1.AAAA", "v1.!!!!", "123456"])
def test_open_malformed_value_raises(broken: str) -> None:
    with pytest.raises(SealError):
        Sealer(SECRET).open(broken)


def test_open_under_wrong_key_raises() -> None:
    sealed = Sealer(SECRET).seal("123456")
    with pytest.raises(SealError):
        Sealer(SECRET[::-1]).open(sealed)


def test_open_with_other_purpose_key_raises() -> None:
    sealed = Sealer(SECRET).seal("123456")
    with pytest.raises(SealError):
        Sealer(SECRET, info=b"usher private keys").open(sealed)


def test_open_with_other_associated_value_raises() -> None:
    sealer = Sealer(SECRET)
    sealed = sealer.seal("123456", associated="msg_1")
    assert sealer.open(sealed, associated="msg_1") == "123456"
    with pytest.raises(SealError):
        sealer.open(sealed, associated="msg_2")


def test_sealer_short_secret_raises() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Sealer(b"short")


def test_resolve_secret_key_configured_returns_it() -> None:
    key = "a configured server secret of some length"
    assert resolve_secret_key(_settings(env="prod", secret_key=SecretStr(key))) == key.encode()


def test_resolve_secret_key_configured_too_short_raises() -> None:
    with pytest.raises(ValueError, match="USHER_SECRET_KEY"):
        resolve_secret_key(_settings(secret_key=SecretStr("short")))


def test_resolve_secret_key_prod_without_key_raises() -> None:
    with pytest.raises(ValueError, match="USHER_SECRET_KEY"):
        resolve_secret_key(_settings(env="prod", database_url="sqlite:///./never.db"))


def test_resolve_secret_key_test_env_same_ephemeral_key_and_no_file(tmp_path: Path) -> None:
    settings = _settings(env="test", database_url=f"sqlite:///{tmp_path}/usher.db")
    first = resolve_secret_key(settings)
    assert len(first) == 32
    assert resolve_secret_key(settings) == first
    assert list(tmp_path.iterdir()) == []


def test_resolve_secret_key_dev_makes_private_key_file_once(tmp_path: Path) -> None:
    directory = tmp_path / "data" / "nested"
    settings = _settings(env="dev", database_url=f"sqlite:///{directory}/usher.db")
    first = resolve_secret_key(settings)
    path = directory / KEY_FILE
    assert path.read_bytes() == first and len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert resolve_secret_key(settings) == first
    assert sorted(p.name for p in directory.iterdir()) == [KEY_FILE]  # no temporary file left behind


def test_resolve_secret_key_dev_reuses_existing_file(tmp_path: Path) -> None:
    existing = os.urandom(32)
    (tmp_path / KEY_FILE).write_bytes(existing)
    assert resolve_secret_key(_settings(database_url=f"sqlite:///{tmp_path}/usher.db")) == existing


def test_key_file_with_wrong_length_raises(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_bytes(b"truncated")
    with pytest.raises(ValueError, match="32-byte key"):
        key_file(tmp_path)


def test_key_file_concurrent_creators_agree(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: key_file(tmp_path / "shared"), range(32)))
    assert len(keys) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///./usher.db", Path(".")),
        ("sqlite:////var/lib/usher/usher.db", Path("/var/lib/usher")),
        ("sqlite+aiosqlite:///data/u.db", Path("data")),
        ("sqlite://", Path(".usher")),
        ("sqlite:///:memory:", Path(".usher")),
        ("postgresql://u:p@db/usher", Path(".usher")),
        ("not a url", Path(".usher")),
    ],
)
def test_data_dir_beside_sqlite_file_else_dot_usher(url: str, expected: Path) -> None:
    assert data_dir(url) == expected
