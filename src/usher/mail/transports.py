"""How a rendered message leaves: the Transport protocol and SMTP over aiosmtplib (plain, STARTTLS, implicit TLS).

`SmtpTransport.from_url` reads `smtp://[user:pass@]host:port[?starttls=1]` and `smtps://...`. Failures raise
DeliveryError: permanent for a 5xx answer about the message, transient for 4xx, refused or dropped connections,
time-outs and TLS or login problems (those are configuration, which gets fixed, not the message's fault). No
error message carries the message body or the password.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

Security = Literal["plain", "starttls", "tls"]
CONNECT_TIMEOUT = 10.0
SEND_TIMEOUT = 30.0
_DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
_MAX_REPLY = 200


class DeliveryError(Exception):
    """A failed delivery; `permanent` says that retrying the same message cannot succeed."""

    def __init__(self, message: str, *, permanent: bool, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.smtp_code = smtp_code


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Delivers or raises DeliveryError."""
        ...


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where and how to connect; the password is kept out of repr."""

    host: str
    port: int
    security: Security = "plain"
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        user = f"{self.username}:***@" if self.username else ""
        return f"SmtpTarget({self.security} {user}{self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpTarget:
    """Parses an SMTP URL; ValueError says what is wrong without repeating the URL (it may hold a password)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError("USHER_SMTP_URL: the port must be a number between 0 and 65535") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("USHER_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("USHER_SMTP_URL names no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError("USHER_SMTP_URL must not have a path or fragment")
    security: Security = "tls" if parts.scheme == "smtps" else "plain"
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key != "starttls":
            raise ValueError(f"USHER_SMTP_URL: unknown option {key!r} (known: starttls)")
        if value.lower() in _TRUE:
            if security == "tls":
                raise ValueError("USHER_SMTP_URL: starttls applies to smtp://, smtps:// is TLS from the start")
            security = "starttls"
        elif value.lower() not in _FALSE:
            raise ValueError("USHER_SMTP_URL: starttls must be 1 or 0")
    if parts.password is not None and not parts.username:
        raise ValueError("USHER_SMTP_URL has a password but no user name")
    return SmtpTarget(
        host=parts.hostname,
        port=port if port else _DEFAULT_PORTS[security],
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def transport_for(smtp_url: str | None) -> SmtpTransport | None:
    """The transport USHER_SMTP_URL asks for; None when unset (mail then stays in the outbox)."""
    if smtp_url is None or not smtp_url.strip():
        return None
    return SmtpTransport.from_url(smtp_url)


class SmtpTransport:
    """One connection per message: connect (TLS as configured), log in if a user is set, send, quit.

    `tls_context` replaces the default (system CAs, hostname checked); tests pass one that trusts their own CA.
    """

    def __init__(
        self,
        target: SmtpTarget,
        *,
        tls_context: ssl.SSLContext | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        send_timeout: float = SEND_TIMEOUT,
    ) -> None:
        self.target = target
        self._tls_context = tls_context
        self._connect_timeout = connect_timeout
        self._send_timeout = send_timeout

    @classmethod
    def from_url(cls, url: str, *, tls_context: ssl.SSLContext | None = None) -> SmtpTransport:
        return cls(parse_smtp_url(url), tls_context=tls_context)

    def __repr__(self) -> str:
        return f"SmtpTransport({self.target!r})"

    async def send(self, message: EmailMessage) -> None:
        target = self.target
        client = aiosmtplib.SMTP(
            hostname=target.host,
            port=target.port,
            timeout=self._connect_timeout,
            use_tls=target.security == "tls",
            start_tls=target.security == "starttls",
            tls_context=self._tls_context,
        )
        try:
            async with asyncio.timeout(self._send_timeout):
                await client.connect()
                if target.username is not None:
                    await client.login(target.username, target.password or "")
                await client.send_message(message)
        except Exception as exc:
            client.close()  # no QUIT: the server may be the slow or broken part
            raise classify(exc) from None
        try:  # the message is accepted: a failing QUIT must not make it look undelivered
            async with asyncio.timeout(self._connect_timeout):
                await client.quit()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            client.close()


def classify(exc: BaseException) -> DeliveryError:
    """Maps an aiosmtplib, socket or TLS error to a DeliveryError with a short, body-free message."""
    name = type(exc).__name__
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return DeliveryError(f"{name}: {codes}", permanent=permanent, smtp_code=max(codes, default=None))
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):  # wrong credentials: fix the config, keep the mail
        return DeliveryError(f"{name}: {exc.code}", permanent=False, smtp_code=exc.code)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reply = " ".join(str(exc.message).split())[:_MAX_REPLY]
        return DeliveryError(f"{name}: {exc.code} {reply}", permanent=exc.code >= 500, smtp_code=exc.code)
    if isinstance(exc, TimeoutError):
        return DeliveryError(f"{name}: timed out", permanent=False)
    if isinstance(exc, ssl.SSLError | aiosmtplib.SMTPException | OSError):
        detail = " ".join(str(exc).split())[:_MAX_REPLY]
        return DeliveryError(f"{name}: {detail}", permanent=False)
    return DeliveryError(name, permanent=False)
