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
CHALLENGE = "challenge-of-the-test-login"


class AccountsTokenEndpoint:
    """accounts' token endpoint over real HTTP: one known account, whose roles the test
    sets, answered with an access token signed by the key the JWKS serves. With ``mfa_code``
    set the account uses MFA: the password earns a challenge (202), which ``token/mfa/``
    turns into tokens with that code, as accounts does."""

    def __init__(self, make_token: MakeToken) -> None:
        self.roles: list[str] = ["reader", "admin"]
        self.mfa_code: str | None = None
        self.requests: list[dict[str, Any]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(body)
                status, answer = endpoint.answer(path=self.path, body=body, make_token=make_token)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def answer(
        self, *, path: str, body: dict[str, Any], make_token: MakeToken
    ) -> tuple[int, dict[str, Any]]:
        tokens = {"access": make_token(sub=STAFF_ID, roles=self.roles), "refresh": "r"}
        if path.endswith("/mfa/"):
            if self.mfa_code and body == {"challenge": CHALLENGE, "code": self.mfa_code}:
                return 200, tokens
            return 401, {"code": "mfa_code_invalid"}
        if body != {"email": STAFF_EMAIL, "password": PASSWORD}:
            return 401, {"code": "invalid_credentials"}
        if self.mfa_code:
            return 202, {"challenge": CHALLENGE, "expires_in": 300}
        return 200, tokens

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/api/v1/accounts/token/"
