"""VerificationService: codes and links for email verification and magic-link sign-in, on fakes."""

from __future__ import annotations

import pytest

from tests.core.conftest import Core
from usher.core.accounts import Registration
from usher.core.codes import MAX_ATTEMPTS
from usher.core.errors import InvalidCode
from usher.core.mailing import Delivery
from usher.core.models import SIX_DIGITS, TOKEN, RequestContext, User

CTX = RequestContext(client_address="198.51.100.1")
GOOD = "correct horse battery"
LINK = Delivery(
    link_template="https://app.example/verify?token={token}",
    redirect_url="https://app.example/ok",
    failure_redirect_url="https://app.example/fail",
)


async def _user(core: Core, email: str = "ada@example.com") -> User:
    return await core.accounts.register(await core.app(), Registration(GOOD, email=email), CTX)


def _last_mail(core: Core) -> dict[str, str]:
    return core.uow.store.outbox[-1].secrets


async def test_send_verification_link_then_verify_token_marks_verified(core: Core) -> None:
    await _user(core)
    app = await core.app()
    await core.verification.send_verification(app, "ADA@example.com", CTX, fmt=TOKEN, ttl=3600, delivery=LINK)
    secrets = _last_mail(core)
    assert secrets["link"] == f"https://app.example/verify?token={secrets['code']}"
    verified = await core.verification.verify_token(app, secrets["code"], CTX)
    assert verified.user.email_verified and verified.redirect_url == "https://app.example/ok"


async def test_verify_token_twice_counts_as_success(core: Core) -> None:
    await _user(core)
    app = await core.app()
    await core.verification.send_verification(app, "ada@example.com", CTX, fmt=TOKEN, ttl=3600, delivery=LINK)
    token = _last_mail(core)["code"]
    await core.verification.verify_token(app, token, CTX)
    assert (await core.verification.verify_token(app, token, CTX)).user.email_verified


async def test_verify_token_expired_carries_stored_failure_redirect(core: Core) -> None:
    await _user(core)
    app = await core.app()
    await core.verification.send_verification(app, "ada@example.com", CTX, fmt=TOKEN, ttl=60, delivery=LINK)
    core.clock.advance(61)
    with pytest.raises(InvalidCode) as caught:
        await core.verification.verify_token(app, _last_mail(core)["code"], CTX)
    assert (caught.value.reason, caught.value.redirect) == ("expired", "https://app.example/fail")


async def test_verify_unknown_token_has_no_redirect(core: Core) -> None:
    with pytest.raises(InvalidCode) as caught:
        await core.verification.verify_token(await core.app(), "x" * 43, CTX)
    assert caught.value.redirect is None


async def test_send_verification_unknown_or_verified_address_queues_nothing(core: Core) -> None:
    app = await core.app()
    await core.verification.send_verification(app, "ghost@example.com", CTX, fmt=TOKEN, ttl=60, delivery=LINK)
    assert core.uow.store.outbox == []


async def test_send_verification_inside_cooldown_queues_nothing(core: Core) -> None:
    await _user(core)
    app = await core.app()
    for _ in range(3):
        await core.verification.send_verification(app, "ada@example.com", CTX, fmt=TOKEN, ttl=600, delivery=LINK)
    assert len(core.uow.store.outbox) == 1
    core.clock.advance(61)
    await core.verification.send_verification(app, "ada@example.com", CTX, fmt=TOKEN, ttl=600, delivery=LINK)
    assert len(core.uow.store.outbox) == 2


async def test_short_code_dies_after_max_wrong_attempts(core: Core) -> None:
    user = await _user(core)
    app = await core.app()
    await core.verification.send_verification(app, "ada@example.com", CTX, fmt=SIX_DIGITS, ttl=600, delivery=Delivery())
    code = _last_mail(core)["code"]
    assert len(code) == 6 and code.isdigit()
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(InvalidCode):
            await core.verification.verify_code(app, user, "000000" if code != "000000" else "111111", CTX)
    with pytest.raises(InvalidCode):
        await core.verification.verify_code(app, user, code, CTX)


async def test_verify_code_right_code_verifies_and_is_single_use(core: Core) -> None:
    user = await _user(core)
    app = await core.app()
    await core.verification.send_verification(app, "ada@example.com", CTX, fmt=SIX_DIGITS, ttl=600, delivery=Delivery())
    code = _last_mail(core)["code"]
    assert (await core.verification.verify_code(app, user, code, CTX)).email_verified
    with pytest.raises(InvalidCode):
        await core.verification.verify_code(app, user, code, CTX)


async def test_verification_token_after_email_change_is_stale(core: Core) -> None:
    from usher.core.models import UserChanges

    user = await _user(core)
    app = await core.app()
    await core.verification.send_verification(app, "ada@example.com", CTX, fmt=TOKEN, ttl=600, delivery=LINK)
    await core.accounts.update(app, user.id, UserChanges(email="new@example.com"), CTX)
    with pytest.raises(InvalidCode):
        await core.verification.verify_token(app, _last_mail(core)["code"], CTX)


async def test_magic_link_opens_a_session_and_verifies_email(core: Core) -> None:
    await _user(core)
    app = await core.app()
    await core.verification.request_magic_link(app, "ada@example.com", CTX, fmt=TOKEN, ttl=60, delivery=LINK)
    signed = await core.verification.redeem_magic_link(app, _last_mail(core)["code"], CTX, session_ttl=600)
    assert signed.user.email_verified
    assert (await core.auth.authenticate("default", signed.issued.token)).user.id == signed.user.id
    with pytest.raises(InvalidCode):
        await core.verification.redeem_magic_link(app, _last_mail(core)["code"], CTX, session_ttl=600)


async def test_magic_link_token_is_not_a_verification_token(core: Core) -> None:
    await _user(core)
    app = await core.app()
    await core.verification.request_magic_link(app, "ada@example.com", CTX, fmt=TOKEN, ttl=60, delivery=LINK)
    with pytest.raises(InvalidCode):
        await core.verification.verify_token(app, _last_mail(core)["code"], CTX)


async def test_magic_code_for_disabled_user_is_refused(core: Core) -> None:
    user = await _user(core)
    app = await core.app()
    await core.verification.request_magic_link(app, "ada@example.com", CTX, fmt=SIX_DIGITS, ttl=60, delivery=Delivery())
    code = _last_mail(core)["code"]
    await core.accounts.set_disabled(app.id, user.id, True, CTX)
    with pytest.raises(InvalidCode):
        await core.verification.redeem_magic_code(app, "ada@example.com", code, CTX, session_ttl=60)
