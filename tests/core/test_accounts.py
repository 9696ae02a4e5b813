"""AccountService rules, on in-memory fakes."""

from __future__ import annotations

import pytest

from tests.core.conftest import Core
from usher.core.accounts import Registration
from usher.core.errors import Conflict, Forbidden, InvalidCredentials, InvalidInput, NotFound, WeakPassword
from usher.core.models import RequestContext, UserChanges

CTX = RequestContext(client_address="198.51.100.1", user_agent="pytest")
GOOD = "correct horse battery"


async def test_register_with_email_and_username_stores_display_forms(core: Core) -> None:
    app = await core.app()
    user = await core.accounts.register(app, Registration(GOOD, email=" Ada@Example.com ", username="Ada L"), CTX)
    assert (user.email, user.username) == ("Ada@Example.com", "Ada L")
    assert user.has_password and not user.is_admin and not user.disabled
    assert len(user.id) == 17


async def test_register_without_identifier_is_refused(core: Core) -> None:
    with pytest.raises(InvalidInput, match="email or a username"):
        await core.accounts.register(await core.app(), Registration(GOOD), CTX)


@pytest.mark.parametrize("password", ["short", "         ", "password123", "a" * 257, "ada@example.com"])
async def test_register_weak_password_is_refused_before_hashing(core: Core, password: str) -> None:
    with pytest.raises(WeakPassword):
        await core.accounts.register(await core.app(), Registration(password, email="ada@example.com"), CTX)
    assert core.uow.store.users == {}


async def test_register_duplicate_email_in_other_case_is_conflict(core: Core) -> None:
    app = await core.app()
    await core.accounts.register(app, Registration(GOOD, email="ada@example.com"), CTX)
    with pytest.raises(Conflict) as caught:
        await core.accounts.register(app, Registration(GOOD, email="ADA@EXAMPLE.COM"), CTX)
    assert caught.value.field == "email"


async def test_register_caller_id_with_bad_characters_is_refused(core: Core) -> None:
    with pytest.raises(InvalidInput, match="id must be"):
        await core.accounts.register(await core.app(), Registration(GOOD, email="a@b.c", user_id="no spaces"), CTX)


async def test_register_when_signup_closed_is_forbidden_but_admin_may(core: Core) -> None:
    app = await core.apps.configure("default", {"signup_open": "false"})
    with pytest.raises(Forbidden):
        await core.accounts.register(app, Registration(GOOD, email="a@b.c"), CTX)
    user = await core.accounts.register(app, Registration(GOOD, email="a@b.c"), CTX, self_service=False)
    assert user.email == "a@b.c"


async def test_find_by_username_does_not_match_email(core: Core) -> None:
    app = await core.app()
    await core.accounts.register(app, Registration(GOOD, email="ada@example.com", username="ada"), CTX)
    assert (await core.accounts.find(app.id, email="ADA@example.com")).username == "ada"
    assert (await core.accounts.find(app.id, username="ADA")).email == "ada@example.com"
    with pytest.raises(NotFound):
        await core.accounts.find(app.id, username="ada@example.com")


async def test_list_over_thousand_names_the_limit(core: Core) -> None:
    with pytest.raises(InvalidInput, match="limit over 1000 is invalid, you specified 1001"):
        await core.accounts.list("default", 1001, 0)


async def test_list_pages_in_creation_order(core: Core) -> None:
    app = await core.app()
    for n in range(5):
        await core.accounts.register(app, Registration(GOOD, email=f"u{n}@example.com"), CTX)
    page = await core.accounts.list(app.id, 2, 2)
    assert [u.email for u in page.users] == ["u2@example.com", "u3@example.com"]
    assert page.total == 5


async def test_change_password_with_wrong_old_password_is_refused(core: Core) -> None:
    app = await core.app()
    user = await core.accounts.register(app, Registration(GOOD, email="a@b.c"), CTX)
    with pytest.raises(InvalidCredentials):
        await core.accounts.change_password(app, user.id, "another good one", CTX, old_password="wrong")
    assert [e.outcome for e in core.uow.store.audit if e.type == "password.change"] == ["failure"]


