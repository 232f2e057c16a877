import hashlib
import hmac
import http.server
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from pytest_django import Settings

from notifications.delivery.channels import ChannelUnavailable, OutgoingMessage, channel_sender
from notifications.preferences.types import Channel
from notifications.webhooks.destinations import DestinationRefusedError, destination_resolve
from notifications.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.webhooks.services import (
    webhook_deliver,
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
)
from notifications.webhooks.tasks import webhook_delivery_task
from platform_common.api.errors import ApplicationError
from platform_common.testing.http import serving

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    url: str
    status: int = 204
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real local HTTP server recording each POST and answering ``receiver.status``."""
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                state.requests.append((dict(self.headers), body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Receiver(url=f"http://localhost:{server.server_address[1]}/hook")
    with serving(server):
        yield state


def _verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["Webhook-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(fields["v1"], expected.hexdigest())


def _deliver_one(user_id: uuid.UUID, event_type: str = "article.published") -> WebhookDelivery:
    (delivery,) = webhook_deliver(user_id=user_id, event_type=event_type, payload={"a": 1})
    return delivery


def test_a_delivery_is_signed_with_the_endpoint_secret_and_logged(receiver: Receiver) -> None:
    user_id = uuid.uuid4()
    created = webhook_endpoint_create(
        user_id=user_id, url=receiver.url, event_types=["article.published"]
    )
    delivery = _deliver_one(user_id)

    retry_in = webhook_delivery_attempt(delivery_id=delivery.id)

    (headers, body) = receiver.requests[0]
    assert retry_in is None
    assert json.loads(body) == {
        "id": str(delivery.id),
        "type": "article.published",
        "data": {"a": 1},
    }
    assert headers["Host"] == receiver.url.split("/")[2]
    assert _verified(created.secret, headers, body)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 204, "")


def test_only_endpoints_subscribed_to_the_event_type_get_it(receiver: Receiver) -> None:
    user_id = uuid.uuid4()
    webhook_endpoint_create(user_id=user_id, url=receiver.url, event_types=["comment.created"])

    assert webhook_deliver(user_id=user_id, event_type="article.published", payload={}) == []


def test_the_secret_is_encrypted_at_rest() -> None:
    created = webhook_endpoint_create(
        user_id=uuid.uuid4(), url="https://example.com/hook", event_types=["x"]
    )

    stored = bytes(WebhookEndpoint.objects.get(pk=created.endpoint.pk).secret_encrypted)
    assert created.secret.encode() not in stored
    assert created.secret.startswith("whsec_")


def test_a_loopback_destination_is_refused_by_default_on_every_attempt(
    receiver: Receiver, settings: Settings
) -> None:
    user_id = uuid.uuid4()
    webhook_endpoint_create(user_id=user_id, url=receiver.url, event_types=["article.published"])
    delivery = _deliver_one(user_id)
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False

    retry_in = webhook_delivery_attempt(delivery_id=delivery.id)

    assert receiver.requests == []
    assert retry_in == settings.WEBHOOK_RETRY_BASE_SECONDS
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert attempt.error.startswith("refused:")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]"])
def test_private_loopback_and_link_local_hosts_are_refused(host: str, settings: Settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False

    with pytest.raises(DestinationRefusedError):
        destination_resolve(url=f"https://{host}/hook")


def test_an_http_url_is_refused_where_private_destinations_are_not_allowed(
    settings: Settings,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False

    with pytest.raises(ApplicationError) as refused:
        webhook_endpoint_create(user_id=uuid.uuid4(), url="http://example.com/", event_types=["x"])

    assert refused.value.code == "webhook_url_not_https"


def test_retries_back_off_then_the_delivery_fails_and_repeated_failures_disable_the_endpoint(
    receiver: Receiver, settings: Settings
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    receiver.status = 500
    user_id = uuid.uuid4()
    endpoint = webhook_endpoint_create(
        user_id=user_id, url=receiver.url, event_types=["article.published"]
    ).endpoint

    delays = []
    for _ in range(2):  # two deliveries, each tried until it fails
        delivery = _deliver_one(user_id)
        delays.append([webhook_delivery_attempt(delivery_id=delivery.id) for _ in range(3)])

    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    assert delays == [[base, 2 * base, None]] * 2
    assert len(receiver.requests) == 6
    assert set(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)
    ) == {"failed"}
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    assert webhook_deliver(user_id=user_id, event_type="article.published", payload={}) == []


def test_rotating_the_secret_signs_with_the_new_one_and_re_enables(receiver: Receiver) -> None:
    user_id = uuid.uuid4()
    first = webhook_endpoint_create(user_id=user_id, url=receiver.url, event_types=["e"])
    WebhookEndpoint.objects.filter(pk=first.endpoint.pk).update(consecutive_failures=9)

    rotated = webhook_endpoint_rotate_secret(user_id=user_id, endpoint_id=first.endpoint.id)
    webhook_delivery_attempt(delivery_id=_deliver_one(user_id, "e").id)

    (headers, body) = receiver.requests[0]
    assert rotated.secret != first.secret
    assert _verified(rotated.secret, headers, body)
    assert not _verified(first.secret, headers, body)
    assert rotated.endpoint.consecutive_failures == 0


def test_the_celery_task_tries_until_the_delivery_is_done(
    receiver: Receiver, settings: Settings
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status = 503
    user_id = uuid.uuid4()
    webhook_endpoint_create(user_id=user_id, url=receiver.url, event_types=["e"])
    delivery = _deliver_one(user_id, "e")

    # Eager: each retry runs at once instead of after its countdown.
    webhook_delivery_task.apply(args=(str(delivery.id),))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert len(receiver.requests) == 3


def outgoing(recipient_id: uuid.UUID, notification_type: str) -> OutgoingMessage:
    return OutgoingMessage(
        delivery_id=uuid.uuid4(),
        event_id=uuid.uuid4(),
        recipient_id=recipient_id,
        channel=Channel.WEBHOOK,
        notification_type=notification_type,
        subject="New article: Compilers",
        text="...",
        html="...",
        link="/articles/compilers",
        data={"article_id": "a1"},
    )


def test_the_webhook_channel_delivers_to_the_endpoints_of_the_notification_type(
    receiver: Receiver,
) -> None:
    user_id = uuid.uuid4()
    webhook_endpoint_create(user_id=user_id, url=receiver.url, event_types=["article_published"])
    sender = channel_sender(Channel.WEBHOOK)
    assert sender is not None

    sender.send(outgoing(user_id, "article_published"))

    (delivery,) = WebhookDelivery.objects.filter(endpoint__user_id=user_id)
    assert delivery.event_type == "article_published"
    assert delivery.payload == {
        "article_id": "a1",
        "subject": "New article: Compilers",
        "link": "/articles/compilers",
    }


def test_the_webhook_channel_without_a_subscribed_endpoint_is_unavailable() -> None:
    sender = channel_sender(Channel.WEBHOOK)
    assert sender is not None

    with pytest.raises(ChannelUnavailable):
        sender.send(outgoing(uuid.uuid4(), "article_published"))
