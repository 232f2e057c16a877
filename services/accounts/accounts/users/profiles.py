"""Business actions on the profile: what a user shows of themselves to the platform.

Every change bumps the user's ``version`` and publishes ``accounts.user.updated`` with
the whole projected state, in the transaction of the change.
"""

from __future__ import annotations

from typing import IO
from uuid import UUID

from django.db import transaction

from accounts.users.models import User, avatar_storage
from accounts.users.selectors import user_get_for_update
from platform_common.events import publish
from platform_common.images import ImagePolicy, image_clean
from platform_common.stored_images import image_store

USER_UPDATED = "accounts.user.updated"
PROFILE_FIELDS = frozenset({"display_name", "bio", "locale", "time_zone", "phone_number"})
# v2 added phone_number; consumers of v1 were moved to v2 in the same release.
USER_UPDATED_VERSION = 2
# Shown at most a few hundred pixels wide; 512 KiB holds any sane photo of that size.
AVATAR_POLICY = ImagePolicy(max_bytes=512 * 1024, max_width=2048, max_height=2048)


def avatar_url(user: User) -> str | None:
    """Where the avatar is served (the storage's URL), None without one."""
    return user.avatar.url if user.avatar else None


def user_updated_publish(*, user: User) -> None:
    """Bump the version and publish the projected state; call inside the change's transaction."""
    user.version += 1
    user.save(update_fields=["version"])
    publish(
        type=USER_UPDATED,
        data={
            "user_id": str(user.id),
            "email": user.email,
            "display_name": user.display_name,
            "avatar_url": avatar_url(user),
            "locale": user.locale,
            "time_zone": user.time_zone,
            "phone_number": user.phone_number or None,
        },
        aggregate_id=user.id,
        aggregate_version=user.version,
        version=USER_UPDATED_VERSION,
    )


def user_profile_update(*, user_id: UUID, changes: dict[str, str]) -> User:
    """Set the given profile fields; publishes only when something changed."""
    unknown = changes.keys() - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    with transaction.atomic():
        user = user_get_for_update(user_id=user_id)
        changed = [name for name, value in changes.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, changes[name])
        if changed:
            user.save(update_fields=changed)
            user_updated_publish(user=user)
    return user


def user_avatar_set(*, user_id: UUID, source: IO[bytes]) -> User:
    """Check and re-encode the upload, store it under a new name and make it the avatar.

    The file is written before the transaction (storages are not transactional): a failed
    transaction deletes it again, a committed one deletes the replaced avatar."""
    clean = image_clean(source=source, policy=AVATAR_POLICY)
    storage = avatar_storage()
    stored = image_store(storage=storage, image=clean)
    try:
        with transaction.atomic():
            user = user_get_for_update(user_id=user_id)
            replaced = user.avatar.name
            user.avatar.name = stored
            user.save(update_fields=["avatar"])
            user_updated_publish(user=user)
            if replaced:
                transaction.on_commit(lambda: storage.delete(replaced))
    except BaseException:
        storage.delete(stored)
        raise
    return user


def user_avatar_remove(*, user_id: UUID) -> User:
    """Remove the avatar (nothing to do without one)."""
    with transaction.atomic():
        user = user_get_for_update(user_id=user_id)
        replaced = user.avatar.name
        if replaced:
            storage = avatar_storage()
            user.avatar.name = ""
            user.save(update_fields=["avatar"])
            user_updated_publish(user=user)
            transaction.on_commit(lambda: storage.delete(replaced))
    return user
