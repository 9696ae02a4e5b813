"""Mail end to end on the real storage (SQLite and PostgreSQL) and a real SMTP server: queue in a service's unit of
work, dispatch, receive; SMTP down and back; two dispatchers at once; a slow server; permanent refusal; the app's
lifespan running the dispatcher."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from tests.conftest import test_settings as make_settings
from tests.fakes import FakeClock
from tests.mail.helpers import Recorder, SmtpServer, free_port, smtp_server
from usher.app import create_app
from usher.container import Container
from usher.core.accounts import Registration
from usher.core.mailing import Delivery, Mailbox
from usher.core.models import SIX_DIGITS, TOKEN, MailOverrides, OutgoingMail, Purpose, RequestContext
from usher.core.ports import Clock
from usher.mail.dispatcher import BACKOFF, DispatchConfig, Dispatcher
from usher.mail.transports import SmtpTransport

CTX = RequestContext(client_address="203.0.113.9", user_agent="tests")
MAIL_FROM = "Shop <no-reply@shop.example>"
PASSWORD = "correct horse battery"


@asynccontextmanager
async def system(database_url: str, smtp_url: str | None, clock: Clock | None = None) -> AsyncIterator[Container]:
    settings = make_settings(database_url, smtp_url=smtp_url, mail_from=MAIL_FROM)
    container = Container(settings, clock=clock)
    try:
        yield container
    finally:
        await container.close()


async def outbox(container: Container) -> list[OutgoingMail]:
    async with container.uow() as uow:
        return await uow.outbox.list(limit=1000)


async def queue_many(container: Container, count: int, *, spaced: bool = False) -> None:
    """`count` messages queued in one unit of work, as services do (`spaced`: one unit each, 2 ms apart)."""
    mailbox = Mailbox(container.clock, container.secrets)
    app = await container.services.apps.get("default")
    for batch in [range(count)] if not spaced else [range(n, n + 1) for n in range(count)]:
        async with container.uow(write=True) as uow:
            for n in batch:
                await mailbox.queue(
                    uow,
                    app,
                    f"user{n}@example.com",
                    Purpose.VERIFY_EMAIL,
                    code=f"{n:06d}",
                    ttl=600,
                    delivery=Delivery(),
                )
        if spaced:
            await asyncio.sleep(0.002)


async def send_verification(container: Container, email: str) -> None:
    app = await container.services.apps.get("default")
    await container.services.verification.send_verification(
        app, email, CTX, fmt=SIX_DIGITS, ttl=600, delivery=Delivery()
    )


async def test_dispatch_delivers_verification_and_blanks_secrets(database_url: str) -> None:
    with smtp_server() as server:
        async with system(database_url, server.url()) as container:
            app = await container.services.apps.get("default")
            user = await container.services.accounts.register(app, Registration(PASSWORD, email="Ada@Example.com"), CTX)
            await send_verification(container, "ada@example.com")
            [queued] = await outbox(container)
            assert queued.state == "pending" and re.fullmatch(r"\d{6}", queued.secrets["code"])

            assert container.dispatcher is not None
            assert await container.dispatcher.run_once() == 1
            [received] = await server.await_for(1)
            message = received.message
            assert message["Message-ID"] == f"<{queued.id}@shop.example>"
            assert message["To"] == "Ada@Example.com" and received.recipients == ["Ada@Example.com"]
            assert message["Subject"] == "Verify your email address for default"
            code = re.search(r"code to verify your email address: (\d{6})", received.text())
            assert code is not None and code.group(1) == queued.secrets["code"]

            [sent] = await outbox(container)
            assert (sent.state, sent.secrets, sent.attempts) == ("sent", {}, 0)
            verified = await container.services.verification.verify_code(app, user, code.group(1), CTX)
            assert verified.email_verified


async def test_dispatch_magic_link_with_caller_text_sends_link_only_text(database_url: str) -> None:
    with smtp_server() as server:
        async with system(database_url, server.url()) as container:
            app = await container.services.apps.get("default")
            await container.services.accounts.register(app, Registration(PASSWORD, email="bo@example.com"), CTX)
            await container.services.apps.configure("default", {"mail_sender_name": "Shop Team"})
            delivery = Delivery(
                link_template="https://shop.example/login/{token}",
                overrides=MailOverrides(subject="Your link", text="Sign in: $micro_verification_link"),
            )
            await container.services.verification.request_magic_link(
                app, "bo@example.com", CTX, fmt=TOKEN, ttl=60, delivery=delivery
            )
            assert container.dispatcher is not None
            assert await container.dispatcher.run_once() == 1
            [received] = await server.await_for(1)
    message = received.message
    assert message["Subject"] == "Your link" and str(message["From"]) == "Shop Team <no-reply@shop.example>"
    assert message.get_content_type() == "text/plain"
    assert re.fullmatch(r"Sign in: https://shop\.example/login/[A-Za-z0-9_-]{43}", received.text().strip())


async def test_smtp_down_keeps_mail_pending_with_backoff_then_delivers_exactly_once(database_url: str) -> None:
    clock = FakeClock(datetime.now(UTC))
    port = free_port()
    async with system(database_url, f"smtp://127.0.0.1:{port}", clock) as container:
        await queue_many(container, 3)
        dispatcher = container.dispatcher
        assert dispatcher is not None
        assert await dispatcher.run_once() == 3
        for mail in await outbox(container):
            assert (mail.state, mail.attempts) == ("pending", 1)
            assert mail.last_error is not None and mail.secrets["code"]
        assert await dispatcher.run_once() == 0  # backing off
        server = SmtpServer("127.0.0.1", port, Recorder())
        server.start()
        try:
            clock.advance(BACKOFF[0])
            assert await dispatcher.run_once() == 3
            assert await dispatcher.run_once() == 0
            await server.await_for(3)
            await asyncio.sleep(0.1)
            ids = server.message_ids()
        finally:
            server.stop()
        mails = await outbox(container)
    assert sorted(ids) == sorted(f"<{mail.id}@shop.example>" for mail in mails)
    assert {(mail.state, mail.attempts, len(mail.secrets)) for mail in mails} == {("sent", 1, 0)}


async def test_two_dispatchers_deliver_each_of_30_messages_exactly_once(database_url: str) -> None:
    with smtp_server() as server:
        async with system(database_url, server.url()) as one, system(database_url, server.url()) as two:
            await queue_many(one, 30)
            config = DispatchConfig(mail_from=MAIL_FROM, batch_size=3, poll_seconds=0.05)
            dispatchers = [
                Dispatcher(c.uow, c.services.apps, SmtpTransport.from_url(server.url()), c.clock, config)
                for c in (one, two)
            ]
            stop = asyncio.Event()
            tasks = [asyncio.create_task(d.run_forever(stop)) for d in dispatchers]
            try:
                await server.await_for(30, within=30)
                deadline = time.monotonic() + 10
                while any(mail.state != "sent" for mail in await outbox(one)):
                    assert time.monotonic() < deadline, "not every message was marked sent"
                    await asyncio.sleep(0.05)
            finally:
                stop.set()
                handled = await asyncio.wait_for(asyncio.gather(*tasks), 10)
            mails = await outbox(one)
    counts = Counter(server.message_ids())
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert set(counts) == {f"<{mail.id}@shop.example>" for mail in mails}
    assert sum(handled) == 30


async def test_slow_smtp_does_not_slow_the_request_that_queues_mail(database_url: str) -> None:
    handler = Recorder(delay=1.0)
    with smtp_server(handler) as server:
        async with system(database_url, server.url()) as container:
            app = await container.services.apps.get("default")
            for email in ("first@example.com", "second@example.com"):
                await container.services.accounts.register(app, Registration(PASSWORD, email=email), CTX)
            asgi = create_app(container.settings, container)
            async with asgi.router.lifespan_context(asgi):  # the dispatcher runs in the background now
                await send_verification(container, "first@example.com")
                deadline = time.monotonic() + 5
                while handler.data_commands == 0:  # the dispatcher is inside the slow DATA exchange
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.02)
                started = time.monotonic()
                await send_verification(container, "second@example.com")
                took = time.monotonic() - started
                commands_meanwhile = handler.data_commands
                await server.await_for(2, within=15)
    assert took < 0.5, f"queueing took {took:.2f}s while SMTP was slow"
    assert commands_meanwhile == 1  # the queueing call never reached the server itself


async def test_permanent_refusal_marks_failed_without_retry(database_url: str) -> None:
    clock = FakeClock(datetime.now(UTC))
    handler = Recorder(reply="550 5.1.1 Mailbox unavailable")
    with smtp_server(handler) as server:
        async with system(database_url, server.url(), clock) as container:
            await queue_many(container, 1)
            assert container.dispatcher is not None
            assert await container.dispatcher.run_once() == 1
            clock.advance(3600)
            assert await container.dispatcher.run_once() == 0
            [mail] = await outbox(container)
    assert (mail.state, mail.attempts, mail.secrets) == ("failed", 1, {})
    assert mail.last_error is not None and "550" in mail.last_error
    assert handler.data_commands == 1


async def test_without_smtp_url_there_is_no_dispatcher_and_mail_stays(database_url: str) -> None:
    async with system(database_url, None) as container:
        assert container.dispatcher is None
        await queue_many(container, 1)
        asgi = create_app(container.settings, container)
        async with asgi.router.lifespan_context(asgi):
            await asyncio.sleep(0.05)
        [mail] = await outbox(container)
    assert mail.state == "pending" and mail.secrets["code"] == "000000"


async def test_lifespan_runs_the_dispatcher_and_stops_it_at_shutdown(database_url: str) -> None:
    with smtp_server() as server:
        async with system(database_url, server.url()) as container:
            asgi = create_app(container.settings, container)
            async with asgi.router.lifespan_context(asgi):
                assert [t for t in asyncio.all_tasks() if t.get_name() == "usher-mail-dispatcher"]
                await queue_many(container, 2)
                await server.await_for(2, within=10)
            assert not [t for t in asyncio.all_tasks() if t.get_name() == "usher-mail-dispatcher"]
