"""Readiness: can the database answer a trivial query right now."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def ping(engine: AsyncEngine, *, deadline: float = 2.0) -> bool:
    """True when `SELECT 1` succeeds within `deadline` seconds; never raises for a database problem."""
    conn = engine.connect()
    try:
        async with asyncio.timeout(deadline):
            await conn.start()
            await conn.execute(text("SELECT 1"))
    except Exception:
        if conn.sync_connection is not None and engine.dialect.name != "sqlite":
            await conn.invalidate()  # a stuck connection is dropped, not waited for
        return False
    finally:
        if conn.sync_connection is not None:
            await conn.close()
    return True
