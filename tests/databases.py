"""Test databases for the whole suite: migrated once per worker, emptied back to the pristine state per test.

Each pytest process (each xdist worker, `PYTEST_XDIST_WORKER`, or "main") gets its own SQLite file in a
temporary directory and its own PostgreSQL database `usher_test_<worker>_<pid>` on 127.0.0.1:5432 (the pid
keeps two concurrent runs apart). Both are migrated the first time they are asked for; `prepare()` then
deletes every row and restores what the migrations and `usher db upgrade`'s bootstrap inserted (the `default`
app and its signing key), which is much faster than migrating again. When PostgreSQL is unreachable its tests
are skipped with the reason, or fail if CI=true.
Override the server with USHER_TEST_POSTGRES_URL (an admin URL, e.g. postgresql://postgres@127.0.0.1:5432/test).

How to use it (tests/conftest.py):

    @pytest.fixture(params=["sqlite", "postgresql"])  # or params=databases.BACKENDS (adds the marker)
    async def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
        async with database_for(request.param, tmp_path_factory) as url:
            yield url  # migrated, holding only the `default` app


    @pytest.fixture(scope="session", autouse=True)
    async def _drop_test_databases() -> AsyncIterator[None]:
        yield
        await drop_all()  # this process's PostgreSQL databases (also attempted at interpreter exit)

Open engines on the URL with usher.storage.engine.make_engine and `await engine.dispose()` them before the
test ends (the next test deletes rows under them). `scratch_url()` gives an empty, unmigrated database for
migration tests; `prepare()` is `database_for` without the context manager.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import MetaData, Table, delete, insert, select, text

from usher.cli.db import bootstrap
from usher.settings import Settings
from usher.storage import migrate
from usher.storage.engine import BEGIN_OPTION, make_engine

BACKENDS = (
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
)
_CANDIDATES = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)
_PROBE_TIMEOUT = 3.0


@dataclass
class _Pristine:
    """Tables in dependency order, and the rows the migrations left in them."""

    tables: list[Table]
    rows: dict[str, list[dict[str, Any]]]


_state: dict[str, Any] = {"probed": False, "admin": None, "reason": None, "tmp": None, "scratch": 0, "atexit": False}
_pristine: dict[str, _Pristine] = {}  # by URL
_created: set[str] = set()  # PostgreSQL databases to drop at the end


def worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def postgres_available() -> str | None:
    """None when the test server answers; otherwise why not (checked once per process)."""
    if not _state["probed"]:
        with ThreadPoolExecutor(1) as pool:  # callers may be inside a running event loop
            _state["admin"], _state["reason"] = pool.submit(asyncio.run, _probe()).result()
        _state["probed"] = True
    reason: str | None = _state["reason"]
    return reason


def require_postgres() -> None:
    """Skips the calling test without PostgreSQL; fails it instead when CI=true."""
    reason = postgres_available()
    if reason is None:
        return
    if on_ci():
        pytest.fail(f"PostgreSQL is required on CI: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def postgres_url(database: str) -> str:
    """The URL of `database` on the test server (as usher takes it: postgresql://...)."""
    require_postgres()
    base: str = _state["admin"]
    return base.rsplit("/", 1)[0] + "/" + database


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@asynccontextmanager
async def database_for(backend: str, tmp_path_factory: pytest.TempPathFactory | None = None) -> AsyncIterator[str]:
    """This worker's database of `backend`, migrated and holding only pristine rows, for one test."""
    yield await prepare(backend, tmp_path_factory)


async def prepare(backend: str, tmp_path_factory: pytest.TempPathFactory | None = None) -> str:
    """This worker's database of `backend` ("sqlite" or "postgresql"): migrated, holding only pristine rows.

    SQLite files go to a directory from `tmp_path_factory` (pytest cleans it up) or else a temporary one.
    """
    if backend == "postgresql":
        url = postgres_url(f"usher_test_{worker()}_{os.getpid()}")
        if url not in _pristine:
            await _create_postgres(url)
    elif backend == "sqlite":
        url = sqlite_url(_tmp_dir(tmp_path_factory) / "usher_test.db")
    else:
        raise ValueError(f"unknown backend {backend!r}")
    if url not in _pristine:
        await migrate.upgrade(url)
        await _bootstrap(url)
        _pristine[url] = await _snapshot(url)
        return url
    await reset(url)
    return url


async def _bootstrap(url: str) -> None:
    """What `usher db upgrade` does after migrating: signing keys (the `default` app's), sealed under the
    per-process test secret that every Settings(env="test") of this process shares."""
    await bootstrap(Settings(database_url=url, env="test", hash_workers=1))


async def reset(url: str) -> None:
    """Deletes every row (the Alembic version aside) and restores what the migrations inserted."""
    pristine = _pristine[url]
    engine = make_engine(url, pool_size=1, timeout=10, pre_ping=False)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            async with conn.begin():
                if conn.dialect.name == "postgresql":
                    names = ", ".join(f'"{table.name}"' for table in pristine.tables)
                    await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in reversed(pristine.tables):
                        await conn.execute(delete(table))
                    await conn.execute(text("DELETE FROM sqlite_sequence"))
                for table in pristine.tables:
                    if pristine.rows[table.name]:
                        await conn.execute(insert(table), pristine.rows[table.name])
    finally:
        await engine.dispose()


async def scratch_url(backend: str, name: str, tmp_path_factory: pytest.TempPathFactory | None = None) -> str:
    """An empty database (no tables) for migration tests; recreated on every call."""
    if backend == "postgresql":
        url = postgres_url(f"usher_scratch_{worker()}_{os.getpid()}_{name}")
        await _create_postgres(url)
        return url
    _state["scratch"] += 1
    return sqlite_url(_tmp_dir(tmp_path_factory) / f"scratch_{name}_{_state['scratch']}.db")


async def drop_all() -> None:
    """Drops this process's PostgreSQL databases; the next prepare() creates them again."""
    for url in sorted(_created):
        await _admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        _pristine.pop(url, None)
    _created.clear()


async def _probe() -> tuple[str | None, str | None]:
    candidates = [os.environ["USHER_TEST_POSTGRES_URL"]] if os.environ.get("USHER_TEST_POSTGRES_URL") else []
    reasons = []
    for candidate in candidates or list(_CANDIDATES):
        try:
            conn = await asyncpg.connect(candidate, timeout=_PROBE_TIMEOUT)
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            reasons.append(f"{candidate}: {type(error).__name__}: {error}")
            continue
        await conn.close()
        return candidate, None
    return None, "; ".join(reasons)


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(_state["admin"], timeout=_PROBE_TIMEOUT)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _create_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{name}"')
    if not _state["atexit"]:
        atexit.register(_drop_at_exit)
        _state["atexit"] = True
    _created.add(url)
    _pristine.pop(url, None)


async def _snapshot(url: str) -> _Pristine:
    engine = make_engine(url, pool_size=1, timeout=10, pre_ping=False)
    try:
        async with engine.connect() as conn:
            metadata = MetaData()
            await conn.run_sync(lambda sync: metadata.reflect(sync))
            tables = [table for table in metadata.sorted_tables if table.name != "alembic_version"]
            rows = {
                table.name: [dict(row) for row in (await conn.execute(select(table))).mappings()] for table in tables
            }
    finally:
        await engine.dispose()
    return _Pristine(tables, rows)


def _drop_at_exit() -> None:
    """Last resort when no session fixture called drop_all(): never lets a failure end the run badly."""
    if _created:
        with contextlib.suppress(Exception):
            asyncio.run(drop_all())


def _remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _tmp_dir(tmp_path_factory: pytest.TempPathFactory | None = None) -> Path:
    if _state["tmp"] is None:
        if tmp_path_factory is not None:
            _state["tmp"] = str(tmp_path_factory.mktemp("usher-db"))
        else:
            directory = tempfile.mkdtemp(prefix=f"usher-{worker()}-")
            atexit.register(_remove_tree, directory)
            _state["tmp"] = directory
    return Path(_state["tmp"])
