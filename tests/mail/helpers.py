"""Test helpers for mail: a real SMTP server (aiosmtpd) that records what it receives, self-signed TLS material,
an in-memory outbox with leases (as storage has them), and queued-message builders.

    with smtp_server() as server:            # 127.0.0.1, a free port, stopped when the block ends
        ...
        await server.await_for(1, within=5)  # bounded wait for deliveries
        server.message_ids()                 # Message-IDs in arrival order
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.fakes import FakeApps, Store
from usher.core.models import MailOverrides, OutgoingMail, Purpose

SMTP_USER, SMTP_PASSWORD = "mailer", "p@ss:w/rd"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# ---------------------------------------------------------------------------------------------------------------
# A real SMTP server


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=default_policy)

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return cast(str, cast(EmailMessage, part).get_content())


class Recorder:
    """aiosmtpd handler: stores each message; `delay` slows DATA down, `reply` answers it instead (e.g. 550)."""

    def __init__(self, *, delay: float = 0.0, reply: str | None = None) -> None:
        self.delay = delay
        self.reply = reply
        self.received: list[Received] = []
        self.data_commands = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.data_commands += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply is not None:
            return self.reply
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Recorder
    controller: Controller | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def received(self) -> list[Received]:
        return list(self.handler.received)

    def url(self, scheme: str = "smtp", *, user: bool = False, query: str = "") -> str:
        auth = f"{quote(SMTP_USER, safe='')}:{quote(SMTP_PASSWORD, safe='')}@" if user else ""
        return f"{scheme}://{auth}{self.host}:{self.port}" + (f"?{query}" if query else "")

    def message_ids(self) -> list[str]:
        return [str(item.message["Message-ID"]) for item in self.received]

    def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """For synchronous callers; async tests use await_for."""
        deadline = time.monotonic() + within
        while len(self.handler.received) < count:
            assert time.monotonic() < deadline, f"expected {count} messages, got {len(self.handler.received)}"
            time.sleep(0.02)
        return self.received

    async def await_for(self, count: int, within: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + within
        while len(self.handler.received) < count:
            assert time.monotonic() < deadline, f"expected {count} messages, got {len(self.handler.received)}"
            await asyncio.sleep(0.02)
        return self.received

    def start(self) -> None:
        assert self.controller is None
        self.controller = Controller(
            self.handler, hostname=self.host, port=self.port, ready_timeout=5.0, **self.options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(
    handler: Recorder | None = None,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    auth: bool = False,
    port: int | None = None,
) -> Iterator[SmtpServer]:
    """A started aiosmtpd server on 127.0.0.1; always stopped when the block ends."""
    options: dict[str, Any] = {}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if implicit_tls is not None:
        options.update(ssl_context=implicit_tls)
    if auth:
        options.update(authenticator=_authenticate, auth_required=True, auth_require_tls=True)
    server = SmtpServer("127.0.0.1", port or free_port(), handler or Recorder(), options=options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------------------------
# TLS


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Trusts this certificate only (hostname checked: it names 127.0.0.1 and localhost)."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_tls_files(directory: Path) -> TlsFiles:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "usher test smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    files = TlsFiles(directory / "smtp.crt", directory / "smtp.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


# ---------------------------------------------------------------------------------------------------------------
# Messages and an in-memory outbox with leases


def queued(
    mail_id: str = "msg_1",
    *,
    to: str = "ada@example.com",
    purpose: str = Purpose.VERIFY_EMAIL,
    code: str = "123456",
    link: str = "",
    overrides: MailOverrides | None = None,
    app_id: str = "default",
    app_name: str = "Shop",
    created_at: dt.datetime = START,
    ttl: int = 1800,
) -> OutgoingMail:
    """A message as core.mailing.Mailbox queues it."""
    return OutgoingMail(
        id=mail_id,
        app_id=app_id,
        to=to,
        purpose=purpose,
        variables={"app_name": app_name, "email": to, "expires_minutes": str(max(1, ttl // 60))},
        secrets={"code": code, "link": link, "micro_verification_link": link},
        overrides=overrides or MailOverrides(),
        created_at=created_at,
        expires_at=created_at + dt.timedelta(seconds=ttl),
    )


class LeasingOutbox:
    """OutboxRepository in memory with storage's semantics: due rows leased on claim, attempts counted on failure."""

    def __init__(self, store: Store) -> None:
        self.s = store

    @property
    def _leases(self) -> dict[str, dt.datetime]:
        leases: dict[str, dt.datetime] = self.s.__dict__.setdefault("leases", {})
        return leases

    @property
    def _due(self) -> dict[str, dt.datetime]:
        due: dict[str, dt.datetime] = self.s.__dict__.setdefault("due", {})
        return due

    def _replace(self, mail_id: str, **changes: Any) -> None:
        self.s.outbox = [dataclasses.replace(m, **changes) if m.id == mail_id else m for m in self.s.outbox]

    def get(self, mail_id: str) -> OutgoingMail:
        return next(m for m in self.s.outbox if m.id == mail_id)

    async def enqueue(self, mail: OutgoingMail) -> None:
        self.s.outbox.append(mail)

    async def claim(self, now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[OutgoingMail]:
        picked = []
        for mail in sorted(self.s.outbox, key=lambda m: (m.created_at, m.id)):
            lease = self._leases.get(mail.id)
            due = self._due.get(mail.id, mail.created_at)
            if mail.state == "pending" and due <= now < mail.expires_at and (lease is None or lease < now):
                picked.append(mail)
                self._leases[mail.id] = lease_until
            if len(picked) == limit:
                break
        return picked

    async def mark_sent(self, mail_id: str, now: dt.datetime) -> None:
        self._leases.pop(mail_id, None)
        self._replace(mail_id, state="sent", sent_at=now, secrets={})

    async def mark_failed(
        self, mail_id: str, error: str, next_attempt_at: dt.datetime | None, now: dt.datetime
    ) -> None:
        self._leases.pop(mail_id, None)
        attempts = self.get(mail_id).attempts + 1
        if next_attempt_at is None:
            self._replace(mail_id, state="failed", secrets={}, attempts=attempts, last_error=error)
        else:
            self._due[mail_id] = next_attempt_at
            self._replace(mail_id, attempts=attempts, last_error=error, next_attempt_at=next_attempt_at)

    async def expire(self, now: dt.datetime) -> int:
        doomed = [m.id for m in self.s.outbox if m.state == "pending" and m.expires_at <= now]
        for mail_id in doomed:
            self._leases.pop(mail_id, None)
            self._replace(mail_id, state="expired", secrets={})
        return len(doomed)

    async def list(self, *, to: str | None = None, limit: int = 100) -> list[OutgoingMail]:
        found = [m for m in reversed(self.s.outbox) if to is None or m.to.lower() == to.lower()]
        return found[:limit]


class MailUnitOfWork:
    def __init__(self, store: Store) -> None:
        self.apps = FakeApps(store)
        self.outbox = LeasingOutbox(store)


class MailUnitOfWorkFactory:
    """Units of work over one Store holding apps and the outbox; all-or-nothing like the real ones."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.outbox = LeasingOutbox(self.store)

    def __call__(self, *, write: bool = False) -> Any:
        return self._unit()

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[MailUnitOfWork]:
        snapshot = copy.deepcopy(self.store.__dict__)
        try:
            yield MailUnitOfWork(self.store)
        except BaseException:
            self.store.__dict__.update(snapshot)
            raise
