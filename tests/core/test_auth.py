"""AuthService rules: sign-in, sessions, expiry, re-confirmation; on in-memory fakes."""

from __future__ import annotations

import pytest

from tests.core.conftest import Core
from usher.core.accounts import Registration
from usher.core.errors import EmailNotVerified, InvalidCredentials, InvalidSession, NotFound
from usher.core.models import RequestContext

CTX = RequestContext(client_address="198.51.100.1", user_agent="pytest")
GOOD = "correct horse battery"


async def _user(core: Core, **extra: object) -> None:
    await core.accounts.register(await core.app(), Registration(GOOD, email="ada@example.com", username="ada"), CTX)


async def test_sign_in_by_username_or_email_in_any_case_succeeds(core: Core) -> None:
    await _user(core)
    app = await core.app()
    for login in ("ada", "ADA@example.COM", " ada@example.com "):
        result = await core.auth.sign_in(app, login, GOOD, CTX, session_ttl=60)
        assert len(result.issued.token) == 43
        assert result.user.username == "ada"


async def test_sign_in_unknown_user_spends_a_dummy_hash(core: Core) -> None:
    with pytest.raises(InvalidCredentials):
        await core.auth.sign_in(await core.app(), "ghost", GOOD, CTX, session_ttl=60)
    assert core.hasher.dummy_verifications == 1
    assert [e.outcome for e in core.uow.store.audit] == ["unknown_user"]


async def test_sign_in_wrong_password_is_invalid_credentials_and_audited(core: Core) -> None:
    await _user(core)
    with pytest.raises(InvalidCredentials):
        await core.auth.sign_in(await core.app(), "ada", "wrong password", CTX, session_ttl=60)
    assert core.uow.store.audit[-1].type == "signin"
    assert core.uow.store.audit[-1].outcome == "failure"


async def test_sign_in_overlong_password_is_refused_without_hashing(core: Core) -> None:
    await _user(core)
    with pytest.raises(InvalidCredentials):
        await core.auth.sign_in(await core.app(), "ada", "x" * 10_000, CTX, session_ttl=60)
    assert core.hasher.verifications == 0


async def test_sign_in_unverified_when_required_is_refused_after_password_check(core: Core) -> None:
    await _user(core)
    app = await core.apps.configure("default", {"require_verified_email": "true"})
    with pytest.raises(InvalidCredentials):
        await core.auth.sign_in(app, "ada", "wrong password", CTX, session_ttl=60)
    with pytest.raises(EmailNotVerified):
        await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=60)
    assert (await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=60, allow_unverified=True)).user


async def test_session_after_expiry_is_invalid(core: Core) -> None:
    await _user(core)
    signed = await core.auth.sign_in(await core.app(), "ada", GOOD, CTX, session_ttl=60)
    core.clock.advance(59)
    await core.auth.authenticate("default", signed.issued.token)
    core.clock.advance(2)
    with pytest.raises(InvalidSession):
        await core.auth.authenticate("default", signed.issued.token)


async def test_app_session_ttl_setting_wins_over_dialect_default(core: Core) -> None:
    await _user(core)
    app = await core.apps.configure("default", {"session_ttl": "10"})
    signed = await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=3600)
    assert (signed.issued.session.expires_at - signed.issued.session.created_at).total_seconds() == 10


async def test_last_seen_is_written_at_most_once_a_minute(core: Core) -> None:
    await _user(core)
    signed = await core.auth.sign_in(await core.app(), "ada", GOOD, CTX, session_ttl=3600)
    writes = core.uow.writes
    core.clock.advance(30)
    await core.auth.authenticate("default", signed.issued.token)
    assert core.uow.writes == writes
    core.clock.advance(31)
    await core.auth.authenticate("default", signed.issued.token)
    assert core.uow.writes == writes + 1
    found = await core.auth.authenticate("default", signed.issued.token)
    assert found.session.last_seen_at == core.clock.now()


async def test_sign_out_revokes_only_that_session(core: Core) -> None:
    await _user(core)
    app = await core.app()
    one = await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=3600)
    two = await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=3600)
    assert await core.auth.sign_out("other-app", one.issued.token, CTX) is None
    assert await core.auth.sign_out(app.id, one.issued.token, CTX) is not None
    assert await core.auth.sign_out(app.id, one.issued.token, CTX) is None
    with pytest.raises(InvalidSession):
        await core.auth.authenticate("default", one.issued.token)
    await core.auth.authenticate("default", two.issued.token)


async def test_sign_out_everywhere_revokes_all(core: Core) -> None:
    await _user(core)
    app = await core.app()
    tokens = [(await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=3600)).issued.token for _ in range(3)]
    user = await core.accounts.find(app.id, username="ada")
    assert await core.auth.sign_out_everywhere(app.id, user.id, CTX) == 3
    for token in tokens:
        with pytest.raises(InvalidSession):
            await core.auth.authenticate("default", token)


async def test_revoke_session_of_another_user_is_not_found(core: Core) -> None:
    await _user(core)
    app = await core.app()
    signed = await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=3600)
    with pytest.raises(NotFound):
        await core.auth.revoke_session(app.id, "someone-else", signed.issued.session.id, CTX)


async def test_confirm_password_wrong_is_invalid_credentials(core: Core) -> None:
    await _user(core)
    app = await core.app()
    user = await core.accounts.find(app.id, username="ada")
    assert (await core.auth.confirm_password(app, user.id, GOOD, CTX)).id == user.id
    with pytest.raises(InvalidCredentials):
        await core.auth.confirm_password(app, user.id, "nope nope nope", CTX)


async def test_sign_in_with_outdated_hash_upgrades_it(core: Core) -> None:
    await _user(core)
    app = await core.app()
    row = next(iter(core.uow.store.users.values()))
    row.password_hash = f"old${GOOD}"
    await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=60)
    assert row.password_hash == f"fake2${GOOD}"


@pytest.mark.parametrize("token", ["", "short", "x" * 44, "y" * 43])
async def test_authenticate_malformed_or_unknown_token_is_invalid_session(core: Core, token: str) -> None:
    with pytest.raises(InvalidSession):
        await core.auth.authenticate("default", token)


async def test_authenticate_with_token_of_another_app_is_invalid_and_not_touched(core: Core) -> None:
    await _user(core)
    signed = await core.auth.sign_in(await core.app(), "ada", GOOD, CTX, session_ttl=3600)
    writes = core.uow.writes
    core.clock.advance(120)
    with pytest.raises(InvalidSession):
        await core.auth.authenticate("other", signed.issued.token)
    assert core.uow.writes == writes


async def test_sign_in_racing_a_password_change_gets_no_session(core: Core) -> None:
    await _user(core)
    app = await core.app()
    user = await core.accounts.find(app.id, username="ada")
    real_verify = core.hasher.verify

    async def verify_then_change(password_hash: str, password: str) -> bool:
        ok = await real_verify(password_hash, password)
        core.hasher.verify = real_verify  # type: ignore[method-assign]
        await core.accounts.change_password(app, user.id, "a brand new one", CTX, old_password=GOOD)
        return ok

    core.hasher.verify = verify_then_change  # type: ignore[method-assign]
    with pytest.raises(InvalidCredentials):
        await core.auth.sign_in(app, "ada", GOOD, CTX, session_ttl=60)
