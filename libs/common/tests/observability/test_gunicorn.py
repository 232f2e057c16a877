"""The shared gunicorn config: the server never interprets forwarded headers itself."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

TESTS_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn_serving(
    app: str, *, env: dict[str, str] | None = None, ready_path: str = "/", timeout: float = 60
) -> Iterator[str]:
    """gunicorn with the shared config serving ``app``, one worker; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:platform_common.observability.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            app,
        ],
        cwd=TESTS_ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(url + ready_path, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def gunicorn_url() -> Iterator[str]:
    with gunicorn_serving("tests.observability.echo_wsgi:application") as url:
        yield url


def test_gunicorn_ignores_forwarded_scheme_and_address_headers(gunicorn_url: str) -> None:
    response = httpx.get(
        gunicorn_url,
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Ssl": "off",
            "X-Forwarded-For": "6.6.6.6",
        },
    )

    assert response.status_code == 200
    assert response.json() == {"scheme": "http", "remote_addr": "127.0.0.1"}
