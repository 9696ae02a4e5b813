"""Secrets at rest: refresh tokens only as digests, private signing keys only sealed; nothing in the logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from tests.tokens.conftest import System
from tests.tokens.support import refresh, sign_up, tokens
from usher.core.identity import digest
from usher.storage.tables import refresh_tokens, signing_keys


async def test_refresh_tokens_and_private_keys_never_stored_or_logged_in_clear(
    system: System, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await sign_up(system.api)
    first = await tokens(system.api)
    second = (await refresh(system.api, first["refresh_token"])).json()
    async with system.container.uow() as uow:
        conn = uow.connection
        stored = [dict(row) for row in (await conn.execute(select(refresh_tokens))).mappings()]
        keys = [dict(row) for row in (await conn.execute(select(signing_keys))).mappings()]
    dumped = repr(stored)
    for token in (first["refresh_token"], second["refresh_token"]):
        assert token not in dumped
        assert digest(token) in {row["digest"] for row in stored}
    assert keys and all(row["private_pem"].startswith("v1.") and "PRIVATE" not in row["private_pem"] for row in keys)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    for secret in (first["refresh_token"], second["refresh_token"], first["access_token"], second["access_token"]):
        assert secret not in logged
