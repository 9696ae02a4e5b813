"""`usher audit`: events newest first, with filters and paging; bad values exit 2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.cli.conftest import Cli
from tests.conftest import test_settings as settings_for
from usher.container import Container
from usher.core.models import AuditEvent

T0 = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
FIELDS = {"at", "type", "outcome", "user_id", "client_address", "user_agent", "detail"}


def _event(hours: int, type: str, outcome: str, user_id: str | None, **detail: object) -> AuditEvent:
    return AuditEvent(
        app_id="default",
        type=type,
        outcome=outcome,
        at=T0 + timedelta(hours=hours),
        user_id=user_id,
        client_address="203.0.113.7",
        user_agent="curl/8.5",
        detail=dict(detail),
    )


EVENTS = [
    _event(0, "signin", "unknown_user", None),
    _event(1, "signin", "success", "u1"),
    _event(2, "password.change", "success", "u1", sessions=2),
    _event(3, "signin", "success", "u2"),
]


@pytest.fixture
async def recorded(database_url: str) -> None:
    container = Container(settings_for(database_url))
    try:
        for event in EVENTS:
            await container.services.audit.record(event)
    finally:
        await container.close()


def _types_and_users(events: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(event["type"], event["user_id"]) for event in events]


@pytest.mark.usefixtures("recorded")
def test_audit_with_json_lists_events_newest_first(cli: Cli) -> None:
    events = cli.json("audit")
    assert _types_and_users(events) == [
        ("signin", "u2"),
        ("password.change", "u1"),
        ("signin", "u1"),
        ("signin", None),
    ]
    assert all(set(event) == FIELDS for event in events)
    assert events[1] == {
        "at": (T0 + timedelta(hours=2)).isoformat(),
        "type": "password.change",
        "outcome": "success",
        "user_id": "u1",
        "client_address": "203.0.113.7",
        "user_agent": "curl/8.5",
        "detail": {"sessions": 2},
    }


@pytest.mark.usefixtures("recorded")
def test_audit_without_json_prints_one_line_per_event(cli: Cli) -> None:
    result = cli("audit", "--app", "default")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    newest = lines[0].split("\t")
    assert newest == [(T0 + timedelta(hours=3)).isoformat(), "signin", "success", "u2", "203.0.113.7", "curl/8.5", "{}"]
    assert lines[3].split("\t")[3] == "-"  # no user


@pytest.mark.usefixtures("recorded")
def test_audit_filters_by_user_type_and_time(cli: Cli) -> None:
    assert _types_and_users(cli.json("audit", "--user", "u1")) == [("password.change", "u1"), ("signin", "u1")]
    assert _types_and_users(cli.json("audit", "--type", "password.change")) == [("password.change", "u1")]
    since, until = (T0 + timedelta(hours=1)).isoformat(), (T0 + timedelta(hours=3)).isoformat()
    window = cli.json("audit", "--since", since, "--until", until)  # since inclusive, until exclusive
    assert _types_and_users(window) == [("password.change", "u1"), ("signin", "u1")]
    zulu = cli.json("audit", "--since", "2024-07-01T14:30:00Z", "--type", "signin")
    assert _types_and_users(zulu) == [("signin", "u2")]
    naive = cli.json("audit", "--until", "2024-07-01T12:30:00")  # no zone: UTC
    assert _types_and_users(naive) == [("signin", None)]


@pytest.mark.usefixtures("recorded")
def test_audit_limit_and_offset_page_through_events(cli: Cli) -> None:
    assert _types_and_users(cli.json("audit", "--limit", "2")) == [("signin", "u2"), ("password.change", "u1")]
    assert _types_and_users(cli.json("audit", "--limit", "2", "--offset", "2")) == [("signin", "u1"), ("signin", None)]
    assert cli.json("audit", "--offset", "4") == []


def test_audit_without_events_prints_an_empty_list(cli: Cli) -> None:
    assert cli.json("audit", "--user", "nobody") == []
    result = cli("audit", "--user", "nobody")
    assert result.exit_code == 0 and result.stdout.strip() == "no events"


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "yesterday"),
        ("--until", "2024-13-01"),
        ("--limit", "1001"),
        ("--limit", "-1"),
        ("--offset", "-5"),
    ],
)
def test_audit_bad_value_exits_2(cli: Cli, args: tuple[str, str]) -> None:
    result = cli("audit", *args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert args[0] in result.stderr


def test_audit_of_unknown_app_exits_1(cli: Cli) -> None:
    result = cli("audit", "--app", "nope")
    assert result.exit_code == 1
    assert "not found" in result.stderr
