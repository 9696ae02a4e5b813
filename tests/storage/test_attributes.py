"""AttributeRepository contract: upsert keeps the id, listing in key order, deletion by key or id, per user."""

from __future__ import annotations

import pytest

from usher.core.errors import NotFound
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, add_user


@pytest.fixture
async def people(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "alice", email="alice@example.com")
        await add_user(w, "bob", email="bob@example.com")


async def test_upsert_then_list_in_key_order(uow: SqlUnitOfWorkFactory, people: None) -> None:
    async with uow(write=True) as w:
        await w.attributes.upsert(APP, "alice", "b", "2")
        await w.attributes.upsert(APP, "alice", "a", "1")
        await w.attributes.upsert(APP, "alice", "B", "3")
        await w.attributes.upsert(APP, "bob", "a", "bob's")
    async with uow() as r:
        listed = await r.attributes.list(APP, "alice")
    assert [(key, value) for _, key, value in listed] == [("B", "3"), ("a", "1"), ("b", "2")]
    assert len({attribute_id for attribute_id, _, _ in listed}) == 3


async def test_upsert_existing_key_replaces_value_and_keeps_id(uow: SqlUnitOfWorkFactory, people: None) -> None:
    async with uow(write=True) as w:
        await w.attributes.upsert(APP, "alice", "colour", "red")
    async with uow() as r:
        [(first_id, _, _)] = await r.attributes.list(APP, "alice")
    async with uow(write=True) as w:
        await w.attributes.upsert(APP, "alice", "colour", "blue")
    async with uow() as r:
        assert await r.attributes.list(APP, "alice") == [(first_id, "colour", "blue")]


async def test_upsert_unknown_user_raises_not_found(uow: SqlUnitOfWorkFactory, people: None) -> None:
    with pytest.raises(NotFound):
        async with uow(write=True) as w:
            await w.attributes.upsert(APP, "nobody", "k", "v")


async def test_delete_by_key_or_id_only_own_attributes(uow: SqlUnitOfWorkFactory, people: None) -> None:
    async with uow(write=True) as w:
        await w.attributes.upsert(APP, "alice", "a", "1")
        await w.attributes.upsert(APP, "alice", "b", "2")
        await w.attributes.upsert(APP, "bob", "c", "3")
    async with uow() as r:
        [(bob_id, _, _)] = await r.attributes.list(APP, "bob")
        ids = {key: attribute_id for attribute_id, key, _ in await r.attributes.list(APP, "alice")}
    async with uow(write=True) as w:
        assert await w.attributes.delete(APP, "alice", attribute_id=bob_id) is False
        assert await w.attributes.delete(APP, "alice", key="c") is False
        assert await w.attributes.delete(APP, "alice") is False
        assert await w.attributes.delete(APP, "alice", key="a") is True
        assert await w.attributes.delete(APP, "alice", attribute_id=ids["b"]) is True
        assert await w.attributes.delete(APP, "alice", key="a") is False
    async with uow() as r:
        assert await r.attributes.list(APP, "alice") == []
        assert [key for _, key, _ in await r.attributes.list(APP, "bob")] == ["c"]


async def test_list_unknown_user_is_empty(uow: SqlUnitOfWorkFactory, people: None) -> None:
    async with uow() as r:
        assert await r.attributes.list(APP, "nobody") == []
