"""Real-time notifications at scale: ``--clients`` WebSocket clients (1,000) through the
gateway, ``--rate`` notifications a second in all (100), each to one user; p50/p99 of
write -> client and RSS per idle connection of the gateway and the notifications process,
beside a minimal ``websockets`` server (``peer_server.py``) with the same clients and the
same pattern in the same run.

Ours: the notifications service under uvicorn (as dev/Procfile runs it) behind the gateway
(``python -m gateway``), each one process, on an own database ``bench_websockets`` (created,
migrated, dropped), the local Redis (channel layer through the Sentinel) and the Redis
Cluster (the gateway's limits), tokens of a throw-away key served as a JWKS. The gateway's
per-address socket cap and rate limits are raised out of reach (every client shares one
address). The writer (``writer.py``, own process) calls the service's write,
``notification_create``, titled with the time just before it; a client's latency is its
receive time minus that title. The peer's writer sends the same frames over one socket.

RSS per idle connection: (RSS with every client connected and idle - RSS with the warm-up
clients only) / the clients added, read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from websockets.asyncio.client import ClientConnection, connect

from platform_common.testing.bench import Goal, Row, free_port, record, wait_until_serving
from platform_common.testing.jwt import JWKSServer, SigningKey, sign_token

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SERVICE_DIR = ROOT / "services" / "notifications"
BIN = Path(sys.executable).parent
NAME = "bench_websockets"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{NAME}"
ISSUER = "http://accounts.bench"
AUDIENCE = "platform"
WARM_CLIENTS = 20
CONNECT_CONCURRENCY = 50
SETTLE_SECONDS = 3.0
DRAIN_SECONDS = 3.0
P99_GOAL_MS = 100.0
RSS_GOAL_KB = 60.0


@dataclass
class Received:
    latencies: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Figures:
    sent: int
    received: int
    p50_ms: float
    p99_ms: float
    rss_kb_per_connection: dict[str, float]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def admin(sql: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as db:
        db.execute(sql.encode())


@contextlib.contextmanager
def database(env: dict[str, str]) -> Iterator[None]:
    admin(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
    admin(f"CREATE DATABASE {NAME}")
    try:
        subprocess.run(
            [BIN / "python", "manage.py", "migrate", "-v", "0"],
            cwd=SERVICE_DIR,
            env=env,
            check=True,
        )
        yield
    finally:
        admin(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


@contextlib.contextmanager
def running(command: list[str], *, env: dict[str, str], cwd: Path) -> Iterator[int]:
    """``command`` as one process; yields its pid."""
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process.pid
    finally:
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        if process.returncode not in (0, -15) and stderr:
            print(stderr[-3000:], file=sys.stderr)


async def listen(socket: ClientConnection, received: Received) -> None:
    with contextlib.suppress(Exception):
        async for frame in socket:
            now = time.time()
            message = json.loads(frame)
            if message.get("type") == "notification.created":
                received.latencies.append(now - float(message["notification"]["title"]))


async def open_clients(urls: list[str], received: Received) -> list[ClientConnection]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(url: str) -> ClientConnection:
        async with gate:
            socket = await connect(url, open_timeout=60, ping_interval=None, max_queue=None)
        asyncio.get_running_loop().create_task(listen(socket, received))
        return socket

    return list(await asyncio.gather(*(one(url) for url in urls)))


async def measure(
    urls: list[str],
    pids: dict[str, int],
    write: Callable[[], Awaitable[None]],
    *,
    sent: int,
) -> Figures:
    """Warm-up clients, RSS, every client, RSS, then ``write()`` (a coroutine function)."""
    received = Received()
    sockets = await open_clients(urls[:WARM_CLIENTS], received)
    await asyncio.sleep(SETTLE_SECONDS)
    before = {name: rss_kb(pid) for name, pid in pids.items()}
    sockets += await open_clients(urls[WARM_CLIENTS:], received)
    await asyncio.sleep(SETTLE_SECONDS)
    after = {name: rss_kb(pid) for name, pid in pids.items()}
    added = len(urls) - WARM_CLIENTS
    await write()
    await asyncio.sleep(DRAIN_SECONDS)
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    quantiles = statistics.quantiles(received.latencies, n=100)
    return Figures(
        sent=sent,
        received=len(received.latencies),
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        rss_kb_per_connection={name: (after[name] - before[name]) / added for name in pids},
    )


async def ours(args: argparse.Namespace, tmp: Path) -> Figures:
    key = SigningKey.generate()
    jwks = JWKSServer([key]).start()
    users = [uuid.uuid4() for _ in range(args.clients)]
    users_file = tmp / "users.txt"
    users_file.write_text("\n".join(str(user) for user in users))
    service_port, gateway_port = free_port(), free_port()
    base = {k: v for k, v in os.environ.items() if k not in ("ENV_FILE", "DJANGO_SETTINGS_MODULE")}
    trust = {"JWKS_URL": jwks.url, "JWT_ISSUER": ISSUER, "JWT_AUDIENCE": AUDIENCE}
    service_env = {
        **base,
        **trust,
        "ENV_FILE": str(ROOT / "dev/env/notifications.env"),
        "DATABASE_URL": DATABASE_URL,
        "DATABASE_DIRECT_URL": DATABASE_URL,
        "LOG_LEVEL": "WARNING",
        "OTEL_SDK_DISABLED": "true",
    }
    limits = str(args.clients * 2 + 100)
    gateway_env = {
        **base,
        **trust,
        "ENV_FILE": str(ROOT / "dev/env/gateway.env"),
        "UPSTREAM_NOTIFICATIONS": f"http://127.0.0.1:{service_port}",
        "WEBSOCKET_MAX_CONNECTIONS": limits,
        "WEBSOCKET_MAX_PER_CLIENT": limits,
        "RATE_LIMIT_ANONYMOUS": "1000000000",
        "RATE_LIMIT_AUTHENTICATED": "1000000000",
        "RATE_LIMIT_TOKEN_CHECKS": "1000000000",
        "RATE_LIMIT_KEY_PREFIX": f"bench-ws-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
        "OTEL_SDK_DISABLED": "true",
    }
    service = [str(BIN / "uvicorn"), "notifications.config.asgi:application", "--no-access-log"]
    service += ["--host", "127.0.0.1", "--port", str(service_port)]
    gateway = [str(BIN / "python"), "-m", "gateway", "--host", "127.0.0.1"]
    gateway += ["--port", str(gateway_port)]
    writer = [str(BIN / "python"), str(HERE / "writer.py"), "--users", str(users_file)]
    writer += ["--rate", str(args.rate), "--seconds", str(args.seconds)]
    try:
        with (
            database(service_env),
            running(service, env=service_env, cwd=SERVICE_DIR) as service_pid,
            running(gateway, env=gateway_env, cwd=ROOT) as gateway_pid,
        ):
            wait_until_serving(f"http://127.0.0.1:{service_port}/healthz", timeout=30.0)
            wait_until_serving(f"http://127.0.0.1:{gateway_port}/healthz", timeout=30.0)
            urls = [
                f"ws://127.0.0.1:{gateway_port}/ws/notifications/?access_token="
                + sign_token(key, issuer=ISSUER, audience=AUDIENCE, sub=user, exp_delta=3600)
                for user in users
            ]

            async def write() -> None:
                process = await asyncio.create_subprocess_exec(
                    *writer, cwd=SERVICE_DIR, env=service_env
                )
                if await process.wait() != 0:
                    sys.exit("the writer failed")

            pids = {"gateway": gateway_pid, "notifications": service_pid}
            return await measure(urls, pids, write, sent=int(args.rate * args.seconds))
    finally:
        jwks.stop()


async def peer(args: argparse.Namespace) -> Figures:
    port = free_port()
    server = [str(BIN / "python"), str(HERE / "peer_server.py"), str(port)]
    with running(server, env=dict(os.environ), cwd=ROOT) as pid:
        deadline = time.monotonic() + 15
        while True:
            try:
                publisher = await connect(f"ws://127.0.0.1:{port}/publish")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        total = int(args.rate * args.seconds)

        async def write() -> None:
            started = time.monotonic()
            for index in range(total):
                if (wait := started + index / args.rate - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                frame = {"to": index % args.clients, "title": repr(time.time())}
                await publisher.send(json.dumps(frame))

        urls = [f"ws://127.0.0.1:{port}/?user={index}" for index in range(args.clients)]
        figures = await measure(urls, {"websockets": pid}, write, sent=total)
        await publisher.close()
        return figures


def report(name: str, figures: Figures) -> None:
    rss = ", ".join(f"{k} {v:.1f} KB" for k, v in figures.rss_kb_per_connection.items())
    print(
        f"{name:32} received {figures.received}/{figures.sent}  p50 {figures.p50_ms:.1f} ms  "
        f"p99 {figures.p99_ms:.1f} ms  RSS per idle connection: {rss}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="notifications/s in all")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-websockets-") as tmp:
        our = asyncio.run(ours(args, Path(tmp)))
    report("gateway + notifications", our)
    theirs = asyncio.run(peer(args))
    report("minimal websockets server", theirs)
    clients = f"{args.clients:,} clients, {args.rate:g}/s"
    peer_name = "minimal websockets server"
    peer_rss = theirs.rss_kb_per_connection["websockets"]
    p99_goal = (Goal("ours", "<=", P99_GOAL_MS),)
    rss_goal = (Goal("ours", "<=", RSS_GOAL_KB),)
    rows = [
        Row(
            "websockets",
            f"p50 write -> client, {clients}, ms",
            our.p50_ms,
            theirs.p50_ms,
            peer_name,
            (),
        ),
        Row(
            "websockets",
            f"p99 write -> client, {clients}, ms",
            our.p99_ms,
            theirs.p99_ms,
            peer_name,
            p99_goal,
        ),
        Row(
            "websockets",
            "RSS per idle connection, gateway, KB",
            our.rss_kb_per_connection["gateway"],
            peer_rss,
            peer_name,
            rss_goal,
        ),
        Row(
            "websockets",
            "RSS per idle connection, notifications, KB",
            our.rss_kb_per_connection["notifications"],
            peer_rss,
            peer_name,
            rss_goal,
        ),
    ]
    for row in rows:
        record(row)
    lost = [(name, f) for name, f in (("ours", our), ("peer", theirs)) if f.received < f.sent]
    if lost:
        sys.exit(f"notifications lost: {[(name, f.sent - f.received) for name, f in lost]}")


if __name__ == "__main__":
    main()
