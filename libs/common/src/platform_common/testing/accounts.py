"""accounts' token endpoint, served over real HTTP for the tests of another service's
admin sign-in (no Django)."""

from __future__ import annotations

import json
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from platform_common.testing.jwt import MakeToken

STAFF_EMAIL = "staff@example.com"
PASSWORD = "correct horse battery staple"  # noqa: S105  # a test account's
STAFF_ID = uuid.uuid4()


class AccountsTokenEndpoint:
    """accounts' token endpoint over real HTTP: one known account, whose roles the test
    sets, answered with an access token signed by the key the JWKS serves."""

    def __init__(self, make_token: MakeToken) -> None:
        self.roles: list[str] = ["reader", "admin"]
        self.requests: list[dict[str, Any]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(body)
                known = body == {"email": STAFF_EMAIL, "password": PASSWORD}
                answer = (
                    {"access": make_token(sub=STAFF_ID, roles=endpoint.roles), "refresh": "r"}
                    if known
                    else {"code": "invalid_credentials"}
                )
                payload = json.dumps(answer).encode()
                self.send_response(200 if known else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/api/v1/accounts/token/"
