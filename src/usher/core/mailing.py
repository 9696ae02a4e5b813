"""Queueing mail as data: the service that causes a message writes it in the same unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from usher.core.errors import InvalidInput
from usher.core.models import App, MailOverrides, OutgoingMail
from usher.core.ports import Clock, Secrets, UnitOfWork

MAX_OVERRIDE = 32 * 1024


@dataclass(frozen=True, slots=True)
class Delivery:
    """How a dialect wants a code delivered: link shape, redirects and caller-supplied text."""

    link_template: str | None = None  # "{token}" is replaced by the code; None: no link, code only
    redirect_url: str | None = None
    failure_redirect_url: str | None = None
    overrides: MailOverrides = field(default_factory=MailOverrides)

    def link(self, token: str) -> str | None:
        return self.link_template.replace("{token}", token) if self.link_template else None


def check_overrides(overrides: MailOverrides) -> None:
    """Caller-supplied text is data, never headers: refuse line breaks where they would become headers."""
    for name in ("subject", "from_name"):
        value = getattr(overrides, name)
        if value is not None and ("\r" in value or "\n" in value or len(value) > 256):
            raise InvalidInput(f"{name} must be one line of at most 256 characters", field=name)
    for name in ("text", "html"):
        value = getattr(overrides, name)
        if value is not None and len(value) > MAX_OVERRIDE:
            raise InvalidInput(f"{name} must be at most {MAX_OVERRIDE} characters", field=name)


class Mailbox:
    def __init__(self, clock: Clock, secrets: Secrets) -> None:
        self._clock = clock
        self._secrets = secrets

    async def queue(
        self,
        uow: UnitOfWork,
        app: App,
        to: str,
        purpose: str,
        *,
        code: str,
        ttl: int,
        delivery: Delivery,
        variables: dict[str, str] | None = None,
    ) -> None:
        now = self._clock.now()
        link = delivery.link(code) or ""
        secrets = {"code": code, "link": link, "micro_verification_link": link}
        base = {"app_name": app.name, "email": to, "expires_minutes": str(max(1, ttl // 60))}
        await uow.outbox.enqueue(
            OutgoingMail(
                id=self._secrets.public_id("msg"),
                app_id=app.id,
                to=to,
                purpose=purpose,
                variables={**base, **(variables or {})},
                secrets=secrets,
                overrides=delivery.overrides,
                created_at=now,
                expires_at=now + timedelta(seconds=ttl),
            )
        )
