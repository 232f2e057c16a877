"""A WSGI app answering with what the server made of the request (scheme, peer address)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any


def application(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    body = json.dumps(
        {"scheme": environ["wsgi.url_scheme"], "remote_addr": environ["REMOTE_ADDR"]}
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