async def test_change_password_revokes_other_sessions_but_keeps_current(core: Core) -> None:
    app = await core.app()
    user = await core.accounts.register(app, Registration(GOOD, email="a@b.c"), CTX)
    first = await core.auth.sign_in(app, "a@b.c", GOOD, CTX, session_ttl=3600)
    second = await core.auth.sign_in(app, "a@b.c", GOOD, CTX, session_ttl=3600)
    await core.accounts.change_password(
        app, user.id, "another good one", CTX, old_password=GOOD, keep_session=first.issued.session.id
    )
    assert (await core.auth.authenticate("default", first.issued.token)).user.id == user.id
    with pytest.raises(Exception, match="session"):
        await core.auth.authenticate("default", second.issued.token)
    await core.auth.sign_in(app, "a@b.c", "another good one", CTX, session_ttl=3600)


async def test_update_replaces_profile_and_keeps_other_fields(core: Core) -> None:
    app = await core.app()
    user = await core.accounts.register(app, Registration(GOOD, email="a@b.c", profile={"a": "1", "b": "2"}), CTX)
    updated = await core.accounts.update(app, user.id, UserChanges(profile={"c": "3"}, first_name="Ada"), CTX)
    assert updated.profile == {"c": "3"}
    assert (updated.first_name, updated.email) == ("Ada", "a@b.c")


async def test_disable_revokes_sessions_and_blocks_sign_in(core: Core) -> None:
    app = await core.app()
    user = await core.accounts.register(app, Registration(GOOD, email="a@b.c"), CTX)
    signed = await core.auth.sign_in(app, "a@b.c", GOOD, CTX, session_ttl=3600)
    await core.accounts.set_disabled(app.id, user.id, True, CTX)
    with pytest.raises(Exception, match="session"):
        await core.auth.authenticate("default", signed.issued.token)
    with pytest.raises(InvalidCredentials):
        await core.auth.sign_in(app, "a@b.c", GOOD, CTX, session_ttl=3600)
    await core.accounts.set_disabled(app.id, user.id, False, CTX)
    await core.auth.sign_in(app, "a@b.c", GOOD, CTX, session_ttl=3600)


async def test_delete_unknown_user_is_not_found(core: Core) -> None:
    with pytest.raises(NotFound):
        await core.accounts.delete("default", "nobody", CTX)


async def test_changing_email_clears_its_verification(core: Core) -> None:
    app = await core.app()
    reg = Registration(GOOD, email="a@b.c", email_verified=True)
    user = await core.accounts.register(app, reg, CTX, self_service=False)
    assert user.email_verified
    same = await core.accounts.update(app, user.id, UserChanges(email="A@B.C"), CTX)
    assert same.email_verified
    moved = await core.accounts.update(app, user.id, UserChanges(email="new@b.c"), CTX)
    assert not moved.email_verified and moved.email_verified_at is None


async def test_sign_up_opens_a_session_in_the_same_unit(core: Core) -> None:
    app = await core.app()
    result = await core.accounts.sign_up(app, Registration(GOOD, email="a@b.c"), CTX, session_ttl=60)
    assert result.issued is not None
    assert (await core.auth.authenticate(app.id, result.issued.token)).user.id == result.user.id


async def test_first_user_admin_only_for_the_first(core: Core) -> None:
    app = await core.app()
    first = await core.accounts.register(app, Registration(GOOD, email="a@b.c", first_user_admin=True), CTX)
    second = await core.accounts.register(app, Registration(GOOD, email="d@e.f", first_user_admin=True), CTX)
    assert first.is_admin and not second.is_admin


async def test_admin_cannot_disable_itself(core: Core) -> None:
    app = await core.app()
    user = await core.accounts.register(app, Registration(GOOD, email="a@b.c", is_admin=True), CTX, self_service=False)
    with pytest.raises(Forbidden):
        await core.accounts.set_disabled(app.id, user.id, True, CTX, actor_id=user.id)
    assert not (await core.accounts.get(app.id, user.id)).disabled
