"""Readiness: can the database answer a trivial query right now."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def ping(engine: AsyncEngine, *, deadline: float = 2.0) -> bool:
    """True when `SELECT 1` succeeds within `deadline` seconds; never raises for a database problem."""
    try:
        async with asyncio.timeout(deadline), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
