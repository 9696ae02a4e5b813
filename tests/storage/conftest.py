"""Fixtures for the storage suite: an engine and a unit-of-work factory on `database_url` (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from usher.security.sealing import Sealer
from usher.storage.engine import make_engine
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import SEALER


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5, timeout=5)
    yield engine
    await engine.dispose()


@pytest.fixture
def sealer() -> Sealer:
    return SEALER


@pytest.fixture
def uow(engine: AsyncEngine, sealer: Sealer) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine, sealer)
