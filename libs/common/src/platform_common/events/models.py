"""Outbox (events waiting for the relay) and inbox (events a handler has applied)."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    """One event written in the producer's transaction; the relay publishes and marks it.

    A row the broker refuses (no queue takes it, a nack, an unreadable envelope) stays
    pending with its error and a later ``next_attempt_at``; after
    ``EVENTS_OUTBOX_MAX_ATTEMPTS`` it is quarantined (kept, reported, skipped by the relay)
    until ``events outbox redrive``.
    """

    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=200)
    envelope = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    quarantined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay scans only pending rows, oldest first.
            models.Index(
                fields=["id"],
                name="events_outbox_relayable",
                condition=models.Q(sent_at__isnull=True, quarantined_at__isnull=True),
            ),
            models.Index(
                fields=["id"],
                name="events_outbox_quarantined",
                condition=models.Q(quarantined_at__isnull=False),
            ),
            models.Index(
                fields=["sent_at"],
                name="events_outbox_sent",
                condition=models.Q(sent_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class InboxEntry(models.Model):
    """Proof that ``handler`` applied ``event_id``; the unique key makes redelivery a no-op."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=300)
    event_type = models.CharField(max_length=200)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="events_inbox_once"),
        ]
        indexes = [models.Index(fields=["processed_at"], name="events_inbox_processed")]
        verbose_name_plural = "inbox entries"

    def __str__(self) -> str:
        return f"{self.handler} {self.event_id}"


class VersionedProjection(models.Model):
    """Base for local copies of another service's aggregate (see ``projections``)."""

    aggregate_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True


class ParkedDeadLetter(models.Model):
    """A dead letter moved off ``<svc>.events.dlq`` so that reading it costs no delivery.

    The DLQ is only a transit: ``events dlq`` commands first move its messages here (insert,
    commit, then ack: never a requeue), then list, show, replay and purge these rows.
    ``digest`` makes the move idempotent when an ack is lost and the message comes again.
    """

    digest = models.CharField(max_length=64, unique=True)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=200)
    reason = models.TextField()
    headers = models.JSONField()
    body = models.BinaryField()
    parked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
