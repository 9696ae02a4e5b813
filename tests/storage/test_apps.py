"""AppRepository contract: the default app, insert, settings, secret digests with a grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from usher.core.errors import Conflict
from usher.core.models import AppSecret, AppSettings
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import T0, at, new_app


async def test_default_app_after_migration_exists_without_secret(uow: SqlUnitOfWorkFactory) -> None:
    async with uow() as r:
        app = await r.apps.get("default")
        secret = await r.apps.get_secret("default")
        apps = await r.apps.list()
    assert app is not None and app.name == "default" and app.settings == AppSettings()
    assert not app.has_secret
    assert secret == AppSecret("default", None, None, None)
    assert [a.id for a in apps] == ["default"]


async def test_insert_new_app_round_trips(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        inserted = await w.apps.insert(new_app("acme", when=at(1)))
    async with uow() as r:
        loaded = await r.apps.get("acme")
        apps = await r.apps.list()
        assert await r.apps.get("nope") is None
    assert loaded == inserted
    assert loaded is not None and (loaded.name, loaded.created_at, loaded.has_secret) == ("App acme", at(1), False)
    assert [a.id for a in apps] == ["default", "acme"]


async def test_insert_duplicate_id_raises_conflict_id(uow: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(Conflict) as caught:
        async with uow(write=True) as w:
            await w.apps.insert(new_app("default"))
    assert caught.value.field == "id"


async def test_update_settings_existing_app_round_trips(uow: SqlUnitOfWorkFactory) -> None:
    settings = AppSettings(
        session_ttl=60,
        password_regex=r"^\S+$",
        require_verified_email=True,
        signup_open=False,
        redirect_urls=("https://a.example/cb", "https://b.example/"),
        cors_origins=("https://a.example",),
        mail_templates={"mail_verify_email_subject": "Hello ✉"},
    )
    async with uow(write=True) as w:
        updated = await w.apps.update_settings("default", settings, at(5))
        missing = await w.apps.update_settings("nope", settings, at(5))
    async with uow() as r:
        loaded = await r.apps.get("default")
    assert missing is None
    assert updated == loaded
    assert loaded is not None and loaded.settings == settings and loaded.updated_at == at(5)


async def test_set_secret_then_find_by_digest_returns_app(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.apps.set_secret(AppSecret("default", "d1", None, None), T0)
    async with uow() as r:
        app = await r.apps.find_by_secret_digest("d1", T0)
        assert await r.apps.find_by_secret_digest("other", T0) is None
        secret = await r.apps.get_secret("default")
    assert app is not None and app.id == "default" and app.has_secret
    assert secret == AppSecret("default", "d1", None, None)


async def test_find_by_previous_digest_inside_grace_only(uow: SqlUnitOfWorkFactory) -> None:
    until = T0 + timedelta(seconds=30)
    async with uow(write=True) as w:
        await w.apps.set_secret(AppSecret("default", "new", "old", until), T0)
    async with uow() as r:
        assert (await r.apps.get_secret("default")) == AppSecret("default", "new", "old", until)
        during = await r.apps.find_by_secret_digest("old", until - timedelta(milliseconds=1))
        after = await r.apps.find_by_secret_digest("old", until)
        current = await r.apps.find_by_secret_digest("new", until + timedelta(days=1))
    assert during is not None and during.id == "default"
    assert after is None
    assert current is not None and current.id == "default"


async def test_set_secret_digest_of_other_app_raises_conflict(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.apps.insert(new_app("acme"))
        await w.apps.set_secret(AppSecret("acme", "same", None, None), T0)
        with pytest.raises(Conflict):
            await w.apps.set_secret(AppSecret("default", "same", None, None), T0)
