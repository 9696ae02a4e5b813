"""The dispatcher: claims due messages from the outbox, renders and sends them, records the outcome.

Any number of dispatchers (workers, nodes) may run at once: a claim leases rows to one of them (`FOR UPDATE SKIP
LOCKED` on PostgreSQL, a conditional UPDATE on SQLite), and a batch is sent concurrently, each send bounded by the
transport's time-out, so it finishes well inside the lease. A failed attempt is retried after a growing pause
(BACKOFF) until MAX_ATTEMPTS or the message's expiry; a permanent refusal (5xx) is not retried. Logs name ids,
purposes, attempts and error classes: never codes, links, addresses or bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from usher.core.apps import AppService
from usher.core.errors import NotFound
from usher.core.models import OutgoingMail
from usher.core.ports import Clock, UnitOfWorkFactory
from usher.mail.render import MailFrom, RenderError, build_message
from usher.mail.transports import DeliveryError, Transport

log = logging.getLogger("usher.mail")

BACKOFF = (10, 30, 120, 600, 3600)  # seconds before attempt 2, 3, 4, 5 and every later one
MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    mail_from: str = "usher <no-reply@localhost>"
    batch_size: int = 10
    lease_seconds: float = 60.0  # longer than a whole batch can take (sends run concurrently, 30 s each at most)
    poll_seconds: float = 1.0
    expire_every: float = 30.0  # seconds (of the injected clock) between two sweeps for expired messages
    backoff: tuple[int, ...] = BACKOFF
    max_attempts: int = MAX_ATTEMPTS
    stop_grace: float = 5.0  # how long a stopping dispatcher may finish its batch before it is cancelled


@dataclass(frozen=True, slots=True)
class _Failure:
    error: str
    kind: str
    permanent: bool
    smtp_code: int | None = None


class Dispatcher:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        apps: AppService,
        transport: Transport,
        clock: Clock,
        config: DispatchConfig | None = None,
    ) -> None:
        self._uow = uow
        self._apps = apps
        self._transport = transport
        self._clock = clock
        self.config = config or DispatchConfig()
        self._mail_from = MailFrom.parse(self.config.mail_from)
        self._next_sweep: datetime | None = None

    async def run_once(self) -> int:
        """One round: expire overdue messages (now and then), claim a batch, send it; returns how many were tried."""
        now = self._clock.now()
        if self._next_sweep is None or now >= self._next_sweep:
            await self._expire(now)
        lease_until = now + timedelta(seconds=self.config.lease_seconds)
        async with self._uow(write=True) as uow:
            batch = await uow.outbox.claim(now, lease_until, self.config.batch_size)
        if not batch:
            return 0
        if any(mail.expires_at <= now for mail in batch):
            await self._expire(now)
            batch = [mail for mail in batch if mail.expires_at > now]
        await asyncio.gather(*(self._deliver(mail) for mail in batch))
        return len(batch)

    async def run_forever(self, stop: asyncio.Event) -> int:
        """Rounds until `stop` is set: straight on after a round that found mail, else every `poll_seconds`."""
        total = 0
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception as exc:  # the database is down or busy: try again next round
                log.warning("mail dispatch round failed: %s", type(exc).__name__)
                handled = 0
            total += handled
            if handled:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.poll_seconds)
        return total

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Runs the dispatcher in a background task for the duration of the block, then stops it cleanly."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.run_forever(stop), name="usher-mail-dispatcher")
        log.info("mail dispatcher started (%r)", self._transport)
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, self.config.stop_grace)  # cancels the task when the grace runs out
            except TimeoutError:
                log.warning(
                    "mail dispatcher cancelled after %.0f s; leased messages are retried later", self.config.stop_grace
                )
            except Exception as exc:
                log.error("mail dispatcher ended with %s", type(exc).__name__)
            log.info("mail dispatcher stopped")

    async def _expire(self, now: datetime) -> None:
        async with self._uow(write=True) as uow:
            expired = await uow.outbox.expire(now)
        self._next_sweep = now + timedelta(seconds=self.config.expire_every)
        if expired:
            log.info("mail expired before delivery: %d message(s)", expired)

    async def _deliver(self, mail: OutgoingMail) -> None:
        attempt = mail.attempts + 1
        failure: _Failure | None = None
        try:
            message = await self._build(mail)
            await self._transport.send(message)
        except DeliveryError as exc:
            failure = _Failure(str(exc), type(exc).__name__, exc.permanent, exc.smtp_code)
        except RenderError as exc:
            failure = _Failure(f"RenderError: {exc}", "RenderError", permanent=True)
        except NotFound:
            failure = _Failure("the message's app no longer exists", "NotFound", permanent=True)
        except Exception as exc:  # anything unexpected is retried; only its class is worth logging
            failure = _Failure(type(exc).__name__, type(exc).__name__, permanent=False)
        if failure is None:
            await self._record_sent(mail, attempt)
        else:
            await self._record_failure(mail, attempt, failure)

    async def _build(self, mail: OutgoingMail) -> EmailMessage:
        app = await self._apps.get(mail.app_id)
        return build_message(mail, app, self._mail_from)

    def next_attempt(self, mail: OutgoingMail, attempt: int, now: datetime) -> datetime | None:
        """When to try again after failed attempt number `attempt` (1-based); None: give up."""
        if attempt >= self.config.max_attempts:
            return None
        delay = self.config.backoff[min(attempt, len(self.config.backoff)) - 1]
        at = now + timedelta(seconds=delay)
        return at if at < mail.expires_at else None

    async def _record_sent(self, mail: OutgoingMail, attempt: int) -> None:
        try:
            async with self._uow(write=True) as uow:
                await uow.outbox.mark_sent(mail.id, self._clock.now())
        except Exception as exc:  # sent but not recorded: the lease runs out and the same Message-ID goes again
            log.error("mail sent id=%s but not recorded: %s", mail.id, type(exc).__name__)
            return
        log.info("mail sent id=%s app=%s purpose=%s attempt=%d", mail.id, mail.app_id, mail.purpose, attempt)

    async def _record_failure(self, mail: OutgoingMail, attempt: int, failure: _Failure) -> None:
        now = self._clock.now()
        retry_at = None if failure.permanent else self.next_attempt(mail, attempt, now)
        try:
            async with self._uow(write=True) as uow:
                await uow.outbox.mark_failed(mail.id, failure.error[:500], retry_at, now)
        except Exception as exc:
            log.error("mail failed id=%s and not recorded: %s", mail.id, type(exc).__name__)
            return
        log.warning(
            "mail failed id=%s app=%s purpose=%s attempt=%d error=%s smtp_code=%s %s",
            mail.id,
            mail.app_id,
            mail.purpose,
            attempt,
            failure.kind,
            failure.smtp_code if failure.smtp_code is not None else "-",
            f"retry_at={retry_at.isoformat()}" if retry_at else "gave up",
        )
