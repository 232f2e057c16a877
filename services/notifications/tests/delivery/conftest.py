import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from notifications.delivery.models import Contact, PushDevice, PushPlatform
from platform_common.testing.http import serving


@dataclass
class ProviderServer:
    """A real HTTP server standing in for an SMS or push provider's webhook."""

    url: str
    status: int = 202
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def provider_server() -> Iterator[ProviderServer]:
    state = ProviderServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.received.append((dict(self.headers), body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/messages"
    with serving(server):
        yield state


def make_contact(**fields: Any) -> Contact:
    values: dict[str, Any] = {
        "user_id": uuid.uuid4(),
        "email": "ada@example.com",
        "display_name": "Ada",
        "locale": "en",
        "time_zone": "UTC",
        "phone_number": "+4915112345678",
        **fields,
    }
    return Contact.objects.create(**values)


def make_push_device(contact: Contact, *, token: str) -> PushDevice:
    return PushDevice.objects.create(
        user_id=contact.user_id, platform=PushPlatform.ANDROID, token=token
    )
