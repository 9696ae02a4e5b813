"""Engine set-up: URL to async driver, SQLite pragmas, parameters hidden from errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from usher.storage.engine import async_url, make_engine
from usher.storage.tables import apps


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///./usher.db", "sqlite+aiosqlite:///./usher.db"),
        ("sqlite:////var/lib/usher.db", "sqlite+aiosqlite:////var/lib/usher.db"),
        ("postgresql://u:p@db:5432/usher", "postgresql+asyncpg://u:p@db:5432/usher"),
        ("postgres://u@db/usher", "postgresql+asyncpg://u@db/usher"),
        ("postgresql+asyncpg://u@db/usher", "postgresql+asyncpg://u@db/usher"),
        ("postgresql://u@db/usher?sslmode=require", "postgresql+asyncpg://u@db/usher?ssl=require"),
    ],
)
def test_async_url_plain_scheme_gets_async_driver(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


def test_make_engine_unknown_scheme_raises_value_error() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://u@db/usher", pool_size=1, timeout=1)


async def test_sqlite_connection_has_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}", pool_size=1, timeout=5)
    try:
        async with engine.connect() as conn:
            pragmas = [
                (await conn.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            ]
    finally:
        await engine.dispose()
    assert pragmas == ["wal", 1, 5000, 1]


async def test_integrity_error_message_hides_bound_parameters(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            values = {"name": "x", "settings": "{}", "created_ms": 0, "updated_ms": 0}
            await conn.execute(apps.insert().values(id="default", secret_digest="s3cr3t-digest", **values))
    assert "s3cr3t-digest" not in str(caught.value)
    assert "hidden" in str(caught.value)
