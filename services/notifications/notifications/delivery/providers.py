"""Outside services that carry SMS and push messages, behind one small interface.

``MessageProvider.send`` either returns (accepted) or raises ``TransientDeliveryError``
(try again later) or ``PermanentDeliveryError`` (never). Two implementations: a local
sink (one JSON file per message in a folder, for development and tests) and an HTTP
webhook (a provider's or one's own gateway; JSON POST, idempotent by delivery id).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

WEBHOOK_TIMEOUT_SECONDS = 10.0


class TransientDeliveryError(Exception):
    """The channel may accept the message later (timeout, 5xx, 429, connection refused)."""


class PermanentDeliveryError(Exception):
    """The channel refused the message for good (4xx, no address...)."""


class ChannelUnavailable(PermanentDeliveryError):
    """Nothing carries this channel here (no provider configured): suppressed, not failed."""


@dataclass(frozen=True)
class ProviderMessage:
    delivery_id: str
    channel: str
    recipient_id: str
    notification_type: str
    subject: str
    text: str
    link: str
    # Where to: SMS ``[{"phone_number": "+49..."}]``, push ``[{"platform", "token"}, ...]``.
    to: list[dict[str, str]] = field(default_factory=list)


class MessageProvider(Protocol):
    def send(self, message: ProviderMessage) -> None: ...


@dataclass(frozen=True)
class LocalSinkProvider:
    """Keeps each message as ``<directory>/<delivery id>.json`` (written whole, then renamed)."""

    directory: Path

    def send(self, message: ProviderMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=self.directory, suffix=".tmp", delete=False
        ) as handle:
            json.dump(asdict(message), handle)
        os.replace(handle.name, self.directory / f"{message.delivery_id}.json")


@dataclass(frozen=True)
class WebhookProvider:
    """POSTs the message as JSON to ``url``; the receiver de-duplicates on
    ``Idempotency-Key`` (the delivery id), as a retry after a lost answer sends it again."""

    url: str
    timeout: float = WEBHOOK_TIMEOUT_SECONDS

    def send(self, message: ProviderMessage) -> None:
        try:
            response = httpx.post(
                self.url,
                json=asdict(message),
                headers={"Idempotency-Key": message.delivery_id},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise TransientDeliveryError(f"webhook unreachable: {type(error).__name__}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientDeliveryError(f"webhook answered {response.status_code}")
        if response.status_code >= 400:
            raise PermanentDeliveryError(f"webhook refused: {response.status_code}")


def provider_from_settings(
    *, webhook_url: str, sink_dir: str, channel: str
) -> MessageProvider | None:
    """The webhook when its URL is set, else the local sink when a folder is, else None
    (the channel is unavailable and its deliveries are suppressed)."""
    if webhook_url:
        return WebhookProvider(url=webhook_url)
    if sink_dir:
        return LocalSinkProvider(directory=Path(sink_dir) / channel)
    return None
