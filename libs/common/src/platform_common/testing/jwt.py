"""A real JWKS over HTTP and tokens signed for it; no Django, so the gateway can use it too."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric import rsa

from platform_common.auth.signing import public_jwk, sign_access_token

JWKS_PATH = "/.well-known/jwks.json"
TEST_ISSUER = "http://accounts.test"
TEST_AUDIENCE = "platform"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid=kid or uuid.uuid4().hex[:12], private_key=key)

    def public_jwk(self) -> dict[str, Any]:
        return public_jwk(self.private_key, kid=self.kid)


class MakeToken(Protocol):
    """What the ``make_token`` fixtures return: ``sign_token`` with the test key bound."""

    def __call__(
        self,
        *,
        sub: uuid.UUID | str | None = None,
        roles: Iterable[str] = (),
        exp_delta: float = 900,
        kid: str | None = None,
        **claims: Any,
    ) -> str: ...


def sign_token(
    key: SigningKey,
    *,
    issuer: str,
    audience: str,
    sub: uuid.UUID | str | None = None,
    roles: Iterable[str] = (),
    exp_delta: float = 900,
    kid: str | None = None,
    **claims: Any,
) -> str:
    """An access token as accounts issues it; ``kid`` overrides the header's key id only."""
    return sign_access_token(
        private_key=key.private_key,
        kid=kid if kid is not None else key.kid,
        issuer=issuer,
        audience=audience,
        subject=str(sub or uuid.uuid4()),
        roles=roles,
        issued_at=datetime.now(UTC),
        lifetime=timedelta(seconds=exp_delta),
        extra_claims=claims,
    )


class JWKSServer:
    """Serves ``keys`` as a JWKS on 127.0.0.1 (random port) from a daemon thread."""

    def __init__(self, keys: Sequence[SigningKey] = ()) -> None:
        self.keys: list[SigningKey] = list(keys)
        self.request_count = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{JWKS_PATH}"

    def start(self) -> JWKSServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self, keys: Sequence[SigningKey]) -> None:
        with self._lock:
            self.keys = list(keys)
            self.request_count = 0

    def document(self) -> bytes:
        with self._lock:
            self.request_count += 1
            return json.dumps({"keys": [key.public_jwk() for key in self.keys]}).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != JWKS_PATH:
                    self.send_error(404)
                    return
                body = server.document()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: test output is not the place for access logs."""

        return Handler
