"""The dispatcher over an in-memory leasing outbox and a real SMTP server: send, back off, give up, expire."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from email.message import EmailMessage

import pytest

from tests.fakes import FakeClock
from tests.mail.helpers import START, MailUnitOfWorkFactory, Recorder, free_port, queued, smtp_server
from usher.core.apps import AppService
from usher.mail.dispatcher import BACKOFF, MAX_ATTEMPTS, DispatchConfig, Dispatcher
from usher.mail.transports import DeliveryError, SmtpTransport

CONFIG = DispatchConfig(mail_from="Shop <no-reply@shop.example>")


def dispatcher(uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock, url: str) -> Dispatcher:
    return Dispatcher(uow, apps, SmtpTransport.from_url(url), clock, CONFIG)


class Failing:
    """A transport that fails as told and counts calls."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    async def send(self, message: EmailMessage) -> None:
        self.calls += 1
        raise self.error


async def test_run_once_sends_pending_marks_sent_and_blanks_secrets(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_a", code="314159"))
    with smtp_server() as server:
        assert await dispatcher(fake_uow, apps, clock, server.url()).run_once() == 1
        [received] = await server.await_for(1)
    assert received.message["Message-ID"] == "<msg_a@shop.example>"
    assert "314159" in received.text()
    sent = fake_uow.outbox.get("msg_a")
    assert (sent.state, sent.secrets, sent.sent_at) == ("sent", {}, START)


async def test_run_once_with_nothing_due_returns_zero(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    transport = Failing(RuntimeError("unused"))
    assert await Dispatcher(fake_uow, apps, transport, clock, CONFIG).run_once() == 0
    assert transport.calls == 0


async def test_smtp_down_keeps_pending_with_backoff_then_delivers_once(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_down"))
    port = free_port()
    sender = dispatcher(fake_uow, apps, clock, f"smtp://127.0.0.1:{port}")
    assert await sender.run_once() == 1
    waiting = fake_uow.outbox.get("msg_down")
    assert waiting.state == "pending" and waiting.attempts == 1
    assert waiting.next_attempt_at == START + timedelta(seconds=BACKOFF[0])
    assert waiting.secrets["code"] == "123456"
    with smtp_server(port=port) as server:
        clock.advance(BACKOFF[0] - 1)
        assert await sender.run_once() == 0  # not due yet
        clock.advance(1)
        assert await sender.run_once() == 1
        assert await sender.run_once() == 0
        await server.await_for(1)
        await asyncio.sleep(0.1)  # a duplicate would arrive now
        assert server.message_ids() == ["<msg_down@shop.example>"]
    assert fake_uow.outbox.get("msg_down").state == "sent"


async def test_permanent_refusal_fails_without_retry(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_550", code="SECRET99"))
    handler = Recorder(reply="550 5.1.1 No such user")
    with smtp_server(handler) as server:
        sender = dispatcher(fake_uow, apps, clock, server.url())
        assert await sender.run_once() == 1
        clock.advance(24 * 3600)
        assert await sender.run_once() == 0
    failed = fake_uow.outbox.get("msg_550")
    assert (failed.state, failed.attempts, failed.secrets) == ("failed", 1, {})
    assert failed.last_error is not None and "550" in failed.last_error and "SECRET99" not in failed.last_error
    assert handler.data_commands == 1


async def test_backoff_grows_and_gives_up_after_max_attempts(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_retry", ttl=7 * 24 * 3600))
    transport = Failing(DeliveryError("SMTPConnectError: refused", permanent=False))
    sender = Dispatcher(fake_uow, apps, transport, clock, CONFIG)
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await sender.run_once() == 1
        mail = fake_uow.outbox.get("msg_retry")
        assert mail.attempts == attempt
        if mail.state == "failed":
            break
        assert mail.next_attempt_at is not None
        delays.append((mail.next_attempt_at - clock.now()).total_seconds())
        clock.current = mail.next_attempt_at
    assert delays == [10, 30, 120, 600, 3600, 3600, 3600]
    assert fake_uow.outbox.get("msg_retry").state == "failed"
    assert transport.calls == MAX_ATTEMPTS


async def test_retry_that_would_fall_after_expiry_gives_up(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_short", ttl=60))
    transport = Failing(DeliveryError("x", permanent=False))
    sender = Dispatcher(fake_uow, apps, transport, clock, CONFIG)
    clock.advance(55)
    assert await sender.run_once() == 1
    assert fake_uow.outbox.get("msg_short").state == "failed"


async def test_expired_message_is_never_sent_and_loses_secrets(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_old", ttl=60))
    transport = Failing(RuntimeError("must not be called"))
    clock.advance(61)
    assert await Dispatcher(fake_uow, apps, transport, clock, CONFIG).run_once() == 0
    expired = fake_uow.outbox.get("msg_old")
    assert (expired.state, expired.secrets, transport.calls) == ("expired", {}, 0)


async def test_message_of_deleted_app_fails_permanently(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_orphan", app_id="gone"))
    transport = Failing(RuntimeError("must not be called"))
    assert await Dispatcher(fake_uow, apps, transport, clock, CONFIG).run_once() == 1
    assert fake_uow.outbox.get("msg_orphan").state == "failed" and transport.calls == 0


async def test_unexpected_transport_error_is_retried(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_boom"))
    sender = Dispatcher(fake_uow, apps, Failing(RuntimeError("boom")), clock, CONFIG)
    assert await sender.run_once() == 1
    mail = fake_uow.outbox.get("msg_boom")
    assert (mail.state, mail.attempts, mail.last_error) == ("pending", 1, "RuntimeError")


async def test_logs_name_ids_and_outcomes_but_no_code_link_address_or_body(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    link = "https://shop.example/verify/LINKTOKEN42"
    await fake_uow.outbox.enqueue(queued("msg_ok", code="CODE777", link=link, to="secret.person@example.com"))
    await fake_uow.outbox.enqueue(queued("msg_no", code="CODE888", link=link, to="other.person@example.com"))
    caplog.set_level(logging.DEBUG, logger="usher.mail")

    class Picky:
        async def send(self, message: EmailMessage) -> None:
            if message["Message-ID"].startswith("<msg_no"):
                raise DeliveryError("SMTPDataError: 550 rejected", permanent=True, smtp_code=550)

    assert await Dispatcher(fake_uow, apps, Picky(), clock, CONFIG).run_once() == 2
    logged = caplog.text
    assert "msg_ok" in logged and "msg_no" in logged and "verify_email" in logged and "attempt=1" in logged
    for secret in ("CODE777", "CODE888", "LINKTOKEN42", "secret.person", "other.person", "Hello"):
        assert secret not in logged


async def test_run_forever_sends_and_stops_promptly(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    with smtp_server() as server:
        sender = dispatcher(fake_uow, apps, clock, server.url())
        stop = asyncio.Event()
        task = asyncio.create_task(sender.run_forever(stop))
        await fake_uow.outbox.enqueue(queued("msg_bg"))
        await server.await_for(1, within=5)
        started = time.monotonic()
        stop.set()
        assert await asyncio.wait_for(task, 5) == 1
        assert time.monotonic() - started < 1.5


async def test_running_survives_a_failing_database_and_stops_cleanly(apps: AppService, clock: FakeClock) -> None:
    class Broken:
        def __call__(self, *, write: bool = False) -> object:
            raise ConnectionRefusedError("database down")

    sender = Dispatcher(Broken(), apps, Failing(RuntimeError()), clock, CONFIG)  # type: ignore[arg-type]
    async with sender.running():
        await asyncio.sleep(0.05)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "usher-mail-dispatcher"]


async def test_running_cancels_a_send_that_outlasts_the_grace(
    fake_uow: MailUnitOfWorkFactory, apps: AppService, clock: FakeClock
) -> None:
    await fake_uow.outbox.enqueue(queued("msg_slow"))
    with smtp_server(Recorder(delay=10)) as server:
        config = DispatchConfig(mail_from=CONFIG.mail_from, stop_grace=0.3)
        sender = Dispatcher(fake_uow, apps, SmtpTransport.from_url(server.url()), clock, config)
        started = time.monotonic()
        async with sender.running():
            while server.handler.data_commands == 0:
                assert time.monotonic() - started < 5
                await asyncio.sleep(0.02)
        assert time.monotonic() - started < 3
    assert fake_uow.outbox.get("msg_slow").state == "pending"  # retried by whoever claims it after the lease
