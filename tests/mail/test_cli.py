"""`usher mail outbox` (the development outbox) and `usher mail dispatch`, and mail settings checked at `serve`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from typing import Any

import pytest

from tests.cli.conftest import Cli, cli_env
from tests.conftest import test_settings as make_settings
from tests.mail.helpers import Recorder, smtp_server
from tests.mail.test_outbox_delivery import queue_many
from usher.container import Container

FIELDS = {"id", "to", "app_id", "purpose", "state", "created_at", "expires_at", "attempts", "sent_at", "last_error"}


async def run_cli(cli: Cli, *args: str, **env: str | None) -> Any:
    return await asyncio.to_thread(cli, *args, **env)


def make_cli(database_url: str) -> Cli:
    return Cli(cli_env(database_url))


async def test_outbox_json_lists_newest_first_with_rendered_code(database_url: str, container: Container) -> None:
    await queue_many(container, 3, spaced=True)  # "newest" needs distinct times: one millisecond is the grain
    listed = await asyncio.to_thread(make_cli(database_url).json, "mail", "outbox")
    assert [item["to"] for item in listed] == ["user2@example.com", "user1@example.com", "user0@example.com"]
    first = listed[0]
    assert set(first) == {*FIELDS, "subject", "text"}
    assert (first["purpose"], first["state"], first["attempts"]) == ("verify_email", "pending", 0)
    assert first["subject"] == "Verify your email address for default"
    assert "000002" in first["text"]


async def test_outbox_to_and_limit_filter(database_url: str, container: Container) -> None:
    await queue_many(container, 3)
    cli = make_cli(database_url)
    only = await asyncio.to_thread(cli.json, "mail", "outbox", "--to", "USER1@example.com")
    assert [item["to"] for item in only] == ["user1@example.com"]
    assert len(await asyncio.to_thread(cli.json, "mail", "outbox", "--limit", "2")) == 2


async def test_outbox_readable_shows_subject_and_text(database_url: str, container: Container) -> None:
    await queue_many(container, 1)
    result = await run_cli(make_cli(database_url), "mail", "outbox")
    assert result.exit_code == 0
    assert "Subject: Verify your email address for default" in result.stdout
    assert "Enter this code to verify your email address: 000000" in result.stdout
    assert "user0@example.com" in result.stdout.splitlines()[0]


async def test_outbox_empty_says_so_on_stderr(database_url: str) -> None:
    result = await run_cli(make_cli(database_url), "mail", "outbox")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "empty" in result.stderr


async def test_dispatch_without_smtp_url_exits_2(database_url: str) -> None:
    result = await run_cli(make_cli(database_url), "mail", "dispatch", "--once")
    assert result.exit_code == 2
    assert "USHER_SMTP_URL is not set" in result.stderr


async def test_bad_smtp_url_exits_2_without_showing_password(database_url: str) -> None:
    cli = make_cli(database_url)
    for args in (("mail", "dispatch", "--once"), ("mail", "outbox"), ("serve", "--port", "0")):
        result = await run_cli(cli, *args, USHER_SMTP_URL="smtp://user:hunter2secret@mail.example:notaport")
        assert result.exit_code == 2, args
        assert "port" in result.stderr and "hunter2secret" not in result.stderr + result.stdout


async def test_bad_mail_from_exits_2(database_url: str) -> None:
    result = await run_cli(make_cli(database_url), "mail", "outbox", USHER_MAIL_FROM="nobody")
    assert result.exit_code == 2 and "USHER_MAIL_FROM" in result.stderr


async def test_dispatch_once_sends_due_mail_and_outbox_then_hides_the_code(
    database_url: str, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="usher.mail")
    await queue_many(container, 2)
    cli = make_cli(database_url)
    with smtp_server() as server:
        result = await run_cli(cli, "mail", "dispatch", "--once", "--json", USHER_SMTP_URL=server.url())
        assert result.exit_code == 0, result.stderr
        assert result.stdout.strip().startswith("{") and '"processed": 2' in result.stdout
        await server.await_for(2)
    assert caplog.text.count("mail sent id=") == 2
    assert "000000" not in caplog.text + result.stderr and "user0@" not in caplog.text  # ids, not codes or addresses
    listed = await asyncio.to_thread(cli.json, "mail", "outbox")
    assert {item["state"] for item in listed} == {"sent"}
    assert all("[removed]" in item["text"] and "00000" not in item["text"] for item in listed)


async def test_dispatch_once_reports_failures_in_outbox(database_url: str, container: Container) -> None:
    await queue_many(container, 1)
    cli = make_cli(database_url)
    with smtp_server(Recorder(reply="550 5.1.1 No such user")) as server:
        result = await run_cli(cli, "mail", "dispatch", "--once", USHER_SMTP_URL=server.url())
    assert result.exit_code == 0 and "processed: 1" in result.stdout
    [item] = await asyncio.to_thread(cli.json, "mail", "outbox")
    assert item["state"] == "failed" and "550" in item["last_error"]


async def test_dispatch_runs_until_sigterm_and_sends_meanwhile(database_url: str) -> None:
    secret = "s" * 32  # the worker is another process: it must open what this one sealed
    settings = make_settings(database_url, secret_key=secret)
    container = Container(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("USHER_")}
    with smtp_server() as server:
        env.update({k: v for k, v in cli_env(database_url).items() if v is not None})
        env.update(USHER_SECRET_KEY=secret, USHER_SMTP_URL=server.url())
        worker = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-m", "usher", "mail", "dispatch", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            await queue_many(container, 2)
            await server.await_for(2, within=15)
            worker.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.to_thread(worker.communicate, timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(5)
            await container.close()
    assert worker.returncode == 0, stderr.decode()
    assert json.loads(stdout) == {"processed": 2}
    assert b"mail sent id=" in stderr and b"000000" not in stderr and b"user0@" not in stderr
