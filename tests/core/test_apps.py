"""AppService: creation, secret keys and rotation grace, settings."""

from __future__ import annotations

import pytest

from tests.core.conftest import Core
from usher.core.app_settings import valid_keys
from usher.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated


async def test_create_app_returns_a_usk_key_that_authenticates(core: Core) -> None:
    app, key = await core.apps.create("Shop", "shop")
    assert key.startswith("usk_") and len(key) == 47
    assert (await core.apps.authenticate_key(key)).id == app.id
    assert key not in str(core.uow.store.secrets)


async def test_create_app_with_taken_id_is_conflict(core: Core) -> None:
    with pytest.raises(Conflict):
        await core.apps.create("again", "default")


@pytest.mark.parametrize("bad", ["", "Has Caps", "-lead", "x" * 64])
async def test_create_app_with_bad_id_is_refused(core: Core, bad: str) -> None:
    with pytest.raises(InvalidInput):
        await core.apps.create("x", bad)


async def test_rotate_secret_without_grace_retires_old_key(core: Core) -> None:
    _, old = await core.apps.create("Shop", "shop")
    new = await core.apps.rotate_secret("shop")
    assert (await core.apps.authenticate_key(new)).id == "shop"
    with pytest.raises(Unauthenticated):
        await core.apps.authenticate_key(old)


async def test_rotate_secret_with_grace_keeps_old_key_until_it_ends(core: Core) -> None:
    _, old = await core.apps.create("Shop", "shop")
    await core.apps.rotate_secret("shop", grace_seconds=60)
    assert (await core.apps.authenticate_key(old)).id == "shop"
    core.clock.advance(61)
    core.apps._by_key.clear()  # the 1 s cache would otherwise still remember it
    with pytest.raises(Unauthenticated):
        await core.apps.authenticate_key(old)


async def test_rotate_secret_of_unknown_app_is_not_found(core: Core) -> None:
    with pytest.raises(NotFound):
        await core.apps.rotate_secret("nope")


@pytest.mark.parametrize("key", ["", "Bearer x", "usk_short", "usk_" + "!" * 43])
async def test_authenticate_key_of_wrong_shape_is_refused(core: Core, key: str) -> None:
    with pytest.raises(Unauthenticated):
        await core.apps.authenticate_key(key)


async def test_configure_applies_all_settings_or_none(core: Core) -> None:
    with pytest.raises(InvalidInput):
        await core.apps.configure("default", {"session_ttl": "60", "nonsense": "1"})
    assert (await core.apps.get("default")).settings.session_ttl is None
    app = await core.apps.configure("default", {"session_ttl": "60", "redirect_urls": "https://a, https://b"})
    assert app.settings.session_ttl == 60
    assert app.settings.redirect_urls == ("https://a", "https://b")


def test_valid_keys_include_every_mail_template_part() -> None:
    keys = valid_keys()
    assert "mail_reset_password_subject" in keys and "mail_magic_link_html" in keys
    assert len(keys) == len(set(keys))
