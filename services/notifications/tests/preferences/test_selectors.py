"""Quiet hours are local wall times in the user's time zone."""

from datetime import UTC, datetime, time

import pytest

from notifications.preferences.selectors import QuietHours

OVERNIGHT = QuietHours(start=time(22, 0), end=time(7, 0))


@pytest.mark.parametrize(
    ("moment", "time_zone", "expected_end"),
    [
        # 21:30 UTC is 22:30 in Berlin (winter): quiet until 07:00 Berlin = 06:00 UTC.
        (datetime(2026, 1, 10, 21, 30, tzinfo=UTC), "Europe/Berlin", datetime(2026, 1, 11, 6, 0)),
        # 03:00 UTC is 04:00 in Berlin: still quiet, same morning.
        (datetime(2026, 1, 11, 3, 0, tzinfo=UTC), "Europe/Berlin", datetime(2026, 1, 11, 6, 0)),
        # 21:30 UTC in New York is 16:30: not quiet.
        (datetime(2026, 1, 10, 21, 30, tzinfo=UTC), "America/New_York", None),
        # An unknown zone counts as UTC.
        (datetime(2026, 1, 10, 23, 0, tzinfo=UTC), "Mars/Olympus", datetime(2026, 1, 11, 7, 0)),
    ],
)
def test_overnight_quiet_hours_end_in_the_users_zone(
    moment: datetime, time_zone: str, expected_end: datetime | None
) -> None:
    end = OVERNIGHT.end_after(moment, time_zone=time_zone)

    if expected_end is None:
        assert end is None
    else:
        assert end is not None
        assert end.astimezone(UTC).replace(tzinfo=None) == expected_end


def test_daytime_quiet_hours() -> None:
    lunch = QuietHours(start=time(12, 0), end=time(13, 0))

    inside = lunch.end_after(datetime(2026, 5, 1, 12, 15, tzinfo=UTC), time_zone="UTC")
    outside = lunch.end_after(datetime(2026, 5, 1, 13, 0, tzinfo=UTC), time_zone="UTC")

    assert inside == datetime(2026, 5, 1, 13, 0, tzinfo=UTC)
    assert outside is None
