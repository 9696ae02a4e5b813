"""UserRepository contract: emails and usernames unique per app after canonicalisation, also across kinds."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from usher.core.errors import Conflict
from usher.core.models import UserChanges
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, T0, add_user, keys, new_app


async def _conflict_field(uow: SqlUnitOfWorkFactory, user_id: str, email: str | None, username: str | None) -> str:
    with pytest.raises(Conflict) as caught:
        async with uow(write=True) as w:
            await add_user(w, user_id, email=email, username=username)
    return caught.value.field


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ünïcode@example.com", "Ünïcode@Example.COM"),
        ("Ünïcode@Example.COM", "  ünïcode@example.com"),
        ("a@example.com", "A@EXAMPLE.COM"),
        ("ﬁle@example.com", "file@example.com"),  # NFKC folds the ligature
        ("Ünïcode@Example.COM", unicodedata.normalize("NFD", "ünïcode@example.com")),
    ],
)
async def test_insert_email_variant_raises_conflict_email(uow: SqlUnitOfWorkFactory, first: str, second: str) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email=first)
    assert await _conflict_field(uow, "u2", second, None) == "email"


@pytest.mark.parametrize(("first", "second"), [("Straße", "STRASSE"), ("ǅemal", "džemal"), ("Kelvin", "\u212aelvin")])
async def test_insert_username_variant_raises_conflict_username(
    uow: SqlUnitOfWorkFactory, first: str, second: str
) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", username=first)
    assert await _conflict_field(uow, "u2", None, second) == "username"


async def test_insert_duplicate_id_raises_conflict_id(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
    assert await _conflict_field(uow, "u1", "b@example.com", None) == "id"


async def test_insert_username_equal_to_other_email_raises_conflict_username(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="taken@example.com")
    assert await _conflict_field(uow, "u2", "mine@example.com", "Taken@Example.com") == "username"


async def test_insert_email_equal_to_other_username_raises_conflict_email(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", username="who@example.com")
    assert await _conflict_field(uow, "u2", "WHO@example.com", "someone") == "email"


async def test_insert_same_identifiers_other_app_succeeds(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.apps.insert(new_app("other"))
        await add_user(w, "u1", email="a@example.com", username="alice")
        user = await add_user(w, "u1", email="a@example.com", username="alice", app_id="other")
    assert user.app_id == "other"


async def test_insert_conflict_keeps_transaction_usable(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
        with pytest.raises(Conflict):
            await add_user(w, "u2", email="A@example.com")
        await add_user(w, "u3", email="c@example.com")
    async with uow() as r:
        assert (await r.users.list(APP, 10, 0)).total == 2


async def test_update_plain_fields_changes_only_given_ones(uow: SqlUnitOfWorkFactory) -> None:
    later = T0 + timedelta(hours=2)
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com", username="alice")
        changes = UserChanges(first_name="Alice", profile={"k": "v"}, permission_level=5, is_admin=True)
        updated = await w.users.update(APP, "u1", changes, None, None, later)
        missing = await w.users.update(APP, "nobody", changes, None, None, later)
    assert updated is not None and missing is None
    assert (updated.first_name, updated.last_name, updated.profile) == ("Alice", "", {"k": "v"})
    assert (updated.permission_level, updated.is_admin, updated.updated_at) == (5, True, later)
    assert (updated.email, updated.username, updated.created_at) == ("a@example.com", "alice", T0)


async def test_update_email_and_username_moves_identifiers(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="old@example.com", username="oldname")
        changes = UserChanges(email="New@Example.com", username="NewName")
        updated = await w.users.update(APP, "u1", changes, keys("New@Example.com"), keys("NewName"), T0)
    assert updated is not None and (updated.email, updated.username) == ("New@Example.com", "NewName")
    async with uow(write=True) as w:
        assert await w.users.find_by_email(APP, "new@example.com") == updated
        assert await w.users.find_by_username(APP, "newname") == updated
        assert await w.users.credentials_by_identifier(APP, "old@example.com") is None
        assert await w.users.credentials_by_identifier(APP, "oldname") is None
        other = await add_user(w, "u2", email="OLD@example.com", username="OldName")
    assert other.id == "u2"


async def test_update_username_only_keeps_email_identifier(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com", username="alice")
        await w.users.update(APP, "u1", UserChanges(username="A@example.com"), None, keys("A@example.com"), T0)
    async with uow() as r:
        by_email = await r.users.find_by_email(APP, "a@example.com")
        by_username = await r.users.find_by_username(APP, "a@example.com")
        assert await r.users.credentials_by_identifier(APP, "alice") is None
    assert by_email is not None and by_email == by_username and by_email.username == "A@example.com"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (UserChanges(email="B@example.com"), "email"),
        (UserChanges(email="bob"), "email"),
        (UserChanges(username="b@example.com"), "username"),
        (UserChanges(username="BOB"), "username"),
    ],
)
async def test_update_to_taken_identifier_raises_conflict(
    uow: SqlUnitOfWorkFactory, changes: UserChanges, field: str
) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com", username="alice")
        await add_user(w, "u2", email="b@example.com", username="bob")
    with pytest.raises(Conflict) as caught:
        async with uow(write=True) as w:
            await w.users.update(APP, "u1", changes, keys(changes.email), keys(changes.username), T0)
    assert caught.value.field == field
    async with uow() as r:
        unchanged = await r.users.get(APP, "u1")
        assert await r.users.find_by_email(APP, "a@example.com") == unchanged
        assert await r.users.find_by_username(APP, "alice") == unchanged


async def test_update_conflict_inside_unit_keeps_transaction_usable(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
        await add_user(w, "u2", email="b@example.com")
        with pytest.raises(Conflict):
            await w.users.update(APP, "u1", UserChanges(email="b@example.com"), "b@example.com", None, T0)
        await w.users.update(APP, "u1", UserChanges(first_name="Still"), None, None, T0)
    async with uow() as r:
        user = await r.users.find_by_email(APP, "a@example.com")
    assert user is not None and user.first_name == "Still"
