"""A real `usher serve` for SDK tests: SQLite, a free port, its public URL set to where it listens."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.cli.processes import Server, free_port, server_env


@contextmanager
def usher_serve(directory: Path) -> Iterator[tuple[Server, str]]:
    """The running server and the default app's secret key; always stopped by PID."""
    port = free_port()
    env = {**server_env(directory / "usher.db"), "USHER_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    out_path, err_path = directory / "serve.out", directory / "serve.err"
    out, err = out_path.open("wb"), err_path.open("wb")
    command = [sys.executable, "-m", "usher", "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=directory, env=env, stdout=out, stderr=err)
    server = Server(process, port, out_path, err_path, [out, err])
    try:
        server.wait_ready()
        rotate = [sys.executable, "-m", "usher", "apps", "rotate-secret", "default", "--json"]
        done = subprocess.run(rotate, cwd=directory, env=env, capture_output=True, text=True, check=True)
        yield server, str(json.loads(done.stdout)["secret_key"])
    finally:
        server.kill()
