"""Business actions of preferences; each owns its transaction."""

from datetime import time
from enum import Enum
from typing import Final, Literal
from uuid import UUID

from django.db import transaction

from notifications.preferences.models import ChannelPreference, DeliverySettings
from notifications.preferences.selectors import Preferences, preferences_get
from notifications.preferences.types import Channel, DigestMode, NotificationType


class Keep(Enum):
    """A PATCH may leave quiet hours as they are (absent) or clear them (None)."""

    UNCHANGED = "unchanged"


UNCHANGED: Final = Keep.UNCHANGED


@transaction.atomic
def preferences_update(
    *,
    user_id: UUID,
    channels: dict[NotificationType, dict[Channel, bool]] | None = None,
    digest_mode: DigestMode | None = None,
    quiet_hours: tuple[time, time] | Literal[Keep.UNCHANGED] | None = UNCHANGED,
) -> Preferences:
    """Change what is given, keep the rest; returns the effective preferences."""
    for kind, choices in (channels or {}).items():
        for channel, enabled in choices.items():
            ChannelPreference.objects.update_or_create(
                user_id=user_id,
                notification_type=kind,
                channel=channel,
                defaults={"enabled": enabled},
            )
    if digest_mode is not None or quiet_hours is not UNCHANGED:
        settings, _ = DeliverySettings.objects.select_for_update().get_or_create(user_id=user_id)
        if digest_mode is not None:
            settings.digest_mode = digest_mode
        if quiet_hours is None:
            settings.quiet_start = settings.quiet_end = None
        elif quiet_hours is not UNCHANGED:
            settings.quiet_start, settings.quiet_end = quiet_hours
        settings.save()
    return preferences_get(user_id=user_id)


@transaction.atomic
def preferences_delete_all(*, user_id: UUID) -> None:
    """Forget a deleted user's choices."""
    ChannelPreference.objects.filter(user_id=user_id).delete()
    DeliverySettings.objects.filter(user_id=user_id).delete()
