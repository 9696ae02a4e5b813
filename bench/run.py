"""usher's benchmark suite: the real `usher serve` over loopback, driven by wrk, beside its references.

    .venv/bin/python bench/run.py [--quick] [--workers 2] [--db sqlite|postgresql|both] [--duration S] [--no-peer]

Scenarios (each against a freshly seeded server per database): session check (native /me, M3O ReadSession,
WeKan /api/user), access-token refresh, sign-in, sign-up, mixed (90% checks, 8% sign-ins, 2% sign-ups, with the
resident memory and CPU time of every worker), and a sign-in flood with session checks beside it. References in
the same run: a bare FastAPI endpoint served the same way, raw argon2id verifications/s with usher's default
parameters on as many processes as workers, and the peer, fastapi-users (bench/peer/: its documented SQLAlchemy +
aiosqlite set-up in a throwaway venv, bench/.peer-venv, with as many workers): GET /users/me with a database-
strategy token and with a JWT, and the JWT login. Prints a table and ratios, writes bench/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import multiprocessing
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LUA = BENCH / "lua"
RESULTS = BENCH / "results"
PEER_APP = BENCH / "peer" / "fastapi_users_app.py"
PEER_REQUIREMENTS = BENCH / "peer" / "requirements.txt"
PEER_VENV = BENCH / ".peer-venv"
PEER_RATIOS = [  # usher's scenario, the peer's
    ("check_native_me", "users_me_database"),  # issue 7's target: at least 8
    ("check_native_me", "users_me_jwt"),
    ("signin", "login_jwt"),
]
VENV_BIN = Path(sys.executable).parent
USHER = str(VENV_BIN / "usher")
PASSWORD = "bench-Passw0rd-long-enough"
PG_ADMIN = ("127.0.0.1", 5432, "postgres", "test")
PG_DB = "usher_bench"
HIGH = "1000000000"
LIMITS = [
    "SIGNIN_PER_ADDRESS",
    "SIGNIN_PER_ACCOUNT",
    "SIGNUP_PER_ADDRESS",
    "CODE_PER_ADDRESS",
    "CODE_PER_ACCOUNT",
    "MAIL_PER_ADDRESS",
    "MAIL_PER_RECIPIENT",
    "REFRESH_PER_ADDRESS",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reachable(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


# ---------------------------------------------------------------- processes


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    return 0


@dataclass
class Server:
    """A server process group we started: stopped by PID (SIGTERM, then SIGKILL) in every case."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    workers: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, expected_workers: int, timeout: float = 60) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        out = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self.log_path.parent
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + ready_path, timeout=1).status_code == 200:
                    pids = children(self.proc.pid) if expected_workers > 1 else [self.proc.pid]
                    if len(pids) >= expected_workers:
                        self.workers = pids
                        return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.workers = children(self.proc.pid) or self.workers
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for pid in self.workers:  # the workers die with their parent; make sure of it, by PID
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- load generator


