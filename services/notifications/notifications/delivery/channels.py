"""How a rendered message leaves through each channel: one small interface per channel.

``ChannelSender.send(message)`` returns once the channel accepted the message, or raises
``TransientDeliveryError`` (retried with backoff) or ``PermanentDeliveryError`` (failed).
in_app, email, sms and push are built in; ``mqtt`` and ``webhook`` senders are registered
by the apps that own those transports (``register_channel`` in their ``AppConfig.ready``).
A channel without a sender is unavailable: its deliveries are suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from notifications.delivery.providers import (
    ChannelUnavailable,
    PermanentDeliveryError,
    ProviderMessage,
    TransientDeliveryError,
    provider_from_settings,
)
from notifications.inbox.services import notification_create
from notifications.preferences.types import Channel

__all__ = [
    "ChannelSender",
    "ChannelUnavailable",
    "OutgoingMessage",
    "PermanentDeliveryError",
    "TransientDeliveryError",
    "channel_sender",
    "register_channel",
]


@dataclass(frozen=True)
class OutgoingMessage:
    delivery_id: UUID
    event_id: UUID
    recipient_id: UUID
    channel: Channel
    notification_type: str
    subject: str
    text: str
    html: str
    # A web app path (in-app link), or "".
    link: str
    # The destination when the channel needs one from us (email: the address), else "".
    address: str = ""
    # What a provider needs to reach the recipient: SMS ``{"phone_number"}``, push one
    # ``{"platform", "token"}`` per device; else empty.
    destinations: tuple[dict[str, str], ...] = ()
    # Machine-readable facts of the event (ids, title...): what mqtt and webhook payloads carry.
    data: dict[str, Any] = field(default_factory=dict)


class ChannelSender(Protocol):
    def send(self, message: OutgoingMessage) -> None: ...


class InAppSender:
    """The inbox notification (pushed to the user's sockets once committed); an event
    creates it at most once per user."""

    def send(self, message: OutgoingMessage) -> None:
        notification_create(
            user_id=message.recipient_id,
            kind=message.notification_type,
            title=message.subject[:200],
            body=message.text,
            data=message.data,
            link=message.link,
            dedup_key=f"event:{message.event_id}",
        )


class EmailSender:
    """Through Django's email backend (SMTP); a refused connection is transient."""

    def send(self, message: OutgoingMessage) -> None:
        if not message.address:
            raise PermanentDeliveryError("no email address")
        mail = EmailMultiAlternatives(
            subject=message.subject, body=message.text, to=[message.address]
        )
        mail.attach_alternative(message.html, "text/html")
        try:
            mail.send(fail_silently=False)
        except OSError as error:  # smtplib's errors and connection failures
            raise TransientDeliveryError(f"smtp: {type(error).__name__}") from error


class ProviderSender:
    """SMS and push through the provider the settings name (webhook or local sink), to the
    recipient's phone number or push devices."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def send(self, message: OutgoingMessage) -> None:
        provider = provider_from_settings(
            webhook_url=getattr(settings, f"{self.channel.upper()}_WEBHOOK_URL"),
            sink_dir=settings.PROVIDER_SINK_DIR,
            channel=self.channel,
        )
        if provider is None:
            raise ChannelUnavailable(self.channel)
        provider.send(
            ProviderMessage(
                delivery_id=str(message.delivery_id),
                channel=self.channel,
                recipient_id=str(message.recipient_id),
                notification_type=message.notification_type,
                subject=message.subject,
                text=message.text,
                link=message.link,
                to=list(message.destinations),
            )
        )


_senders: dict[Channel, ChannelSender] = {
    Channel.IN_APP: InAppSender(),
    Channel.EMAIL: EmailSender(),
    Channel.SMS: ProviderSender(Channel.SMS),
    Channel.PUSH: ProviderSender(Channel.PUSH),
}


def register_channel(channel: Channel, sender: ChannelSender) -> None:
    """Plug the sender of ``channel`` in (the mqtt and webhook apps call it at start-up)."""
    _senders[channel] = sender


def unregister_channel(channel: Channel) -> None:
    _senders.pop(channel, None)


def channel_sender(channel: Channel) -> ChannelSender | None:
    return _senders.get(channel)
