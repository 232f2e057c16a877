"""Push devices: where a user's push messages go (registered by their apps)."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from notifications.delivery.models import PushDevice, PushPlatform
from platform_common.api.selectors import get_object_or_not_found


def push_device_list(*, user_id: UUID) -> QuerySet[PushDevice]:
    """The user's devices, newest first."""
    return PushDevice.objects.filter(user_id=user_id).order_by("-created_at", "-id")


@transaction.atomic
def push_device_register(
    *, user_id: UUID, platform: PushPlatform, token: str
) -> tuple[PushDevice, bool]:
    """Register the device (idempotent); a token held by another user moves to this one,
    who signed in on that device last. Returns the device and whether it is new to the user."""
    device, created = PushDevice.objects.select_for_update().get_or_create(
        platform=platform, token=token, defaults={"user_id": user_id}
    )
    if not created and device.user_id != user_id:
        device.user_id = user_id
        device.save(update_fields=["user_id", "updated_at"])
        return device, True
    return device, created


def push_device_delete(*, user_id: UUID, device_id: UUID) -> None:
    """Forget one of the user's devices (404 for another user's or a missing one)."""
    get_object_or_not_found(
        PushDevice.objects.filter(user_id=user_id), pk=device_id, message="Device not found."
    ).delete()


def push_destinations(*, user_id: UUID) -> tuple[dict[str, str], ...]:
    """What a push provider needs to reach each of the user's devices."""
    return tuple(
        {"platform": platform, "token": token}
        for platform, token in push_device_list(user_id=user_id).values_list("platform", "token")
    )
