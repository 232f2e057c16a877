"""The gateway's log lines: JSON, and never a token.

Tokens reach the gateway in ``Authorization`` headers, ``?access_token=`` query strings
and the WebSocket ``bearer`` subprotocol, WebSocket tickets in ``?ticket=``, and the
libraries underneath log requests in their own words (uvicorn's WebSocket lines carry the
query string, the websockets library dumps handshake headers at DEBUG). Rather than trust
each of them, every record is scrubbed on its way out, traceback included.
"""

from __future__ import annotations

import logging
import re

from platform_common.observability.logging import REDACTED, configure_logging

# The credential after each of these, up to a delimiter; JWTs wherever they appear.
SECRETS = re.compile(
    r"(?P<name>access_token=|ticket=|authorization:\s*(?:bearer\s+)?|bearer[\s,]+)"
    r"[^\s&\"',;]+"
    r"|eyJ[\w-]*\.[\w-]+\.[\w-]*",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    return SECRETS.sub(lambda match: (match["name"] or "") + REDACTED, text)


class SecretScrubber(logging.Filter):
    """Rewrites a record's message and traceback without the credentials in them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_gateway_logging(level: str) -> None:
    """JSON lines on stdout for every logger, uvicorn's included, each scrubbed."""
    configure_logging(service="gateway", level=level)
    # The edge writes one JSON access line per request, with its request id.
    logging.getLogger("uvicorn.access").disabled = True
    for handler in logging.getLogger().handlers:
        handler.addFilter(SecretScrubber())
