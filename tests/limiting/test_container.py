"""The container counts in Redis when USHER_REDIS_URL is set, else in the main database, and closes the counter."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.conftest import test_settings as settings_for
from usher.container import Container
from usher.limiting.database import DatabaseCounter
from usher.limiting.redis import RedisCounter


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'wiring.db'}"  # never connected to: building a container opens nothing


async def test_container_without_redis_url_counts_in_the_database(sqlite_file: str) -> None:
    container = Container(settings_for(sqlite_file))
    try:
        assert isinstance(container.rate_counter, DatabaseCounter)
    finally:
        await container.close()


async def test_container_with_redis_url_counts_in_redis_and_closes_it(sqlite_file: str) -> None:
    url = SecretStr("redis://:hunter2@127.0.0.1:1/0")
    container = Container(settings_for(sqlite_file, redis_url=url))
    assert isinstance(container.rate_counter, RedisCounter)
    await container.close()
    assert "hunter2" not in repr(container.rate_counter)
