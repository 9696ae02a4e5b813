"""UserRepository contract: insert, lookups by id, number, email, username and identifier; list; delete."""

from __future__ import annotations

from datetime import timedelta

import pytest

from usher.core.errors import NotFound
from usher.core.models import NewUser
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, T0, add_user, keys, new_app, new_session


async def test_insert_full_user_round_trips_every_field(uow: SqlUnitOfWorkFactory) -> None:
    new = NewUser(
        app_id=APP,
        id="u1",
        username="Ada L",
        email="Ada@Example.com",
        password_hash="$argon2id$x",
        first_name="Ada",
        last_name="Lovelace",
        language="en",
        profile={"city": "London", "emoji": "🐍"},
        permission_level=3,
        is_admin=True,
        email_verified=True,
    )
    async with uow(write=True) as w:
        inserted = await w.users.insert(new, keys(new.email), keys(new.username), T0)
    async with uow() as r:
        loaded = await r.users.get(APP, "u1")
    assert loaded == inserted
    assert loaded is not None
    assert (loaded.username, loaded.email, loaded.first_name, loaded.last_name) == (
        "Ada L",
        "Ada@Example.com",
        "Ada",
        "Lovelace",
    )
    assert (loaded.language, loaded.profile, loaded.permission_level) == ("en", {"city": "London", "emoji": "🐍"}, 3)
    assert loaded.is_admin and loaded.email_verified and loaded.has_password and not loaded.disabled
    assert loaded.created_at == loaded.updated_at == loaded.email_verified_at == T0
    assert loaded.last_signin_at is None
    assert loaded.number > 0


