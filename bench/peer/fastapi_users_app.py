"""The peer: fastapi-users set up as its documentation's SQLAlchemy full example, with two auth backends.

Runs in its own virtual environment (bench/.peer-venv, built by bench/run.py from requirements.txt beside this
file), never in usher's. As documented: SQLAlchemy + aiosqlite, a `User` table from
`SQLAlchemyBaseUserTableUUID`, an `AccessToken` table from `SQLAlchemyBaseAccessTokenTableUUID`, a `UserManager`
with the default `PasswordHelper`, Bearer transport, and two backends: `jwt` (`JWTStrategy`, 1 hour) and
`database` (`DatabaseStrategy` over `SQLAlchemyAccessTokenDatabase`, 1 hour). Routes: POST /auth/register,
POST /auth/jwt/login, POST /auth/database/login, GET /users/me (and the rest of the users router).
The JWT backend comes first: a database token costs one failed JWT parse before its lookup (microseconds),
where the other order would cost every JWT one database miss.

Served like usher and the bare reference: uvicorn with uvloop and httptools, no access log, one
SO_REUSEPORT listener per worker under usher's supervisor (src/usher/cli/workers.py, loaded by path; it needs
only the standard library and uvicorn).

    python bench/peer/fastapi_users_app.py --create-tables     # once, before serving (as a migration would)
    python bench/peer/fastapi_users_app.py --port 8102 --workers 2
    python bench/peer/fastapi_users_app.py --describe          # versions and password hash parameters (JSON)

Environment: PEER_DATABASE_URL (default the documentation's sqlite+aiosqlite:///./test.db), PEER_SECRET.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, BearerTransport, JWTStrategy
from fastapi_users.authentication.strategy.db import AccessTokenDatabase, DatabaseStrategy
from fastapi_users.db import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from fastapi_users.password import PasswordHelper
from fastapi_users_db_sqlalchemy.access_token import SQLAlchemyAccessTokenDatabase, SQLAlchemyBaseAccessTokenTableUUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

DATABASE_URL = os.environ.get("PEER_DATABASE_URL", "sqlite+aiosqlite:///./test.db")
SECRET = os.environ.get("PEER_SECRET", "SECRET")
PACKAGES = ("fastapi-users", "fastapi-users-db-sqlalchemy", "pwdlib", "argon2-cffi", "bcrypt", "fastapi", "sqlalchemy")
SUPERVISOR = Path(__file__).resolve().parents[2] / "src" / "usher" / "cli" / "workers.py"

# ---------------------------------------------------------------- db.py


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):
    pass


engine = create_async_engine(DATABASE_URL)
async_session_maker = async_sessionmaker(engine, expire_on_commit=False)


async def create_db_and_tables() -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


async def create_tables_once() -> None:
    await create_db_and_tables()
    await engine.dispose()


async def get_async_session() -> AsyncGenerator[AsyncSession, None]:
    async with async_session_maker() as session:
        yield session


async def get_user_db(
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> AsyncGenerator[SQLAlchemyUserDatabase[User, uuid.UUID], None]:
    yield SQLAlchemyUserDatabase(session, User)


async def get_access_token_db(
    session: Annotated[AsyncSession, Depends(get_async_session)],
) -> AsyncGenerator[SQLAlchemyAccessTokenDatabase[AccessToken], None]:
    yield SQLAlchemyAccessTokenDatabase(session, AccessToken)


# ---------------------------------------------------------------- schemas.py


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserCreate(schemas.BaseUserCreate):
    pass


class UserUpdate(schemas.BaseUserUpdate):
    pass


# ---------------------------------------------------------------- users.py


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def get_user_manager(
    user_db: Annotated[SQLAlchemyUserDatabase[User, uuid.UUID], Depends(get_user_db)],
) -> AsyncGenerator[UserManager, None]:
    yield UserManager(user_db)  # the default PasswordHelper


def get_jwt_strategy() -> JWTStrategy[User, uuid.UUID]:
    return JWTStrategy(secret=SECRET, lifetime_seconds=3600)


def get_database_strategy(
    access_token_db: Annotated[AccessTokenDatabase[AccessToken], Depends(get_access_token_db)],
) -> DatabaseStrategy[User, uuid.UUID, AccessToken]:
    return DatabaseStrategy(access_token_db, lifetime_seconds=3600)


jwt_backend = AuthenticationBackend(
    name="jwt", transport=BearerTransport(tokenUrl="auth/jwt/login"), get_strategy=get_jwt_strategy
)
database_backend = AuthenticationBackend(
    name="database", transport=BearerTransport(tokenUrl="auth/database/login"), get_strategy=get_database_strategy
)
fastapi_users = FastAPIUsers[User, uuid.UUID](get_user_manager, [jwt_backend, database_backend])
current_active_user = fastapi_users.current_user(active=True)

# ---------------------------------------------------------------- app.py


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await create_db_and_tables()  # as documented; the tables exist already (--create-tables), so a no-op
    yield


app = FastAPI(lifespan=lifespan)
app.include_router(fastapi_users.get_auth_router(jwt_backend), prefix="/auth/jwt", tags=["auth"])
app.include_router(fastapi_users.get_auth_router(database_backend), prefix="/auth/database", tags=["auth"])
app.include_router(fastapi_users.get_register_router(UserRead, UserCreate), prefix="/auth", tags=["auth"])
app.include_router(fastapi_users.get_users_router(UserRead, UserUpdate), prefix="/users", tags=["users"])


# ---------------------------------------------------------------- serving


def describe() -> dict[str, Any]:
    """Versions and the parameters of the default password hash, read from a real hash."""
    helper = PasswordHelper()
    sample = helper.hash("describe-the-hash")
    found = re.match(r"^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$", sample)
    hashers = [type(h).__name__ for h in helper.password_hash.hashers]
    bcrypt_rounds = [getattr(h, "rounds", None) for h in helper.password_hash.hashers if "Bcrypt" in type(h).__name__]
    versions = {name: importlib.metadata.version(name) for name in PACKAGES}
    hash_info: dict[str, Any] = {"hashers": hashers, "bcrypt_rounds": bcrypt_rounds[0] if bcrypt_rounds else None}
    if found:
        hash_info.update(
            algorithm=found.group(1),
            time_cost=int(found.group(4)),
            memory_kib=int(found.group(3)),
            parallelism=int(found.group(5)),
        )
    return {"versions": versions, "hash": hash_info}


def config(host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="auto",
        http="auto",
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        date_header=True,
        proxy_headers=False,
        timeout_graceful_shutdown=2,  # after the measurement: logins still queued behind the hashes are dropped
    )


def supervise(host: str, port: int, workers: int) -> int:
    spec = importlib.util.spec_from_file_location("usher_bench_workers", SUPERVISOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"usher's supervisor not found at {SUPERVISOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.supervise(lambda: config(host, port), host, port, workers))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--create-tables", action="store_true")
    parser.add_argument("--describe", action="store_true")
    args = parser.parse_args()
    if args.describe:
        print(json.dumps(describe()))
    elif args.create_tables:
        asyncio.run(create_tables_once())
    elif args.workers == 1:
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config(args.host, args.port)).run()
    else:
        raise SystemExit(1 if supervise(args.host, args.port, args.workers) else 0)


if __name__ == "__main__":
    main()
