"""Sentry: on only with SENTRY_DSN; what reaches it is scrubbed like a log line."""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import sentry_sdk

from platform_common.testing.http import serving
from tests.observability.test_gunicorn import gunicorn_serving

EMAIL = "erin.example@example.com"
PASSWORD = "correct horse battery staple"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlcmluIn0.c2lnbmF0dXJlLW9mLWVyaW4"


class Sink(ThreadingHTTPServer):
    """A Sentry ingest endpoint that keeps every envelope it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.envelopes: list[bytes] = []


class SinkHandler(BaseHTTPRequestHandler):
    server: Sink

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        assert self.headers.get("Content-Encoding") in (None, "gzip")
        self.server.envelopes.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    with serving(server):
        yield server


def test_an_error_in_a_view_reaches_sentry_without_any_secret(sink: Sink) -> None:
    dsn = f"http://publickey@127.0.0.1:{sink.server_address[1]}/1"
    env = {
        **os.environ,
        "SENTRY_DSN": dsn,
        "SENTRY_ENVIRONMENT": "test",
        "SENTRY_RELEASE": "platform@1.2.3",
    }
    with gunicorn_serving("tests.wsgi:application", env=env, ready_path="/healthz") as url:
        response = httpx.post(
            f"{url}/api/errors/leaky/",
            json={"email": EMAIL, "password": PASSWORD, "refresh": TOKEN},
            headers={"Cookie": f"session={TOKEN}"},
            timeout=10,
        )
        assert response.status_code == 500
        deadline = time.monotonic() + 15
        while not sink.envelopes and time.monotonic() < deadline:
            time.sleep(0.1)

    received = b"\n".join(sink.envelopes).decode()
    assert "RuntimeError" in received
    assert "cannot sign in" in received
    assert '"environment":"test"' in received
    assert '"release":"platform@1.2.3"' in received
    assert "e***@example.com" in received  # the address is masked, not dropped
    for secret in (EMAIL, PASSWORD, TOKEN):
        assert secret not in received


def test_without_a_dsn_sentry_is_not_initialised() -> None:
    # This test process configured observability from an environment without SENTRY_DSN.
    assert not sentry_sdk.get_client().is_active()
