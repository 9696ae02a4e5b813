"""Suite-wide fixtures: a migrated database per backend, cheap-hash settings, the app over HTTP.

database_url   a migrated, empty database (only the `default` app), parametrized sqlite / postgresql
settings       Settings on that database with cheap argon2 parameters
container      the running system (engine, services), closed after the test
api            httpx.AsyncClient talking to the ASGI app (lifespan run), base http://testserver
app_key        a fresh secret key of the `default` app
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests import databases
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings


@pytest.fixture(params=databases.BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session", autouse=True)
async def _drop_test_databases() -> AsyncIterator[None]:
    yield
    await databases.drop_all()


@pytest.fixture
async def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with databases.database_for(backend, tmp_path_factory) as url:
        yield url


def test_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "env": "test",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "hash_workers": 2,
        "public_url": "http://testserver",
        "db_pool_size": 5,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return test_settings(database_url)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    built = Container(settings)
    try:
        await built.services.keys.ensure_all()
        yield built
    finally:
        await built.close()


@pytest.fixture
async def api(settings: Settings, container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def app_key(container: Container) -> str:
    return await container.services.apps.rotate_secret("default")
