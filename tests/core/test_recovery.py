"""RecoveryService: password reset by code or link, on fakes."""

from __future__ import annotations

import pytest

from tests.core.conftest import Core
from usher.core.accounts import Registration
from usher.core.errors import InvalidCode, InvalidCredentials, InvalidSession, WeakPassword
from usher.core.mailing import Delivery
from usher.core.models import EIGHT_ALNUM, TOKEN, RequestContext

CTX = RequestContext()
GOOD, NEW = "correct horse battery", "brand new passphrase"


async def _setup(core: Core) -> str:
    app = await core.app()
    user = await core.accounts.register(app, Registration(GOOD, email="ada@example.com"), CTX)
    return user.id


async def test_reset_with_code_sets_password_and_revokes_sessions(core: Core) -> None:
    await _setup(core)
    app = await core.app()
    session = await core.auth.sign_in(app, "ada@example.com", GOOD, CTX, session_ttl=600)
    code = await core.recovery.request_reset(
        app, "ada@example.com", CTX, fmt=EIGHT_ALNUM, ttl=1800, delivery=Delivery()
    )
    assert code is not None and len(code) == 8
    assert core.uow.store.outbox[-1].secrets["code"] == code
    await core.recovery.reset_with_code(app, "ada@example.com", code, NEW, CTX)
    with pytest.raises(InvalidSession):
        await core.auth.authenticate("default", session.issued.token)
    with pytest.raises(InvalidCredentials):
        await core.auth.sign_in(app, "ada@example.com", GOOD, CTX, session_ttl=600)
    await core.auth.sign_in(app, "ada@example.com", NEW, CTX, session_ttl=600)
    with pytest.raises(InvalidCode):
        await core.recovery.reset_with_code(app, "ada@example.com", code, "yet another one", CTX)


async def test_request_reset_unknown_address_returns_none_and_mails_nothing(core: Core) -> None:
    code = await core.recovery.request_reset(
        await core.app(), "ghost@example.com", CTX, fmt=TOKEN, ttl=60, delivery=Delivery()
    )
    assert code is None and core.uow.store.outbox == []


async def test_reset_with_weak_password_keeps_the_code(core: Core) -> None:
    await _setup(core)
    app = await core.app()
    token = await core.recovery.request_reset(app, "ada@example.com", CTX, fmt=TOKEN, ttl=60, delivery=Delivery())
    assert token is not None
    with pytest.raises(WeakPassword):
        await core.recovery.reset_with_token(app, token, "short", CTX)
    await core.recovery.reset_with_token(app, token, NEW, CTX)


async def test_reset_token_after_password_change_is_invalid(core: Core) -> None:
    user_id = await _setup(core)
    app = await core.app()
    token = await core.recovery.request_reset(app, "ada@example.com", CTX, fmt=TOKEN, ttl=600, delivery=Delivery())
    assert token is not None
    await core.accounts.change_password(app, user_id, NEW, CTX, old_password=GOOD)
    with pytest.raises(InvalidCode):
        await core.recovery.reset_with_token(app, token, "yet another one", CTX)


async def test_reset_token_expired_is_invalid(core: Core) -> None:
    await _setup(core)
    app = await core.app()
    token = await core.recovery.request_reset(app, "ada@example.com", CTX, fmt=TOKEN, ttl=60, delivery=Delivery())
    assert token is not None
    core.clock.advance(60)
    with pytest.raises(InvalidCode, match="invalid"):
        await core.recovery.reset_with_token(app, token, NEW, CTX)


async def test_request_reset_without_sending_returns_code_and_queues_nothing(core: Core) -> None:
    await _setup(core)
    app = await core.app()
    code = await core.recovery.request_reset(
        app, "ada@example.com", CTX, fmt=TOKEN, ttl=60, delivery=Delivery(), send=False
    )
    assert code is not None and core.uow.store.outbox == []
