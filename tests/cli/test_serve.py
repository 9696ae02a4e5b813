"""`usher serve`: refusing unsafe settings, and real server processes over real HTTP (one and two workers)."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import PASSWORD, Cli
from tests.cli.processes import (
    ESTABLISHED,
    LISTEN,
    Server,
    server_env,
    socket_inodes,
    start_server,
    tcp_sockets,
    wait_until,
)

CONNECTIONS = 40

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and uses SO_REUSEPORT")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(*args: str) -> Server:
        server = start_server(tmp_path, *args)
        started.append(server)
        server.wait_ready()
        return server

    try:
        yield start
    finally:
        for server in started:
            server.kill()


def test_serve_in_prod_with_unsafe_settings_exits_2_listing_problems(fresh_cli: Cli) -> None:
    result = fresh_cli("serve", USHER_ENV="prod")
    assert result.exit_code == 2
    assert "USHER_SMTP_URL" in result.stderr and "USHER_SECRET_KEY" in result.stderr
    assert result.stdout == ""


def test_serve_with_workers_and_port_zero_exits_2(fresh_cli: Cli) -> None:
    assert fresh_cli("serve", "--workers", "2", "--port", "0").exit_code == 2


def test_serve_with_zero_workers_exits_2(fresh_cli: Cli) -> None:
    assert fresh_cli("serve", "--workers", "0").exit_code == 2


def test_serve_with_workers_on_taken_port_exits_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        command = [sys.executable, "-m", "usher", "serve", "--workers", "2", "--port", port, "--no-migrate"]
        env = server_env(tmp_path / "usher.db")
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "cannot listen" in done.stderr


def test_serve_one_worker_answers_health_and_native_round_trip_then_stops_on_sigterm(
    serve: Callable[..., Server],
) -> None:
    server = serve("--json")
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["database"] is True
        assert "server" not in ready.headers

        signup = client.post("/v1/apps/default/signup", json={"email": "ada@example.com", "password": PASSWORD})
        assert signup.status_code == 201, signup.text
        signin = client.post("/v1/apps/default/signin", json={"login": "ada@example.com", "password": PASSWORD})
        assert signin.status_code == 200, signin.text
        token = signin.json()["session"]["token"]
        me = client.get("/v1/apps/default/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["user"]["email"] == "ada@example.com"

    assert server.stop() == 0
    log = server.stderr()
    assert "usher.access" in log and "GET /v1/apps/default/me 200" in log
    assert "Application shutdown complete" in log
    assert PASSWORD not in log and token not in log
    started = json.loads(server.stdout())
    assert started["url"] == server.url and started["workers"] == 1


def test_serve_with_no_migrate_leaves_database_unmigrated(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--no-migrate")
    try:
        wait_until(lambda: _answers(server), 30.0, "the server to answer")
        assert server.stop() == 0
    finally:
        server.kill()
    command = [sys.executable, "-m", "usher", "db", "current", "--json"]
    env = server_env(tmp_path / "usher.db")
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["revision"] is None


def _answers(server: Server) -> bool:
    assert server.process.poll() is None, server.stderr()
    try:
        httpx.get(f"{server.url}/healthz", timeout=1.0)
    except httpx.TransportError:
        return False
    return True


def test_serve_two_workers_spreads_keepalive_connections_over_both(serve: Callable[..., Server]) -> None:
    server = serve("--workers", "2")
    wait_until(lambda: len(server.children()) == 2, 10.0, "two workers")
    server.workers = server.children()
    wait_until(lambda: len(tcp_sockets(server.port, LISTEN)) == 2, 10.0, "a listener per worker")

    connections = []
    try:
        for _ in range(CONNECTIONS):  # each a fresh keep-alive connection, held open
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connections.append(connection)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        ours = {connection.sock.getsockname()[1] for connection in connections}
        accepted = {inode for inode, peer in tcp_sockets(server.port, ESTABLISHED).items() if peer in ours}
        per_worker = {pid: len(socket_inodes(pid) & accepted) for pid in server.workers}
    finally:
        for connection in connections:
            connection.close()

    assert sum(per_worker.values()) == CONNECTIONS
    assert min(per_worker.values()) >= 6, per_worker  # binomial(40, 1/2): below 6 has odds of about 1e-6


def test_serve_two_workers_stops_all_on_sigterm(serve: Callable[..., Server]) -> None:
    server = serve("--workers", "2")
    wait_until(lambda: len(server.children()) == 2, 10.0, "two workers")
    server.workers = server.children()

    assert server.stop() == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in server.workers)
    log = server.stderr()
    for pid in server.workers:
        assert f"Finished server process [{pid}]" in log


def _connections_on_both_workers(server: Server) -> dict[int, http.client.HTTPConnection]:
    """One open keep-alive connection accepted by each worker (the kernel picks the worker per connection)."""
    chosen: dict[int, http.client.HTTPConnection] = {}
    spare = []
    for _ in range(CONNECTIONS):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        port = connection.sock.getsockname()[1]
        inode = next(i for i, peer in tcp_sockets(server.port, ESTABLISHED).items() if peer == port)
        worker = next(pid for pid in server.workers if inode in socket_inodes(pid))
        (spare.append(connection) if worker in chosen else chosen.setdefault(worker, connection))
        if len(chosen) == len(server.workers):
            break
    for connection in spare:
        connection.close()
    assert len(chosen) == len(server.workers), "the kernel gave every connection to one worker"
    return chosen


def _status(connection: http.client.HTTPConnection, method: str, path: str, credential: str) -> int:
    connection.request(method, path, headers={"Authorization": f"Bearer {credential}"})
    response = connection.getresponse()
    response.read()
    return response.status


def test_sign_out_is_refused_at_once_by_every_worker(serve: Callable[..., Server]) -> None:
    """No worker may answer from anything but the database: the moment sign-out returns, the session token
    and the access tokens of that session are refused by every worker."""
    server = serve("--workers", "2")
    wait_until(lambda: len(server.children()) == 2, 10.0, "two workers")
    server.workers = server.children()
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        signup = client.post("/v1/apps/default/signup", json={"email": "ada@example.com", "password": PASSWORD})
        assert signup.status_code == 201, signup.text
        session = signup.json()["session"]["token"]
        tokens = client.post("/v1/apps/default/token", json={"login": "ada@example.com", "password": PASSWORD})
        assert tokens.status_code == 200, tokens.text
        access = tokens.json()["access_token"]
    by_worker = _connections_on_both_workers(server)
    try:
        for connection in by_worker.values():
            assert _status(connection, "GET", "/v1/apps/default/me", session) == 200
            assert _status(connection, "GET", "/v1/apps/default/me", access) == 200
        first, second = by_worker.values()
        assert _status(first, "POST", "/v1/apps/default/signout", session) == 204
        for connection in (second, first):  # the other worker first: it never saw the sign-out
            assert _status(connection, "GET", "/v1/apps/default/me", session) == 401
        # The token endpoint's sign-in opened a session of its own: signing out everywhere ends it too.
        assert _status(second, "POST", "/v1/apps/default/signout-everywhere", access) == 204
        for connection in (first, second):
            assert _status(connection, "GET", "/v1/apps/default/me", access) == 401
    finally:
        for connection in by_worker.values():
            connection.close()
