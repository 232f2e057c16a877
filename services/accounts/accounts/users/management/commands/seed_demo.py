"""Create the demo users once; running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.users.selectors import user_get_by_email
from accounts.users.services import user_register
from platform_common.observability.logging import mask_emails

DEMO_USERS = (
    ("alice@example.com", "Alice"),
    ("bob@example.com", "Bob"),
)


class Command(BaseCommand):
    help = "Register the demo users (password from DEMO_USER_PASSWORD) unless they exist."

    def handle(self, *args: Any, **options: Any) -> None:
        for email, display_name in DEMO_USERS:
            if user_get_by_email(email=email) is not None:
                # Masked: this output lands in logs like every other line.
                self.stdout.write(f"{mask_emails(email)} already exists")
                continue
            # Through the service, so accounts.user.registered reaches the other services.
            user_register(
                email=email, password=settings.DEMO_USER_PASSWORD, display_name=display_name
            )
            self.stdout.write(f"registered {mask_emails(email)}")
