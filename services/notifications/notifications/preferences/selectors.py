"""Reads of preferences: a user's effective choices, defaults filled in."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifications.preferences.models import ChannelPreference, DeliverySettings
from notifications.preferences.types import (
    CONFIGURABLE,
    DEFAULT_CHANNELS,
    Channel,
    DigestMode,
    NotificationType,
)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def end_after(self, moment: datetime, *, time_zone: str) -> datetime | None:
        """When the quiet hours around ``moment`` end (aware, in UTC's instant), or None when
        ``moment`` is outside them. Local wall times of ``time_zone`` (UTC if unknown)."""
        if self.start == self.end:
            return None
        zone = _zone(time_zone)
        local = moment.astimezone(zone)
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            inside = self.start <= now < self.end
            end_day = local.date()
        else:  # over midnight, e.g. 22:00-07:00
            inside = now >= self.start or now < self.end
            end_day = local.date() + timedelta(days=1) if now >= self.start else local.date()
        if not inside:
            return None
        return datetime.combine(end_day, self.end, tzinfo=zone)


@dataclass(frozen=True)
class Preferences:
    channels: dict[NotificationType, dict[Channel, bool]]
    digest_mode: DigestMode
    quiet_hours: QuietHours | None

    def allows(self, *, notification_type: NotificationType, channel: Channel) -> bool:
        return self.channels[notification_type][channel]


def preferences_get(*, user_id: UUID) -> Preferences:
    """The user's effective preferences: the defaults, overridden by what they chose."""
    channels = {
        kind: {channel: channel in DEFAULT_CHANNELS for channel in Channel} for kind in CONFIGURABLE
    }
    for preference in ChannelPreference.objects.filter(user_id=user_id):
        kind = NotificationType(preference.notification_type)
        if kind in channels:
            channels[kind][Channel(preference.channel)] = preference.enabled
    settings = DeliverySettings.objects.filter(user_id=user_id).first()
    if settings is None:
        return Preferences(channels=channels, digest_mode=DigestMode.IMMEDIATE, quiet_hours=None)
    quiet = None
    if settings.quiet_start is not None and settings.quiet_end is not None:
        quiet = QuietHours(start=settings.quiet_start, end=settings.quiet_end)
    return Preferences(
        channels=channels, digest_mode=DigestMode(settings.digest_mode), quiet_hours=quiet
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
