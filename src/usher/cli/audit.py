"""`usher audit`: an application's audit events (sign-ins, changes, admin actions), newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from usher.cli.output import Output, json_option
from usher.cli.runtime import BadValue, run
from usher.container import Container
from usher.core.models import AuditEvent

AUDIT_COLUMNS = ("at", "type", "outcome", "user_id", "client_address", "user_agent", "detail")


def _when(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 time; one without a zone is taken as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise BadValue(f"{option}: not an ISO 8601 time: {value!r} (e.g. 2024-07-01T12:00:00Z)") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "type": event.type,
        "outcome": event.outcome,
        "user_id": event.user_id,
        "client_address": event.client_address,
        "user_agent": event.user_agent,
        "detail": dict(event.detail),
    }


@click.command()
@click.option("--app", "app_id", default="default", show_default=True, metavar="ID", help="The application.")
@click.option("--user", "user_id", metavar="ID", help="Only events about this user id.")
@click.option("--type", "type_", metavar="TYPE", help="Only events of this type (e.g. signin, password.change).")
@click.option("--since", metavar="ISO", help="Only events at or after this time (ISO 8601; UTC if no zone).")
@click.option("--until", metavar="ISO", help="Only events before this time (ISO 8601; UTC if no zone).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0, 1000), help="At most this many.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0), help="Skip this many.")
@json_option
def audit(
    app_id: str,
    user_id: str | None,
    type_: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
    out: Output,
) -> None:
    """Show an application's audit events, newest first."""
    start, end = _when(since, "--since"), _when(until, "--until")

    async def work(container: Container) -> list[AuditEvent]:
        svc = container.services
        await svc.apps.get(app_id)
        return await svc.audit.query(
            app_id, user_id=user_id, type=type_, since=start, until=end, limit=limit, offset=offset
        )

    events = run(work)
    footer = None if events else "no events"
    out.rows([event_json(event) for event in events], AUDIT_COLUMNS, footer)
