"""The e2e harness: the whole local stack, started the way `make up` starts it.

`dev/bin/prepare --no-sync` (infra, migrations, keys, demo data), then `dev/Procfile` under
honcho in its own process group. The `stack` fixture waits until every service and the
gateway answer /readyz, yields the gateway's base URL, and at the end stops everything and
checks that no process of the stack is left. Every process exports its spans to the
`otlp_sink` of the session, and all their output lands in `stack_log`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_client import register_and_login
from otlp_sink import OtlpSink
from stack_output import PREPARE_PREFIX

from platform_common.testing.http import serving

GATEWAY_URL = "http://127.0.0.1:8000"
READY_URLS = {
    "accounts": "http://127.0.0.1:8001/readyz",
    "content": "http://127.0.0.1:8002/readyz",
    "notifications": "http://127.0.0.1:8003/readyz",
    "gateway": f"{GATEWAY_URL}/readyz",
}
# Web ports, the /metrics ports of the gateway, the workers and the relays, the local
# Prometheus, the SMTP sink.
STACK_PORTS = (8000, 8001, 8002, 8003, 9100, 9111, 9112, 9121, 9122, 9131, 9132, 9090, 1025)
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
# The suites share one client address, and the contract run alone sends thousands of
# requests, many without a valid token: the dev limits (a few sign-ins a minute) would
# answer 429 where a test expects the service's own answer. The gateway's own suite
# proves the limits against the Redis Cluster; here they are set out of reach.
E2E_GATEWAY_LIMITS = {
    name: "1000000"
    for name in (
        "RATE_LIMIT_ANONYMOUS",
        "RATE_LIMIT_AUTHENTICATED",
        "RATE_LIMIT_CREDENTIALS",
        "RATE_LIMIT_TOKEN_CHECKS",
        "RATE_LIMIT_MAIL",
        "RATE_LIMIT_MFA",
    )
}
LOG_TAIL_LINES = 200


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def log_tail(path: Path) -> str:
    lines = path.read_text(errors="replace").splitlines()
    return "\n".join(lines[-LOG_TAIL_LINES:])


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True for a running process (a zombie waiting to be reaped is not running)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def describe(pids: set[int]) -> str:
    lines = []
    for pid in sorted(pids):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            cmd = "?"
        lines.append(f"  {pid}: {cmd}")
    return "\n".join(lines)


def stack_env(repo_root: Path) -> dict[str, str]:
    """The caller's environment minus anything the stack's env files set (hermetic runs)."""
    owned: set[str] = set()
    for env_file in (repo_root / "dev" / "env").glob("*.env"):
        for line in env_file.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                owned.add(line.split("=", 1)[0].strip())
    env = {k: v for k, v in os.environ.items() if k not in owned}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["ROOT"] = str(repo_root)
    return env


def wait_ready(proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    pending = dict(READY_URLS)
    last_error: dict[str, str] = {}
    with httpx.Client(timeout=2.0) as client:
        while pending:
            if proc.poll() is not None:
                pytest.fail(
                    f"the stack exited early (honcho exit {proc.returncode}); output:\n"
                    f"{log_tail(log_path)}",
                    pytrace=False,
                )
            for name, url in list(pending.items()):
                try:
                    response = client.get(url)
                except httpx.HTTPError as exc:
                    last_error[name] = repr(exc)
                    continue
                if response.status_code == 200:
                    del pending[name]
                else:
                    last_error[name] = f"{response.status_code} {response.text[:300]}"
            if pending and time.monotonic() > deadline:
                reasons = "\n".join(f"  {n}: {last_error.get(n, '?')}" for n in pending)
                pytest.fail(
                    f"not ready after {READY_TIMEOUT_S:.0f} s:\n{reasons}\n"
                    f"honcho output:\n{log_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes], log_path: Path) -> None:
    """SIGTERM honcho's process group, wait, then assert nothing of the stack is left."""
    tree = descendants(proc.pid)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for pid in {proc.pid, *tree}:
                kill(pid)
            proc.wait(timeout=10)
            pytest.fail(
                f"honcho did not stop within {STOP_TIMEOUT_S:.0f} s of SIGTERM; output:\n"
                f"{log_tail(log_path)}",
                pytrace=False,
            )
    deadline = time.monotonic() + 10
    while (left := {pid for pid in tree if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        for pid in left:
            kill(pid)
        pytest.fail(
            f"processes of the stack survived its shutdown:\n{describe(left)}", pytrace=False
        )
    busy = [port for port in STACK_PORTS if port_in_use(port)]
    assert not busy, f"ports still in use after the stack stopped: {busy}"


@pytest.fixture(scope="session")
def otlp_sink() -> Iterator[OtlpSink]:
    """Where every process of the stack exports its spans."""
    sink = OtlpSink()
    with serving(sink):
        yield sink


@pytest.fixture(scope="session")
def stack_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole output of the stack's processes (honcho's prefix, then the line)."""
    return tmp_path_factory.mktemp("stack") / "honcho.log"


@pytest.fixture(scope="session")
def stack(repo_root: Path, stack_log: Path, otlp_sink: OtlpSink) -> Iterator[str]:
    """The running stack; yields the gateway's base URL."""
    busy = [port for port in STACK_PORTS if port_in_use(port)]
    if busy:
        pytest.fail(
            f"ports {busy} are already in use: stop the running stack (make up) first",
            pytrace=False,
        )
    env = stack_env(repo_root)
    env.update(E2E_GATEWAY_LIMITS)
    # Spans are exported (batched every 200 ms), as they are where a collector is set.
    env.update(OTEL_EXPORTER_OTLP_ENDPOINT=otlp_sink.endpoint, OTEL_BSP_SCHEDULE_DELAY="200")
    prepared = subprocess.run(
        [str(repo_root / "dev" / "bin" / "prepare"), "--no-sync"],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        pytest.fail(
            f"dev/bin/prepare failed (exit {prepared.returncode}):\n"
            f"{prepared.stdout}\n{prepared.stderr}",
            pytrace=False,
        )
    log_path = stack_log
    # The preparation's output first (seed_demo's included), marked as honcho marks a process.
    log_path.write_text(
        "".join(
            f"{PREPARE_PREFIX}{line}\n" for line in (prepared.stdout + prepared.stderr).splitlines()
        )
    )
    honcho = repo_root / ".venv" / "bin" / "honcho"
    command = [str(honcho), "start", "--no-colour", "-f", "dev/Procfile", "-d", str(repo_root)]
    command += ["-e", "/dev/null"]  # as dev/bin/up: no root .env
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            command,
            cwd=repo_root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_ready(proc, log_path)
        yield GATEWAY_URL
    finally:
        stop(proc, log_path)


@pytest.fixture(scope="module")
def client(stack: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack, timeout=10.0) as http:
        yield http


@pytest.fixture(scope="module")
def reader(client: httpx.Client) -> tuple[dict[str, Any], dict[str, str]]:
    return register_and_login(client, "reader")


@pytest.fixture(scope="module")
def author(client: httpx.Client) -> dict[str, str]:
    return register_and_login(client, "author", roles=("author",))[1]


@pytest.fixture(scope="module")
def intruder(client: httpx.Client) -> dict[str, str]:
    return register_and_login(client, "intruder")[1]
