"""SigningKeyRepository contract: sealed private parts, the current key, retiring, publishing until drop time."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from usher.core.errors import Unavailable
from usher.core.models import SigningKey
from usher.security.sealing import Sealer
from usher.storage.tables import signing_keys
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import T0, at, new_app

APP = "keyed"
PEM = "-----BEGIN PRIVATE KEY-----\nnot really a key\n-----END PRIVATE KEY-----\n"


def new_key(kid: str, *, app_id: str = APP, created: datetime = T0, alg: str = "RS256") -> SigningKey:
    return SigningKey(
        kid=kid,
        app_id=app_id,
        alg=alg,
        private_pem=f"{PEM}{kid}",
        public_jwk={"kty": "RSA", "n": f"n-{kid}", "e": "AQAB"},
        created_at=created,
    )


@pytest.fixture
async def apps(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.apps.insert(new_app(APP))
        await w.apps.insert(new_app("other"))


async def test_insert_then_current_returns_key_with_private_part(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    key = new_key("k1")
    async with uow(write=True) as w:
        await w.keys.insert(key)
    async with uow() as r:
        assert await r.keys.current(APP) == key
        assert await r.keys.current("other") is None


async def test_private_part_is_sealed_at_rest(
    uow: SqlUnitOfWorkFactory, engine: object, apps: None, sealer: Sealer
) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
        row = (await w.connection.execute(select(signing_keys).where(signing_keys.c.kid == "k1"))).mappings().one()
    assert "PRIVATE KEY" not in row["private_pem"]
    assert sealer.open(row["private_pem"], associated="k1") == PEM + "k1"


async def test_current_under_another_server_secret_is_unavailable(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
    other = SqlUnitOfWorkFactory(uow.engine, uow.sealer, key_sealer=Sealer(b"another server secret, 32 bytes!"))
    with pytest.raises(Unavailable):
        async with other() as r:
            await r.keys.current(APP)


async def test_by_kid_and_published_carry_no_private_part(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
    async with uow() as r:
        found = await r.keys.by_kid("k1")
        published = [key for key in await r.keys.published(at(1)) if key.app_id == APP]
        listed = await r.keys.for_app(APP)
        assert await r.keys.by_kid("nope") is None
    assert found is not None and found.private_pem == ""
    assert found.public_jwk == {"kty": "RSA", "n": "n-k1", "e": "AQAB"}
    assert (found.app_id, found.alg, found.created_at) == (APP, "RS256", T0)
    assert [key.private_pem for key in published + listed] == ["", ""]


async def test_current_is_newest_unretired_key(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
        await w.keys.insert(new_key("k2", created=at(10)))
        await w.keys.insert(new_key("k3", created=at(5)))
    async with uow() as r:
        current = await r.keys.current(APP)
    assert current is not None and current.kid == "k2"


async def test_retire_others_keeps_one_signing_key(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
        await w.keys.insert(new_key("k2", created=at(10)))
        await w.keys.insert(new_key("o1", app_id="other"))
        retired = await w.keys.retire_others(APP, "k1", at(20), at(100))
    assert retired == 1
    async with uow() as r:
        current = await r.keys.current(APP)
        k2 = await r.keys.by_kid("k2")
        other = await r.keys.current("other")
    assert current is not None and current.kid == "k1" and current.retired_at is None
    assert k2 is not None and (k2.retired_at, k2.drop_at) == (at(20), at(100))
    assert other is not None and other.kid == "o1"


async def test_retire_others_leaves_earlier_drop_times_alone(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
        await w.keys.insert(new_key("k2", created=at(10)))
        await w.keys.retire_others(APP, "k2", at(20), at(100))
        await w.keys.insert(new_key("k3", created=at(30)))
        assert await w.keys.retire_others(APP, "k3", at(40), at(200)) == 1
    async with uow() as r:
        k1 = await r.keys.by_kid("k1")
    assert k1 is not None and k1.drop_at == at(100)


async def test_published_until_drop_time_newest_first(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
        await w.keys.insert(new_key("k2", created=at(10)))
        await w.keys.insert(new_key("o1", app_id="other", created=at(5)))
        await w.keys.retire_others(APP, "k2", at(20), at(100))

    async def published(seconds: float) -> list[str]:
        async with uow() as r:
            return [key.kid for key in await r.keys.published(at(seconds)) if key.app_id in (APP, "other")]

    assert await published(99.999) == ["k2", "o1", "k1"]
    assert await published(100) == ["k2", "o1"]


async def test_for_app_lists_dropped_keys_too(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
        await w.keys.insert(new_key("k2", created=at(10)))
        await w.keys.retire_others(APP, "k2", at(20), at(100))
    async with uow() as r:
        assert [key.kid for key in await r.keys.for_app(APP)] == ["k2", "k1"]
        assert await r.keys.for_app("other") == []


async def test_deleting_app_deletes_its_keys(uow: SqlUnitOfWorkFactory, apps: None) -> None:
    from usher.storage.tables import apps as apps_table

    async with uow(write=True) as w:
        await w.keys.insert(new_key("k1"))
        await w.connection.execute(apps_table.delete().where(apps_table.c.id == APP))
    async with uow() as r:
        assert await r.keys.by_kid("k1") is None
