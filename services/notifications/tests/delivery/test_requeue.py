"""Pending deliveries whose task was lost are queued again by beat."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from notifications.delivery.models import Delivery, DeliveryStatus, DigestItem
from notifications.delivery.services import STALE_AFTER, deliveries_requeue_stale

pytestmark = pytest.mark.django_db


def delivery(*, age: timedelta, **fields: object) -> Delivery:
    row = Delivery.objects.create(
        event_id=uuid.uuid4(),
        recipient_id=uuid.uuid4(),
        channel="email",
        notification_type="article_published",
        **fields,
    )
    Delivery.objects.filter(pk=row.pk).update(updated_at=timezone.now() - age)
    return row


def test_only_untouched_pending_deliveries_are_queued_again(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    old = STALE_AFTER + timedelta(minutes=1)
    lost = delivery(age=old)
    delivery(age=timedelta(minutes=1))  # its task may still be on its way
    delivery(age=old, status=DeliveryStatus.SENT)
    delivery(age=old, not_before=timezone.now() + timedelta(hours=3))  # quiet hours
    held = delivery(age=old)
    DigestItem.objects.create(delivery=held, recipient_id=held.recipient_id, digest_mode="daily")

    with django_capture_on_commit_callbacks() as callbacks:
        requeued = deliveries_requeue_stale()

    assert requeued == 1
    assert len(callbacks) == 1
    lost.refresh_from_db()
    assert timezone.now() - lost.updated_at < timedelta(minutes=1)
    assert deliveries_requeue_stale() == 0