def wrk(
    url: str, script: str, args: list[str], *, duration: float, connections: int, threads: int, timeout: int = 10
) -> dict[str, Any]:
    """One wrk run; the Lua `done` prints a JSON line, which becomes the result (requests/s, p50/p90/p99 in ms)."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        f"{timeout}s",
        "-s",
        str(LUA / script),
        url,
        "--",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout + 60, check=False)
    match = re.search(r"^BENCHJSON (.*)$", done.stdout, re.M)
    if not match:
        raise RuntimeError(f"wrk gave no summary (rc {done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
    raw = json.loads(match.group(1))
    seconds = raw["duration_us"] / 1e6
    return {
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "requests": raw["requests"],
        "non_2xx": raw["status_errors"],
        "socket_errors": raw["socket_errors"],
        "connections": connections,
        "seconds": round(seconds, 2),
    }


# ---------------------------------------------------------------- seeding


@dataclass
class Seed:
    logins: list[str]
    tokens: list[str]
    wekan_tokens: list[str]
    refresh_tokens: list[str]
    app_key: str


async def _seed(base: str, users: int, refresh: int, wekan: int, tag: str) -> tuple[list[str], ...]:
    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def post(path: str, body: dict[str, Any], key: str) -> str:
            async with limit:
                for _ in range(5):  # a 503 (hash queue full) is retried
                    answer = await client.post(path, json=body)
                    if answer.status_code != 503:
                        break
                    await asyncio.sleep(0.5)
                answer.raise_for_status()
                data = answer.json()
                return str(data["session"]["token"] if key == "session" else data[key])

        logins = [f"seed-{tag}-{n}@example.com" for n in range(users)]
        tokens = await asyncio.gather(
            *(post("/v1/apps/default/signup", {"email": e, "password": PASSWORD}, "session") for e in logins)
        )
        refresh_tokens = await asyncio.gather(
            *(
                post("/v1/apps/default/token", {"login": logins[n % users], "password": PASSWORD}, "refresh_token")
                for n in range(refresh)
            )
        )
        wekan_tokens = await asyncio.gather(
            *(
                post(
                    "/wekan/users/register",
                    {"username": f"wk{tag}{n}", "email": f"wk-{tag}-{n}@example.com", "password": PASSWORD},
                    "token",
                )
                for n in range(wekan)
            )
        )
    return logins, list(tokens), list(refresh_tokens), list(wekan_tokens)


# ---------------------------------------------------------------- references


def _argon2_worker(params: dict[str, int], seconds: float, out: Any) -> None:
    import argon2

    hasher = argon2.PasswordHasher(
        time_cost=params["time_cost"], memory_cost=params["memory_kib"], parallelism=params["parallelism"]
    )
    stored = hasher.hash(PASSWORD)
    count, started = 0, time.monotonic()
    while time.monotonic() < started + seconds:
        hasher.verify(stored, PASSWORD)
        count += 1
    out.put(count / (time.monotonic() - started))  # the set-up (start, first hash) is left out: 0.5 s at 64 MiB


def usher_argon2_params() -> dict[str, int]:
    from usher.settings import Settings

    fields = Settings.model_fields
    return {
        "time_cost": int(fields["argon2_time_cost"].default),
        "memory_kib": int(fields["argon2_memory_kib"].default),
        "parallelism": int(fields["argon2_parallelism"].default),
    }


def argon2_rate(processes: int, seconds: float, params: dict[str, int] | None = None) -> dict[str, Any]:
    """Verifications/s of `processes` processes verifying in a loop (usher's default argon2id parameters unless
    others are given: the peer's)."""
    params = params or usher_argon2_params()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_argon2_worker, args=(params, seconds, queue)) for _ in range(processes)]
    for proc in procs:
        proc.start()
    rates = [queue.get(timeout=seconds + 60) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
    return {"verifications_per_s": round(sum(rates), 1), "processes": processes, **params}


# ---------------------------------------------------------------- database


def psql(sql: str, database: str = PG_ADMIN[3]) -> None:
    host, port, user, _ = PG_ADMIN
    subprocess.run(
        ["psql", "-h", host, "-p", str(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
        timeout=60,
    )


def pg_available() -> bool:
    return reachable(PG_ADMIN[0], PG_ADMIN[1]) and shutil.which("psql") is not None


# ---------------------------------------------------------------- one database


class Sampler:
    """Samples VmRSS of the workers during a scenario (peak per worker) and their CPU time (spread)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self.start_ticks = {pid: cpu_ticks(pid) for pid in pids}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop_event.wait(0.25):
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_kib(pid))

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)

    def report(self) -> dict[str, Any]:
        used = {pid: cpu_ticks(pid) - self.start_ticks[pid] for pid in self.pids}
        total = sum(used.values()) or 1
        return {
            "rss_peak_mib": {str(pid): round(kib / 1024, 1) for pid, kib in self.peak.items()},
            "cpu_share": {str(pid): round(ticks / total, 3) for pid, ticks in used.items()},
        }


def bench_database(db: str, opts: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tag = secrets.token_hex(3)
    env = dict(os.environ)
    env.update({f"USHER_LIMIT_{name}": HIGH for name in LIMITS})
    env["USHER_SECRET_KEY"] = secrets.token_urlsafe(32)
    env["USHER_ENV"] = "dev"
    if db == "sqlite":
        env["USHER_DATABASE_URL"] = f"sqlite:///{workdir / 'usher.db'}"
    else:
        psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {PG_DB}")
        env["USHER_DATABASE_URL"] = f"postgresql://{PG_ADMIN[2]}@{PG_ADMIN[0]}:{PG_ADMIN[1]}/{PG_DB}"
    subprocess.run([USHER, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120, cwd=workdir)
    rotated = subprocess.run(
        [USHER, "apps", "rotate-secret", "default", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=workdir,
    )
    app_key = json.loads(rotated.stdout)["secret_key"]
    port = free_port()
    cmd = [USHER, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(opts.workers)]
    server = Server(f"usher ({db})", cmd, env, port, workdir / f"usher-{db}.log")
    results: dict[str, Any] = {}
    run = {"duration": opts.duration, "connections": opts.connections, "threads": opts.threads}
    try:
        server.start("/readyz", opts.workers)
        results["rss_idle_mib"] = {str(pid): round(rss_kib(pid) / 1024, 1) for pid in server.workers}
        log(f"{db}: usher serving {server.url}, workers {server.workers}; seeding")
        started = time.monotonic()
        logins, tokens, refresh, wekan_tokens = asyncio.run(
            _seed(server.url, opts.users, opts.connections * 2, 16, tag)
        )
        results["seed_seconds"] = round(time.monotonic() - started, 1)
        files = {}
        for name, lines in {"tokens": tokens, "logins": logins, "refresh": refresh, "wekan": wekan_tokens}.items():
            files[name] = workdir / f"{db}-{name}.txt"
            files[name].write_text("\n".join(lines) + "\n")
        key = app_key
        scenarios: list[tuple[str, str, list[str]]] = [
            ("check_native_me", "check.lua", ["native", str(files["tokens"]), key]),
            ("check_m3o_readsession", "check.lua", ["m3o", str(files["tokens"]), key]),
            ("check_wekan_api_user", "check.lua", ["wekan", str(files["wekan"]), key]),
            ("refresh", "refresh.lua", [str(files["refresh"]), str(opts.threads)]),
            ("signin", "signin.lua", [str(files["logins"]), PASSWORD]),
            ("signup", "signup.lua", [f"su-{tag}", PASSWORD]),
        ]
        for name, script, args in scenarios:
            results[name] = wrk(server.url, script, args, **run)
            log(f"{db}: {name}: {fmt(results[name])}")
        with Sampler(children(server.proc.pid) if opts.workers > 1 else server.workers) as sampler:  # type: ignore[union-attr]
            mixed_args = [str(files["tokens"]), str(files["logins"]), f"mx-{tag}", PASSWORD]
            results["mixed"] = wrk(server.url, "mixed.lua", mixed_args, **run)
        results["mixed"].update(sampler.report())
        log(f"{db}: mixed: {fmt(results['mixed'])} rss {results['mixed']['rss_peak_mib']}")
        results["signin_flood"], results["check_during_flood"] = flood(server.url, files, opts)
        log(f"{db}: check during sign-in flood: {fmt(results['check_during_flood'])}")
    finally:
        server.stop()
        if db == "postgresql":
            with contextlib.suppress(subprocess.SubprocessError):
                psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    return results


def flood(url: str, files: dict[str, Path], opts: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """A sign-in flood (64 connections) with 8 connections of native session checks beside it."""
    found: dict[str, dict[str, Any]] = {}

    def signins() -> None:
        found["signin"] = wrk(
            url,
            "signin.lua",
            [str(files["logins"]), PASSWORD],
            duration=opts.duration,
            connections=opts.connections,
            threads=1,
        )

    thread = threading.Thread(target=signins)
    thread.start()
    time.sleep(0.5)
    checks = wrk(
        url,
        "check.lua",
        ["native", str(files["tokens"]), ""],
        duration=max(1, opts.duration - 1),
        connections=8,
        threads=1,
    )
    thread.join(timeout=opts.duration + 90)
    return found.get("signin", {}), checks


def fmt(result: dict[str, Any]) -> str:
    errors = result.get("non_2xx", 0) + result.get("socket_errors", 0)
    return (
        f"{result.get('rps', 0):>9.1f} req/s  p50 {result.get('p50_ms', 0):>7.2f} ms  "
        f"p99 {result.get('p99_ms', 0):>7.2f} ms  errors {errors}"
    )


# ---------------------------------------------------------------- the peer: fastapi-users


class PeerSkipped(Exception):
    """The peer cannot be measured in this run (no network for its venv, a failed start ...): the reason."""


def peer_python() -> Path:
    """bench/.peer-venv with bench/peer/requirements.txt installed; rebuilt only when that file (or the Python
    that builds it) changed, so a repeated run reuses it."""
    want = hashlib.sha256(PEER_REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()
    stamp = PEER_VENV / ".requirements-sha256"
    python = PEER_VENV / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == want:
        return python
    log(f"peer: building {PEER_VENV} (fastapi-users, pinned in bench/peer/requirements.txt)")
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "1"]
    steps = [[sys.executable, "-m", "venv", str(PEER_VENV)], [*pip, "--timeout", "20", "-r", str(PEER_REQUIREMENTS)]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600, check=False)
        except subprocess.TimeoutExpired:
            shutil.rmtree(PEER_VENV, ignore_errors=True)
            raise PeerSkipped(f"'{' '.join(step[:4])} ...' took over 600 s") from None
        if done.returncode != 0:
            shutil.rmtree(PEER_VENV, ignore_errors=True)
            last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
            raise PeerSkipped(f"could not build its venv ({' '.join(step[1:4])}: {last})")
    stamp.write_text(want + "\n")
    return python


async def _seed_peer(base: str, users: int, tag: str) -> tuple[list[str], list[str], list[str]]:
    """Registers `users` users through the peer's API and logs each in once per backend: logins, database
    tokens, JWTs."""
    limit = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:

        async def one(email: str) -> tuple[str, str]:
            async with limit:
                (await client.post("/auth/register", json={"email": email, "password": PASSWORD})).raise_for_status()
                tokens = []
                for backend in ("database", "jwt"):
                    answer = await client.post(f"/auth/{backend}/login", data={"username": email, "password": PASSWORD})
                    answer.raise_for_status()
                    tokens.append(str(answer.json()["access_token"]))
                return tokens[0], tokens[1]

        logins = [f"peer-{tag}-{n}@example.com" for n in range(users)]
        pairs = await asyncio.gather(*(one(email) for email in logins))
    return logins, [db for db, _ in pairs], [jwt for _, jwt in pairs]


def bench_peer(python: Path, opts: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """fastapi-users on a fresh SQLite file with as many workers as usher: /users/me with each backend's token,
    and the JWT login, driven like usher's scenarios."""
    described = subprocess.run(
        [str(python), str(PEER_APP), "--describe"], capture_output=True, text=True, timeout=120, check=True
    )
    results: dict[str, Any] = {"database": "sqlite", **json.loads(described.stdout)}
    peer_dir = workdir / "peer"
    peer_dir.mkdir()
    env = dict(os.environ)
    env["PEER_DATABASE_URL"] = f"sqlite+aiosqlite:///{peer_dir / 'peer.db'}"
    env["PEER_SECRET"] = secrets.token_urlsafe(32)
    subprocess.run(
        [str(python), str(PEER_APP), "--create-tables"], env=env, check=True, capture_output=True, timeout=120
    )
    port = free_port()
    cmd = [str(python), str(PEER_APP), "--port", str(port), "--workers", str(opts.workers)]
    server = Server("fastapi-users", cmd, env, port, peer_dir / "peer.log")
    run = {"duration": opts.duration, "connections": opts.connections, "threads": opts.threads}
    try:
        server.start("/docs", opts.workers)
        results["rss_idle_mib"] = {str(pid): round(rss_kib(pid) / 1024, 1) for pid in server.workers}
        log(f"peer: fastapi-users serving {server.url}, workers {server.workers}; seeding")
        started = time.monotonic()
        logins, db_tokens, jwts = asyncio.run(_seed_peer(server.url, opts.peer_users, secrets.token_hex(3)))
        results["seed_seconds"] = round(time.monotonic() - started, 1)
        files = {"logins": logins, "database": db_tokens, "jwt": jwts}
        paths = {name: peer_dir / f"{name}.txt" for name in files}
        for name, lines in files.items():
            paths[name].write_text("\n".join(lines) + "\n")
        scenarios: list[tuple[str, list[str], int]] = [
            ("users_me_database", ["me", str(paths["database"])], 10),
            ("users_me_jwt", ["me", str(paths["jwt"])], 10),
            ("login_jwt", ["login", str(paths["logins"]), PASSWORD], 30),  # a login costs more than usher's
        ]
        for name, args, timeout in scenarios:
            results[name] = wrk(server.url, "peer.lua", args, timeout=timeout, **run)
            log(f"peer: {name}: {fmt(results[name])}")
    finally:
        server.stop()
    return results


def prepare_peer(opts: argparse.Namespace, dbs: list[str]) -> tuple[Path | None, str]:
    """The peer venv's python, built before anything is measured, or None and why the peer is skipped."""
    if opts.no_peer:
        return None, "--no-peer"
    if "sqlite" not in dbs:
        return None, "it runs on SQLite and is compared with usher on SQLite; this run has no SQLite"
    try:
        return peer_python(), ""
    except (PeerSkipped, OSError, subprocess.SubprocessError) as exc:
        return None, str(exc)


def measure_peer(python: Path, opts: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """The peer's figures and a raw argon2id reference at its own hash parameters, or {"skipped": reason}."""
    try:
        results = bench_peer(python, opts, workdir)
    except (RuntimeError, OSError, subprocess.SubprocessError, httpx.HTTPError, ValueError) as exc:
        log(f"peer skipped: {exc}")
        return {"skipped": str(exc)}
    hashing = results["hash"]
    if hashing.get("algorithm") == "argon2id":
        params = {k: int(hashing[k]) for k in ("time_cost", "memory_kib", "parallelism")}
        results["argon2id_own_params"] = argon2_rate(opts.workers, min(opts.duration, 10), params)
        log(f"peer: argon2id at its parameters: {results['argon2id_own_params']['verifications_per_s']} /s")
    return results


def peer_ratios(peer: dict[str, Any], bare_rps: float, argon2: float) -> dict[str, float]:
    """The peer against the references measured in the same run."""
    out = {}
    for name in ("users_me_database", "users_me_jwt"):
        if peer.get(name, {}).get("rps"):
            out[f"{name} / bare"] = round(peer[name]["rps"] / bare_rps, 3)
    if peer.get("login_jwt", {}).get("rps"):
        out["login_jwt / argon2 (usher's parameters)"] = round(peer["login_jwt"]["rps"] / argon2, 3)
        own = peer.get("argon2id_own_params", {}).get("verifications_per_s")
        if own:
            out["login_jwt / argon2 (its parameters)"] = round(peer["login_jwt"]["rps"] / own, 3)
    return out


# ---------------------------------------------------------------- report


def ratios(
    db_results: dict[str, Any], bare_rps: float, argon2: float, peer: dict[str, Any] | None = None
) -> dict[str, float]:
    out = {}
    for name in ("check_native_me", "check_m3o_readsession", "check_wekan_api_user"):
        if name in db_results:
            out[f"{name} / bare"] = round(db_results[name]["rps"] / bare_rps, 3)
    for name in ("signin", "signup", "signin_flood"):
        if db_results.get(name):
            out[f"{name} / argon2"] = round(db_results[name]["rps"] / argon2, 3)
    if "mixed" in db_results:  # 10% of the mixed requests hash a password: the share of the argon2 rate they use
        out["mixed hashes / argon2"] = round(db_results["mixed"]["rps"] * 0.10 / argon2, 3)
    for usher, theirs in PEER_RATIOS:  # the peer runs on SQLite: given only for usher on SQLite
        if peer and db_results.get(usher, {}).get("rps") and peer.get(theirs, {}).get("rps"):
            out[f"{usher} / peer {theirs}"] = round(db_results[usher]["rps"] / peer[theirs]["rps"], 3)
    return out


def print_peer(peer: dict[str, Any]) -> None:
    if "skipped" in peer:
        print(f"\n  peer skipped: {peer['skipped']}")
        return
    hashing = peer["hash"]
    print(
        f"\n  [peer: fastapi-users {peer['versions']['fastapi-users']}, SQLite]  seeded in {peer['seed_seconds']} s; "
        f"password hash {hashing.get('algorithm')} t={hashing.get('time_cost')}, m={hashing.get('memory_kib')} KiB, "
        f"p={hashing.get('parallelism')} ({' then '.join(hashing['hashers'])})"
    )
    for label, name in (
        ("GET /users/me, database strategy", "users_me_database"),
        ("GET /users/me, JWT strategy", "users_me_jwt"),
        ("POST /auth/jwt/login", "login_jwt"),
    ):
        if peer.get(name):
            print(f"  {label:<34}{fmt(peer[name])}")
    own = peer.get("argon2id_own_params")
    if own:
        print(f"  {'raw argon2id verify, its params':<34}{own['verifications_per_s']:>9.1f} verifications/s")
    print(f"  {'worker RSS idle (MiB)':<34}{peer['rss_idle_mib']}")
    print("  ratios: " + ", ".join(f"{k} = {v}" for k, v in peer.get("ratios", {}).items()))


def print_report(report: dict[str, Any]) -> None:
    bare = report["references"]["bare_fastapi"]
    argon2 = report["references"]["argon2id"]
    print()
    print(f"usher benchmark  {report['started']}  {report['machine']['cpus']} CPUs  workers {report['workers']}")
    print(f"  {'bare FastAPI GET /ping':<34}{fmt(bare)}")
    print(
        f"  {'raw argon2id verify (' + str(argon2['processes']) + ' procs)':<34}"
        f"{argon2['verifications_per_s']:>9.1f} verifications/s  "
        f"(t={argon2['time_cost']}, m={argon2['memory_kib']} KiB, p={argon2['parallelism']})"
    )
    print_peer(report["peer"])
    for db, results in report["databases"].items():
        print(f"\n  [{db}]  seeded in {results['seed_seconds']} s")
        for name in (
            "check_native_me",
            "check_m3o_readsession",
            "check_wekan_api_user",
            "refresh",
            "signin",
            "signup",
            "mixed",
            "signin_flood",
            "check_during_flood",
        ):
            if results.get(name):
                print(f"  {name:<34}{fmt(results[name])}")
        mixed = results["mixed"]
        print(f"  {'worker RSS idle (MiB)':<34}{results['rss_idle_mib']}")
        print(f"  {'worker RSS peak during mixed (MiB)':<34}{mixed['rss_peak_mib']}")
        print(f"  {'worker CPU share during mixed':<34}{mixed['cpu_share']}")
        print("  ratios: " + ", ".join(f"{k} = {v}" for k, v in report["ratios"][db].items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--quick", action="store_true", help="5 s per scenario (about 3.5 minutes with both databases and the peer)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=float, help="seconds per scenario (quick 5, full 15)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--no-peer", action="store_true", help="skip the peer (fastapi-users)")
    opts = parser.parse_args()
    opts.duration = opts.duration or (5.0 if opts.quick else 15.0)
    opts.users = 64 if opts.quick else 256
    opts.peer_users = 16 if opts.quick else 32  # each costs the peer three hashes at its parameters
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    dbs = ["sqlite", "postgresql"] if opts.db == "both" else [opts.db]
    if "postgresql" in dbs and not pg_available():
        log("PostgreSQL not reachable at 127.0.0.1:5432 (or no psql): skipped")
        dbs.remove("postgresql")
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    report: dict[str, Any] = {
        "started": started,
        "command": " ".join(sys.argv),
        "workers": opts.workers,
        "duration": opts.duration,
        "connections": opts.connections,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_before": os.getloadavg(),
        },
        "databases": {},
    }
    peer_python_path, peer_skip = prepare_peer(opts, dbs)
    if peer_python_path is None:
        log(f"peer skipped: {peer_skip}")
    with tempfile.TemporaryDirectory(prefix="usher-bench-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        bare_cmd = [sys.executable, str(BENCH / "bare_app.py"), "--port", str(port), "--workers", str(opts.workers)]
        bare_server = Server("bare", bare_cmd, dict(os.environ), port, workdir / "bare.log")
        try:
            bare_server.start("/ping", opts.workers)
            run = {"duration": opts.duration, "connections": opts.connections, "threads": opts.threads}
            bare = wrk(bare_server.url + "/ping", "bare.lua", [], **run)
        finally:
            bare_server.stop()
        log(f"bare: {fmt(bare)}")
        argon2 = argon2_rate(opts.workers, min(opts.duration, 10))
        log(f"argon2id: {argon2['verifications_per_s']} verifications/s on {opts.workers} processes")
        report["references"] = {"bare_fastapi": bare, "argon2id": argon2}
        peer: dict[str, Any] = (
            measure_peer(peer_python_path, opts, workdir) if peer_python_path else {"skipped": peer_skip}
        )
        if "skipped" not in peer:
            peer["ratios"] = peer_ratios(peer, bare["rps"], argon2["verifications_per_s"])
        report["peer"] = peer
        for db in dbs:
            report["databases"][db] = bench_database(db, opts, workdir)
    compared = None if "skipped" in report["peer"] else report["peer"]
    report["ratios"] = {
        db: ratios(results, bare["rps"], argon2["verifications_per_s"], compared if db == "sqlite" else None)
        for db, results in report["databases"].items()
    }
    report["machine"]["load_after"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{started.replace(':', '')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
