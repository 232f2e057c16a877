"""Create the demo users once; running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.users.selectors import user_get_by_email
from accounts.users.services import user_register, user_role_grant
from platform_common.auth.permissions import Role
from platform_common.observability.logging import mask_emails

# Alice writes articles (content lets only authors, editors and admins create them); Bob
# only reads.
DEMO_USERS: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("alice@example.com", "Alice", (Role.AUTHOR,)),
    ("bob@example.com", "Bob", ()),
)


class Command(BaseCommand):
    help = "Register the demo users (password from DEMO_USER_PASSWORD) unless they exist."

    def handle(self, *args: Any, **options: Any) -> None:
        for email, display_name, roles in DEMO_USERS:
            user = user_get_by_email(email=email)
            if user is not None:
                # Masked: this output lands in logs like every other line.
                self.stdout.write(f"{mask_emails(email)} already exists")
            else:
                # Through the service, so accounts.user.registered reaches the other services.
                user = user_register(
                    email=email, password=settings.DEMO_USER_PASSWORD, display_name=display_name
                )
                self.stdout.write(f"registered {mask_emails(email)}")
            # Also for a user seeded before the role was part of the demo (idempotent).
            for role in roles:
                user_role_grant(user_id=user.id, role=role, actor_id=None, client=None)
