"""helm test: a new user registers, logs in and reads itself, all through the gateway."""

import json
import os
import secrets
import sys
import urllib.error
import urllib.request

BASE_URL = os.environ["BASE_URL"].rstrip("/")
# Only http(s) URLs reach urllib (the S310 notes below rely on it).
if not BASE_URL.startswith(("http://", "https://")):
    sys.exit(f"BASE_URL must be an http(s) URL, got {BASE_URL!r}")


def call(method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{BASE_URL}{path}", data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def expect(what: str, status: int, wanted: int) -> None:
    if status != wanted:
        print(f"{what}: HTTP {status}, expected {wanted}", file=sys.stderr)
        sys.exit(1)
    print(f"{what}: HTTP {status}")


email = f"helm-test-{secrets.token_hex(6)}@example.com"
password = secrets.token_urlsafe(18)
status, _ = call(
    "POST",
    "/api/v1/accounts/register/",
    {"email": email, "password": password, "display_name": "Helm Test"},
)
expect("register", status, 201)
status, tokens = call("POST", "/api/v1/accounts/token/", {"email": email, "password": password})
expect("login", status, 200)
status, me = call("GET", "/api/v1/accounts/me/", token=tokens["access"])
expect("me", status, 200)
if me.get("email") != email:
    print("me: the token belongs to another user", file=sys.stderr)
    sys.exit(1)
print("register/login smoke passed")
