"""Webhook endpoints and deliveries; each action owns its transaction."""

import json
import ssl
import time
from dataclasses import dataclass
from functools import cache, partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.delivery.channels import ChannelUnavailable, OutgoingMessage
from notifications.preferences.types import Channel
from notifications.webhooks.destinations import DestinationRefusedError, destination_resolve
from notifications.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.webhooks.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    secret_decrypt,
    secret_encrypt,
    secret_generate,
    signature,
)
from platform_common.api.errors import ApplicationError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.problems import TitledCode


class WebhookCode(TitledCode):
    URL_NOT_HTTPS = "webhook_url_not_https", "Webhook URL must use HTTPS"


USER_AGENT = "platform-webhooks/1"
ERROR_MAX = 500


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its signing secret in clear: answered once, never stored so."""

    endpoint: WebhookEndpoint
    secret: str


def webhook_endpoint_create(
    *, user_id: UUID, url: str, event_types: list[str]
) -> EndpointWithSecret:
    """Register an HTTPS endpoint (HTTP only where private destinations are allowed)."""
    scheme = urlsplit(url).scheme
    if scheme != "https" and not (scheme == "http" and settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS):
        raise ApplicationError("A webhook URL must use HTTPS.", code=WebhookCode.URL_NOT_HTTPS)
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        user_id=user_id,
        url=url,
        event_types=sorted(set(event_types)),
        secret_encrypted=secret_encrypt(secret),
    )
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, user_id: UUID, endpoint_id: UUID) -> EndpointWithSecret:
    """A new signing secret (the old one stops at once); re-enables a disabled endpoint."""
    endpoint = _own_endpoint(user_id=user_id, endpoint_id=endpoint_id, lock=True)
    secret = secret_generate()
    endpoint.secret_encrypted = secret_encrypt(secret)
    endpoint.consecutive_failures = 0
    endpoint.disabled_at = None
    endpoint.save(
        update_fields=["secret_encrypted", "consecutive_failures", "disabled_at", "updated_at"]
    )
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def webhook_endpoint_delete(*, user_id: UUID, endpoint_id: UUID) -> None:
    _own_endpoint(user_id=user_id, endpoint_id=endpoint_id, lock=False).delete()


def _own_endpoint(*, user_id: UUID, endpoint_id: UUID, lock: bool) -> WebhookEndpoint:
    endpoints = WebhookEndpoint.objects.filter(user_id=user_id)
    return get_object_or_not_found(
        endpoints.select_for_update() if lock else endpoints,
        pk=endpoint_id,
        message="Webhook endpoint not found.",
    )


@transaction.atomic
def webhook_deliver(
    *, user_id: UUID, event_type: str, payload: dict[str, Any]
) -> list[WebhookDelivery]:
    """Deliver ``payload`` to each enabled endpoint of the user subscribed to ``event_type``.

    The channel entry point of the delivery framework: one delivery row per endpoint, each
    sent by its own Celery task once this transaction commits (signed, retried with backoff,
    every attempt logged).
    """
    from notifications.webhooks.tasks import webhook_delivery_enqueue

    endpoints = WebhookEndpoint.objects.filter(
        user_id=user_id, disabled_at__isnull=True, event_types__contains=[event_type]
    )
    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, event_type=event_type, payload=payload)
        for endpoint in endpoints
    ]
    for delivery in deliveries:
        transaction.on_commit(partial(webhook_delivery_enqueue, delivery_id=delivery.id))
    return deliveries


class WebhookSender:
    """The ``webhook`` channel of deliveries: the event types endpoints subscribe to are
    notification types (``article_published``...); no endpoint for it, nothing to send."""

    def send(self, message: OutgoingMessage) -> None:
        # The body is {"id", "type", "data": payload}: the event's facts and the message.
        payload = {**message.data, "subject": message.subject, "link": message.link}
        sent = webhook_deliver(
            user_id=message.recipient_id, event_type=message.notification_type, payload=payload
        )
        if not sent:
            raise ChannelUnavailable(Channel.WEBHOOK)


def _retry_delay(attempts: int) -> float:
    """Exponential backoff: base, 2 x base, 4 x base... capped."""
    return float(
        min(
            settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1),
            settings.WEBHOOK_RETRY_MAX_SECONDS,
        )
    )


def webhook_delivery_attempt(*, delivery_id: UUID) -> float | None:
    """Try ``delivery`` once; the seconds until the next try, or None when it is done.

    A 2xx answer is success. Anything else (refused destination, network error, other
    status) is logged as an attempt; after ``WEBHOOK_MAX_ATTEMPTS`` the delivery fails, and
    ``WEBHOOK_DISABLE_AFTER_FAILURES`` failed deliveries in a row disable the endpoint.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if delivery.status != WebhookDelivery.Status.PENDING:
        return None  # a repeated task: already done
    if endpoint.disabled_at is not None:
        _finish(delivery, sent=False)
        return None
    body = json.dumps(
        {"id": str(delivery.id), "type": delivery.event_type, "data": delivery.payload},
        separators=(",", ":"),
        default=str,
    ).encode()
    started = time.monotonic()
    status_code, error = _post(endpoint, body)
    delivery.attempts += 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        status_code=status_code,
        error=error[:ERROR_MAX],
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if status_code is not None and 200 <= status_code < 300:
        _finish(delivery, sent=True)
        return None
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        _finish(delivery, sent=False)
        return None
    delivery.save(update_fields=["attempts", "updated_at"])
    return _retry_delay(delivery.attempts)


def _post(endpoint: WebhookEndpoint, body: bytes) -> tuple[int | None, str]:
    """POST ``body`` signed to the endpoint's checked address: (status, error)."""
    try:
        destination = destination_resolve(url=endpoint.url)
    except DestinationRefusedError as refused:
        return None, f"refused: {refused}"
    parts = urlsplit(endpoint.url)
    host = f"[{destination.address}]" if ":" in destination.address else destination.address
    # Connect to the address that was checked; the name still goes in Host and SNI.
    url = urlunsplit(parts._replace(netloc=f"{host}:{destination.port}"))
    timestamp = int(time.time())
    headers = {
        "Host": parts.netloc.rpartition("@")[2],
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(
            secret=secret_decrypt(endpoint.secret_encrypted), timestamp=timestamp, body=body
        ),
    }
    try:
        # No redirects: one could lead anywhere, unchecked.
        with httpx.Client(
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            follow_redirects=False,
            verify=_tls_context(settings.WEBHOOK_CA_BUNDLE),
        ) as client:
            response = client.post(
                url, content=body, headers=headers, extensions={"sni_hostname": destination.host}
            )
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"
    return response.status_code, ""


@cache
def _tls_context(ca_bundle: str) -> ssl.SSLContext:
    """Certificates are always verified, against the public roots plus, when
    ``WEBHOOK_CA_BUNDLE`` names a PEM file, a private CA's (receivers inside an organisation
    whose CA is not public). There is no setting that turns verification off."""
    context = httpx.create_ssl_context()  # the public roots httpx ships (certifi)
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


@transaction.atomic
def _finish(delivery: WebhookDelivery, *, sent: bool) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    delivery.status = WebhookDelivery.Status.SENT if sent else WebhookDelivery.Status.FAILED
    delivery.save(update_fields=["status", "attempts", "updated_at"])
    if sent:
        endpoint.consecutive_failures = 0
    else:
        endpoint.consecutive_failures += 1
        if endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
            endpoint.disabled_at = endpoint.disabled_at or timezone.now()
    endpoint.save(update_fields=["consecutive_failures", "disabled_at", "updated_at"])
