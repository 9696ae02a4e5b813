"""Readiness: can the database answer a trivial query right now."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def _retrieve(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not warn about it


async def ping(engine: AsyncEngine, *, deadline: float = 2.0) -> bool:
    """True when `SELECT 1` succeeds within `deadline` seconds; never raises for a database problem.

    A check that overruns is left to finish in the background rather than cancelled: cancelling a statement on
    a server that stopped answering makes the driver wait for the cancel, and `/readyz` must answer in time.
    """
    task = asyncio.ensure_future(_select_one(engine))
    done, _ = await asyncio.wait({task}, timeout=deadline)
    if not done:
        task.add_done_callback(_retrieve)
        return False
    return task.exception() is None
