"""`usher serve`: checks the settings, applies migrations, then runs the HTTP service (one or several workers)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from functools import partial
from types import FrameType

import click
import uvicorn

from usher.app import create_app
from usher.cli.db import upgrade_and_bootstrap
from usher.cli.logs import batched_logging, configure_logging
from usher.cli.mail import check_mail_settings
from usher.cli.memory import tune_allocator
from usher.cli.output import Output, json_option
from usher.cli.runtime import BadValue, Failure, current_settings
from usher.cli.workers import listener, supervise
from usher.settings import Settings

GRACEFUL_SECONDS = 10


class _Server(uvicorn.Server):
    """Stops gracefully on SIGINT/SIGTERM (a second SIGINT forces) and then exits with 0 instead of re-raising
    the signal."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


def uvicorn_config(settings: Settings, host: str, port: int) -> uvicorn.Config:
    """The server around a new app; call it in the process that will serve (after any fork)."""
    return uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        loop="auto",  # uvloop and httptools when installed
        http="auto",
        lifespan="on",
        log_config=None,  # our logging set-up above
        access_log=False,
        server_header=False,
        date_header=True,
        proxy_headers=False,  # the app decides whom to believe (USHER_TRUSTED_PROXIES)
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )


def _share_cores(settings: Settings, workers: int) -> Settings:
    """Unless USHER_HASH_WORKERS says otherwise, the workers share the cores' password hashing between them:
    more hash threads than cores only queue in the kernel, and each holds argon2's memory meanwhile."""
    if "hash_workers" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"hash_workers": max(1, -(-(os.cpu_count() or 1) // workers))})


def _migrate_apart(settings: Settings) -> None:
    """Migrates and bootstraps in a short-lived child process, so that Alembic, the migration's engine and the
    bootstrap's container never enter the workers' memory (each forked worker would carry a copy). The child
    reports its own errors through the CLI's usual mapping; its exit code becomes ours."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        asyncio.run(upgrade_and_bootstrap(settings))  # an error unwinds into click here, which prints it and exits
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code != 0:
        raise click.exceptions.Exit(code)


def _check(settings: Settings, host: str, port: int, workers: int) -> None:
    problems = settings.problems()
    if problems:
        raise BadValue("refusing to start:\n" + "\n".join(f"  - {problem}" for problem in problems))
    check_mail_settings(settings)
    if workers > 1:
        if port == 0:
            raise BadValue("--workers above 1 needs a fixed --port (each worker binds it)")
        try:  # nobody else may hold the port: the workers' SO_REUSEPORT group must be ours alone
            listener(host, port, reuse_port=False).close()
        except OSError as exc:
            raise Failure(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256), help="Server processes.")
@click.option("--no-migrate", is_flag=True, help="Do not apply pending migrations at start.")
@json_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, no_migrate: bool, out: Output) -> None:
    """Run the HTTP service until SIGINT or SIGTERM."""
    settings = _share_cores(current_settings(), workers)
    _check(settings, host, port, workers)
    configure_logging()
    tune_allocator()
    if not no_migrate:
        _migrate_apart(settings)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    if out.as_json:
        out.object({"url": url, "workers": workers, "pid": os.getpid()})
    else:
        click.echo(f"usher serving {url} with {workers} worker{'s' if workers > 1 else ''}")
    if workers == 1:
        server = _Server(uvicorn_config(settings, host, port))
        with contextlib.suppress(SystemExit), batched_logging():  # SystemExit: uvicorn's failed start-up
            server.run()
        if not server.started:
            raise Failure("the server could not start (see the log above)")
        return
    failed = supervise(partial(uvicorn_config, settings, host, port), host, port, workers, batched_logging)
    if failed:
        ctx.exit(Failure.exit_code)
