"""A private PostgreSQL cluster for fault tests: initdb in a temporary directory, a free port, stopped by PID.

The shared server on 127.0.0.1:5432 serves other suites and is never stopped; tests that stop "the database"
stop this one. initdb refuses to run as root, so as root the cluster belongs to the `postgres` system user
(`runuser -u postgres`). Without the server binaries the calling test is skipped (failed when CI=true).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import asyncpg
import pytest

from tests import databases
from tests.cli.processes import free_port

_STEP_TIMEOUT = 60


def _version(initdb: str) -> tuple[int, ...]:
    """(15,) for /usr/lib/postgresql/15/bin/initdb."""
    return tuple(int(part) for part in Path(initdb).parts[-3].split(".") if part.isdigit())


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _skip(reason: str) -> NoReturn:
    if databases.on_ci():
        pytest.fail(f"a private PostgreSQL cluster is required on CI: {reason}")
    pytest.skip(f"no private PostgreSQL cluster: {reason}")


@dataclass
class Cluster:
    bin_dir: Path
    root: Path
    port: int
    owner: str | None  # the system user that runs the server (None: whoever runs the tests)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    async def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        conn = await asyncpg.connect(self.url(), timeout=10)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.url(name)

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=_STEP_TIMEOUT, check=False)
        assert done.returncode == 0, f"{tool} failed:\n{done.stdout}\n{done.stderr}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m fast` ends every session with an error; `immediate` is a crash (no checkpoint)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def pid(self) -> int | None:
        """The postmaster's PID while it runs."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, 0)
            return pid
        return None

    def destroy(self) -> None:
        """Stops the server if it still runs (by its PID as a last resort) and removes the directory."""
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
            deadline = time.monotonic() + 10
            while self.pid() is not None and time.monotonic() < deadline:
                time.sleep(0.05)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def _owner() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        _skip("running as root and there is no `postgres` user for initdb")
    if shutil.which("runuser") is None:
        _skip("running as root without runuser")
    return "postgres"


@contextlib.contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A running cluster on a free loopback port (superuser `postgres`, trust auth), removed afterwards."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        _skip("no initdb under /usr/lib/postgresql/*/bin")
    owner = _owner()
    root = Path(tempfile.mkdtemp(prefix="usher-faults-pg-"))  # not under pytest's 0700 root-only directory
    cluster = Cluster(bin_dir, root, free_port(), owner)
    try:
        if owner is not None:
            shutil.chown(root, user=owner)
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()
