"""A tiny notes service protected by usher: every route needs an usher access token, checked locally."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from usher_client import TokenVerifier
from usher_client.fastapi import CurrentUser, install, require_user


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    id: int
    text: str
    owner: str


@dataclass
class Notes:
    """In memory, per user; a real service would use a database."""

    by_owner: dict[str, list[NoteOut]] = field(default_factory=dict)

    def add(self, owner: str, text: str) -> NoteOut:
        mine = self.by_owner.setdefault(owner, [])
        note = NoteOut(id=len(mine) + 1, text=text, owner=owner)
        mine.append(note)
        return note


def create_app(issuer_url: str, app_id: str, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    app = FastAPI(title="notes")
    verifier = TokenVerifier(issuer_url, app_id, async_transport=transport)
    install(app, verifier)
    notes = Notes()

    @app.post("/notes", status_code=201)
    async def add_note(body: NoteIn, user: CurrentUser) -> NoteOut:
        return notes.add(user.sub, body.text)

    @app.get("/notes")
    async def my_notes(user: CurrentUser) -> list[NoteOut]:
        return notes.by_owner.get(user.sub, [])

    @app.get("/stats", dependencies=[Depends(require_user(min_permission=10))])
    async def stats() -> dict[str, int]:
        return {"owners": len(notes.by_owner), "notes": sum(map(len, notes.by_owner.values()))}

    return app


def from_environment() -> FastAPI:
    """For `uvicorn --factory examples.notes.app:from_environment`."""
    return create_app(os.environ.get("USHER_URL", "http://127.0.0.1:8000"), os.environ.get("USHER_APP", "default"))
