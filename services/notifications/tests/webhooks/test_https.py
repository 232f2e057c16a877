"""Webhooks over real TLS: a local HTTPS receiver whose certificate a test CA issued.

Verification stays on in every test; the sender trusts the test CA only through
WEBHOOK_CA_BUNDLE. The receiver checks each signature as a customer would."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from notifications.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.webhooks.services import (
    webhook_deliver,
    webhook_delivery_attempt,
    webhook_endpoint_create,
)

from .tls import HttpsReceiver, authority_create, https_receiver, server_context

pytestmark = pytest.mark.django_db

EVENT = "article_published"
REBINDING_NAME = "hooks.rebinding.test"


@pytest.fixture
def private_ca(tmp_path: Path, settings: Settings) -> Any:
    """Make receivers whose certificates a CA in WEBHOOK_CA_BUNDLE issued."""
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    authority = authority_create()
    settings.WEBHOOK_CA_BUNDLE = str(authority.write_bundle(tmp_path / "ca.pem"))

    def receiver(*, statuses: list[int], host: str = "localhost") -> Any:
        return https_receiver(
            server_context(authority, host=host, directory=tmp_path), statuses=statuses
        )

    return receiver


def _endpoint(receiver: HttpsReceiver, *, url: str | None = None) -> tuple[uuid.UUID, str]:
    user_id = uuid.uuid4()
    created = webhook_endpoint_create(
        user_id=user_id, url=url or receiver.url(), event_types=[EVENT]
    )
    receiver.secret = created.secret
    return user_id, created.secret


def _deliver(user_id: uuid.UUID, payload: dict[str, Any] | None = None) -> WebhookDelivery:
    (delivery,) = webhook_deliver(user_id=user_id, event_type=EVENT, payload=payload or {"n": 1})
    return delivery


def _attempts(delivery: WebhookDelivery) -> list[tuple[int | None, str]]:
    return list(
        WebhookAttempt.objects.filter(delivery=delivery)
        .order_by("number")
        .values_list("status_code", "error")
    )


def test_a_delivery_over_tls_is_verified_signed_and_accepted(private_ca: Any) -> None:
    with private_ca(statuses=[204]) as receiver:
        user_id, _secret = _endpoint(receiver)
        delivery = _deliver(user_id, {"title": "Compilers"})

        retry_in = webhook_delivery_attempt(delivery_id=delivery.id)

    assert retry_in is None
    [(headers, body)] = receiver.requests
    assert headers["Host"] == f"localhost:{receiver.port}"
    assert json.loads(body) == {
        "id": str(delivery.id),
        "type": EVENT,
        "data": {"title": "Compilers"},
    }
    assert _attempts(delivery) == [(204, "")]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SENT


def test_a_wrong_signature_is_refused_by_the_receiver(private_ca: Any) -> None:
    with private_ca(statuses=[204]) as receiver:
        user_id, _secret = _endpoint(receiver)
        receiver.secret = "not-the-endpoint-secret"
        delivery = _deliver(user_id)

        webhook_delivery_attempt(delivery_id=delivery.id)

    assert _attempts(delivery) == [(401, "")]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING


def test_5xx_is_retried_with_doubling_backoff_until_accepted(
    private_ca: Any, settings: Settings
) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    settings.WEBHOOK_MAX_ATTEMPTS = 8
    with private_ca(statuses=[503, 500, 502, 204]) as receiver:
        user_id, _secret = _endpoint(receiver)
        delivery = _deliver(user_id)

        delays = [webhook_delivery_attempt(delivery_id=delivery.id) for _ in range(4)]

    assert delays == [10.0, 20.0, 40.0, None]
    assert [status for status, _error in _attempts(delivery)] == [503, 500, 502, 204]
    # The same signed body each time: the receiver de-duplicates on its id.
    assert len({body for _headers, body in receiver.requests}) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SENT


def test_an_endpoint_failing_delivery_after_delivery_is_disabled(
    private_ca: Any, settings: Settings
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    with private_ca(statuses=[500]) as receiver:
        user_id, _secret = _endpoint(receiver)
        for _ in range(2):
            delivery = _deliver(user_id)
            while webhook_delivery_attempt(delivery_id=delivery.id) is not None:
                pass
        after = webhook_deliver(user_id=user_id, event_type=EVENT, payload={})

    endpoint = WebhookEndpoint.objects.get(user_id=user_id)
    assert endpoint.disabled_at is not None
    assert endpoint.consecutive_failures == 2
    assert len(receiver.requests) == 4
    assert after == []
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}


def test_a_certificate_from_an_untrusted_ca_is_refused(private_ca: Any, tmp_path: Path) -> None:
    stranger = authority_create("Someone Else's CA")
    context = server_context(stranger, host="localhost", directory=tmp_path)
    with https_receiver(context, statuses=[204]) as receiver:
        user_id, _secret = _endpoint(receiver)
        delivery = _deliver(user_id)

        retry_in = webhook_delivery_attempt(delivery_id=delivery.id)

    assert retry_in is not None
    assert receiver.requests == []
    [(status, error)] = _attempts(delivery)
    assert status is None
    assert "CERTIFICATE_VERIFY_FAILED" in error


def test_a_certificate_for_another_name_is_refused(private_ca: Any) -> None:
    with private_ca(statuses=[204], host="elsewhere.example") as receiver:
        user_id, _secret = _endpoint(receiver)
        delivery = _deliver(user_id)

        webhook_delivery_attempt(delivery_id=delivery.id)

    assert receiver.requests == []
    [(status, error)] = _attempts(delivery)
    assert status is None
    assert "CERTIFICATE_VERIFY_FAILED" in error


class Resolver:
    """DNS for one name we do not own (the outer edge): answers ``address`` for it, asks
    the real resolver for every other name, and counts the lookups of the name."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, name: str, address: str) -> None:
        self.name = name
        self.address = address
        self.lookups = 0
        self._real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == self.name:
            self.lookups += 1
            return self._real(self.address, port, *args, **kwargs)
        return self._real(host, port, *args, **kwargs)


def test_the_name_is_checked_again_on_every_attempt_and_a_rebind_to_loopback_is_refused(
    private_ca: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 8
    with private_ca(statuses=[503, 204], host=REBINDING_NAME) as receiver:
        dns = Resolver(monkeypatch, name=REBINDING_NAME, address="127.0.0.1")
        user_id, _secret = _endpoint(receiver, url=receiver.url(REBINDING_NAME))
        delivery = _deliver(user_id)

        # Allowed (as in development): the first attempt reaches the receiver over TLS,
        # verified for the name (SNI), at the address that was checked.
        first = webhook_delivery_attempt(delivery_id=delivery.id)
        # The name now points at loopback where that is not allowed: refused before any
        # connection, though the endpoint was fine a moment ago.
        settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
        second = webhook_delivery_attempt(delivery_id=delivery.id)

    assert first is not None
    assert second is not None
    assert len(receiver.requests) == 1
    assert dns.lookups == 2
    attempts = _attempts(delivery)
    assert attempts[0] == (503, "")
    assert attempts[1][0] is None
    assert attempts[1][1] == f"refused: {REBINDING_NAME} resolves to a non-public address"
