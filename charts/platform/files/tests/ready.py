"""helm test: the gateway answers /readyz with 200 (Redis Cluster and JWKS reachable)."""

import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE_URL = os.environ["BASE_URL"].rstrip("/")
# Only http(s) URLs reach urllib (the S310 notes below rely on it).
if not BASE_URL.startswith(("http://", "https://")):
    sys.exit(f"BASE_URL must be an http(s) URL, got {BASE_URL!r}")
DEADLINE = time.monotonic() + 120

while True:
    try:
        with urllib.request.urlopen(f"{BASE_URL}/readyz", timeout=5) as response:  # noqa: S310
            body = json.load(response)
            print(f"gateway ready: {body}")
            sys.exit(0)
    except (urllib.error.URLError, OSError, ValueError) as error:
        if time.monotonic() > DEADLINE:
            print(f"gateway not ready after 120 s: {error}", file=sys.stderr)
            sys.exit(1)
        time.sleep(3)
