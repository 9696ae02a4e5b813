"""Reading what the services queued in the outbox (codes, links, overrides), for the dialects' mail tests."""

from __future__ import annotations

from usher.container import Container
from usher.core.models import OutgoingMail


async def mails(container: Container, to: str) -> list[OutgoingMail]:
    """Messages to `to`, newest first, secrets included."""
    async with container.uow() as uow:
        return await uow.outbox.list(to=to)


async def only_mail(container: Container, to: str, purpose: str | None = None) -> OutgoingMail:
    """The one message to `to` (of `purpose`, if given); fails when there is none or more than one."""
    found = [m for m in await mails(container, to) if purpose is None or m.purpose == purpose]
    assert len(found) == 1, [m.purpose for m in found]
    return found[0]


async def newest(container: Container, to: str, purpose: str) -> OutgoingMail:
    found = [m for m in await mails(container, to) if m.purpose == purpose]
    assert found, f"no {purpose} mail to {to}"
    return found[0]


def lifetime(mail: OutgoingMail) -> float:
    """Seconds the mailed code lives (the message expires with it)."""
    return (mail.expires_at - mail.created_at).total_seconds()
