"""`usher mail`: the outbox (development mail, with codes while they are unsent) and a foreground dispatcher."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
from typing import Any

import click

from usher.cli.logs import configure_logging
from usher.cli.output import Output, json_option
from usher.cli.runtime import BadValue, current_settings, run
from usher.container import Container
from usher.core.errors import NotFound
from usher.core.models import App, OutgoingMail
from usher.mail.render import MailFrom, RenderError, render
from usher.mail.transports import transport_for
from usher.settings import Settings

REMOVED = "[removed]"  # what a code or link shows once the outbox has blanked it (delivered, failed, expired)
_SECRET_KEYS = ("code", "link", "micro_verification_link")
_COLUMNS = ("id", "to", "purpose", "state", "created_at", "attempts")


def check_mail_settings(settings: Settings) -> None:
    """USHER_SMTP_URL and USHER_MAIL_FROM must parse; a bad one is a usage error (exit 2), password never shown."""
    try:
        transport_for(settings.smtp_url.get_secret_value() if settings.smtp_url else None)
        MailFrom.parse(settings.mail_from)
    except ValueError as exc:
        raise BadValue(f"invalid mail settings: {exc}") from None


@click.group()
def mail() -> None:
    """Outgoing mail: the outbox, and a dispatcher that sends it through USHER_SMTP_URL."""


@mail.command()
@click.option("--to", "to", metavar="EMAIL", help="Only messages to this address.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="At most this many.")
@json_option
def outbox(to: str | None, limit: int, out: Output) -> None:
    """List queued and sent messages, newest first, rendered (unsent ones show their code: development mail)."""
    settings = current_settings()
    check_mail_settings(settings)

    async def work(container: Container) -> list[dict[str, Any]]:
        async with container.uow() as uow:
            found = await uow.outbox.list(to=to, limit=limit)
        apps: dict[str, App | None] = {}
        for item in found:
            if item.app_id not in apps:
                apps[item.app_id] = await _app(container, item.app_id)
        return [_describe(item, apps[item.app_id]) for item in found]

    described = run(work)
    if out.as_json:
        out.rows(described, _COLUMNS)
        return
    if not described:
        out.note("the outbox is empty")
    for item in described:
        click.echo("\t".join(str(item[column]) for column in _COLUMNS))
        click.echo(f"Subject: {item['subject']}")
        if item["last_error"]:
            click.echo(f"Last error: {item['last_error']}")
        click.echo("")
        click.echo((item["text"] or "").rstrip("\n"))
        click.echo("-" * 72)


@mail.command()
@click.option("--once", is_flag=True, help="Send what is due now and exit, instead of running until stopped.")
@json_option
def dispatch(once: bool, out: Output) -> None:
    """Send the outbox through USHER_SMTP_URL in the foreground (a separate mail worker); SIGINT/SIGTERM stop it."""
    settings = current_settings()
    check_mail_settings(settings)
    if settings.smtp_url is None:
        raise BadValue("USHER_SMTP_URL is not set: mail stays in the outbox (see `usher mail outbox`)")
    configure_logging(force=False)  # the dispatcher logs ids and outcomes, never codes or bodies

    async def work(container: Container) -> int:
        dispatcher = container.dispatcher
        assert dispatcher is not None  # smtp_url is set
        if once:
            return await dispatcher.run_once()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            return await dispatcher.run_forever(stop)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    processed = run(work)
    out.object({"processed": processed})


async def _app(container: Container, app_id: str) -> App | None:
    try:
        return await container.services.apps.get(app_id)
    except NotFound:
        return None


def _describe(item: OutgoingMail, app: App | None) -> dict[str, Any]:
    subject: str | None = None
    text: str | None = None
    if app is not None:
        shown = item if item.secrets else dataclasses.replace(item, secrets=dict.fromkeys(_SECRET_KEYS, REMOVED))
        try:
            rendered = render(shown, app)
            subject, text = rendered.subject, rendered.text
        except RenderError as exc:
            text = f"(cannot be rendered: {exc})"
    return {
        "id": item.id,
        "to": item.to,
        "app_id": item.app_id,
        "purpose": item.purpose,
        "state": item.state,
        "created_at": item.created_at,
        "expires_at": item.expires_at,
        "attempts": item.attempts,
        "sent_at": item.sent_at,
        "last_error": item.last_error,
        "subject": subject,
        "text": text,
    }
