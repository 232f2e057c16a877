"""How the gateway is served: ``python -m gateway --host 0.0.0.0 --port 8000``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.app import create_app
from gateway.config import Settings


class EdgeHttpProtocol(HttpToolsProtocol):
    pass


class EdgeServerConfig(uvicorn.Config):
    """uvicorn as the edge needs it: its own logging and access lines, no proxy headers."""

    def __init__(self, app: ASGIApp, *, settings: Settings, **options: Any) -> None:
        options.setdefault("proxy_headers", False)
        super().__init__(
            app,
            http=EdgeHttpProtocol,
            ws="websockets-sansio",
            log_config=None,
            access_log=False,
            **options,
        )
        self.settings = settings


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="a load balancer in front whose X-Forwarded-For names the client",
    )
    args = parser.parse_args(argv)
    settings = Settings.from_environ()
    config = EdgeServerConfig(
        create_app(settings),
        settings=settings,
        host=args.host,
        port=args.port,
        proxy_headers=args.forwarded_allow_ips is not None,
        forwarded_allow_ips=args.forwarded_allow_ips,
    )
    uvicorn.Server(config).run()