async def test_insert_minimal_user_uses_defaults(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        user = await w.users.insert(NewUser(APP, "u1", "only-name", None, None), None, "only-name", T0)
    assert (user.email, user.first_name, user.language, user.profile) == (None, "", "", {})
    assert not user.has_password and not user.email_verified and user.email_verified_at is None
    assert user.password_changed_at is None


async def test_insert_unknown_app_raises_not_found(uow: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(NotFound):
        async with uow(write=True) as w:
            await add_user(w, "u1", email="a@example.com", app_id="nope")


async def test_get_other_app_or_unknown_id_returns_none(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.apps.insert(new_app("other"))
        await add_user(w, "u1", email="a@example.com")
    async with uow() as r:
        assert await r.users.get("other", "u1") is None
        assert await r.users.get(APP, "u2") is None


async def test_get_by_number_matching_app_returns_user(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.apps.insert(new_app("other"))
        user = await add_user(w, "u1", email="a@example.com")
    async with uow() as r:
        assert await r.users.get_by_number(APP, user.number) == user
        assert await r.users.get_by_number("other", user.number) is None
        assert await r.users.get_by_number(APP, 2**70) is None


async def test_find_by_email_variant_key_returns_user(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        user = await add_user(w, "u1", email="Ünïcode@Example.COM", username="uni")
    async with uow() as r:
        assert await r.users.find_by_email(APP, keys("  ünïcode@example.com ") or "") == user
        assert await r.users.find_by_email(APP, "uni") is None  # a username is not an email
        assert await r.users.find_by_username(APP, "uni") == user
        assert await r.users.find_by_username(APP, keys("Ünïcode@Example.COM") or "") is None


async def test_find_by_username_equal_to_own_email_returns_user(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        user = await add_user(w, "u1", email="same@example.com", username="Same@Example.com")
    async with uow() as r:
        assert await r.users.find_by_username(APP, "same@example.com") == user
        assert await r.users.find_by_email(APP, "same@example.com") == user


async def test_credentials_by_identifier_email_or_username_returns_hash(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        user = await add_user(w, "u1", email="a@example.com", username="Straße")
    async with uow() as r:
        by_email = await r.users.credentials_by_identifier(APP, "a@example.com")
        by_username = await r.users.credentials_by_identifier(APP, keys("STRASSE") or "")
        by_id = await r.users.credentials(APP, "u1")
        assert await r.users.credentials_by_identifier(APP, "u1") is None
        assert await r.users.credentials(APP, "nobody") is None
    assert by_email is not None and by_username is not None and by_id is not None
    assert by_email.user == by_username.user == by_id.user == user
    assert by_email.password_hash == by_username.password_hash == by_id.password_hash == "hash"


async def test_set_password_hash_existing_user_changes_hash_and_time(uow: SqlUnitOfWorkFactory) -> None:
    later = T0 + timedelta(hours=1)
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
        await w.users.set_password_hash(APP, "u1", "new", later)
    async with uow() as r:
        credentials = await r.users.credentials(APP, "u1")
    assert credentials is not None and credentials.password_hash == "new"
    assert credentials.user.password_changed_at == credentials.user.updated_at == later


async def test_upgrade_password_hash_stale_old_hash_keeps_current(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
        await w.users.upgrade_password_hash(APP, "u1", "not-the-hash", "ignored")
        await w.users.upgrade_password_hash(APP, "u1", "hash", "stronger")
    async with uow() as r:
        credentials = await r.users.credentials(APP, "u1")
    assert credentials is not None and credentials.password_hash == "stronger"
    assert credentials.user.password_changed_at == T0


async def test_set_disabled_existing_user_returns_changed_user(uow: SqlUnitOfWorkFactory) -> None:
    later = T0 + timedelta(minutes=5)
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
        disabled = await w.users.set_disabled(APP, "u1", True, later)
        missing = await w.users.set_disabled(APP, "nobody", True, later)
    assert disabled is not None and disabled.disabled and disabled.updated_at == later
    assert missing is None
    async with uow(write=True) as w:
        enabled = await w.users.set_disabled(APP, "u1", False, later)
    assert enabled is not None and not enabled.disabled


async def test_record_signin_existing_user_sets_last_signin(uow: SqlUnitOfWorkFactory) -> None:
    later = T0 + timedelta(days=1)
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
        await w.users.record_signin(APP, "u1", later)
    async with uow() as r:
        user = await r.users.get(APP, "u1")
    assert user is not None and user.last_signin_at == later and user.updated_at == T0


async def test_delete_user_cascades_sessions_and_frees_identifiers(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com", username="alice")
        await w.sessions.insert(new_session("s1", "u1"))
    async with uow(write=True) as w:
        assert await w.users.delete(APP, "u1")
        assert not await w.users.delete(APP, "u1")
    async with uow() as r:
        assert await r.sessions.find_active("digest-s1", T0) is None
        assert await r.users.credentials_by_identifier(APP, "alice") is None
    async with uow(write=True) as w:
        again = await add_user(w, "u2", email="A@example.com", username="Alice")
    assert again.id == "u2"


async def test_list_pages_in_creation_order_with_total(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.apps.insert(new_app("other"))
        await add_user(w, "other-user", email="o@example.com", app_id="other")
        for index in range(7):
            await add_user(w, f"u{index}", email=f"u{index}@example.com", when=T0 + timedelta(seconds=7 - index))
    async with uow() as r:
        first = await r.users.list(APP, 3, 0)
        last = await r.users.list(APP, 3, 6)
        beyond = await r.users.list(APP, 3, 10)
    assert [u.id for u in first.users] == ["u6", "u5", "u4"]
    assert [u.id for u in last.users] == ["u0"]
    assert beyond.users == []
    assert (first.total, first.limit, first.offset) == (7, 3, 0)
    assert (last.total, beyond.total) == (7, 7)


async def test_set_email_verified_current_address_marks_verified(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="Ada@Example.com")
        user = await w.users.set_email_verified(APP, "u1", "ada@example.com", T0 + timedelta(seconds=5))
    assert user is not None and user.email_verified
    assert user.email_verified_at == user.updated_at == T0 + timedelta(seconds=5)
    async with uow() as r:
        assert await r.users.get(APP, "u1") == user


async def test_set_email_verified_again_keeps_first_time(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="ada@example.com")
        first = await w.users.set_email_verified(APP, "u1", "ada@example.com", T0 + timedelta(seconds=5))
        again = await w.users.set_email_verified(APP, "u1", "ada@example.com", T0 + timedelta(seconds=9))
    assert again is not None and again == first


async def test_set_email_verified_changed_or_unknown_returns_none(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="new@example.com")
        await add_user(w, "u2", username="no-email")
        assert await w.users.set_email_verified(APP, "u1", "old@example.com", T0) is None
        assert await w.users.set_email_verified(APP, "u2", "old@example.com", T0) is None
        assert await w.users.set_email_verified(APP, "nobody", "new@example.com", T0) is None
        assert await w.users.set_email_verified("other", "u1", "new@example.com", T0) is None
    async with uow() as r:
        user = await r.users.get(APP, "u1")
    assert user is not None and not user.email_verified and user.email_verified_at is None


async def test_credentials_with_lock_reads_user(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
        locked = await w.users.credentials(APP, "u1", lock=True)
        assert await w.users.credentials(APP, "nobody", lock=True) is None
    assert locked is not None and locked.user.id == "u1" and locked.password_hash == "hash"
