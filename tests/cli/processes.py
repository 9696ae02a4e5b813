"""Real `usher serve` processes for tests: start on a free port, wait until ready, always stop by PID.

Also reads /proc to tell which process holds which TCP connection (Linux).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

LISTEN, ESTABLISHED = "0A", "01"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def server_env(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("USHER_")}
    env.update(
        USHER_DATABASE_URL=f"sqlite:///{database}",
        USHER_ARGON2_TIME_COST="1",
        USHER_ARGON2_MEMORY_KIB="64",
        USHER_HASH_WORKERS="1",
    )
    return env


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    stdout_path: Path
    stderr_path: Path
    files: list[IO[bytes]]
    workers: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stdout(self) -> str:
        return self.stdout_path.read_text()

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def children(self) -> list[int]:
        return children_of(self.process.pid)

    def wait_ready(self, timeout: float = 30.0) -> None:
        def ready() -> bool:
            assert self.process.poll() is None, f"server exited early:\n{self.stderr()}"
            try:
                return httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, timeout, "readiness")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then the exit code (a hard kill and a failed assertion if it takes too long)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"server did not stop within {timeout} s") from None

    def kill(self) -> None:
        """Leaves nothing running: the server and every worker it had, by PID."""
        pids = {*self.workers, *self.children()}
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for file in self.files:
            file.close()


def start_server(directory: Path, *args: str) -> Server:
    """`python -m usher serve` on a free port with a SQLite file in `directory` (not yet waited for)."""
    port = free_port()
    out_path, err_path = directory / f"serve-{port}.out", directory / f"serve-{port}.err"
    out, err = out_path.open("wb"), err_path.open("wb")
    command = [sys.executable, "-m", "usher", "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, cwd=directory, env=server_env(directory / "usher.db"), stdout=out, stderr=err)
    return Server(process, port, out_path, err_path, [out, err])


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return sorted(found)


def tcp_sockets(port: int, state: str) -> dict[int, int]:
    """Socket inode -> remote port, of TCP sockets whose local port is `port`, in the given state."""
    found: dict[int, int] = {}
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, st, inode = fields[1], fields[2], fields[3], int(fields[9])
            if st == state and int(local.rsplit(":", 1)[1], 16) == port:
                found[inode] = int(remote.rsplit(":", 1)[1], 16)
    return found


def socket_inodes(pid: int) -> set[int]:
    """Inodes of the sockets process `pid` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(int(target[len("socket:[") : -1]))
    return inodes
