"""Give a user a role from the command line: how the first admin of an installation is
made (the API's grant endpoint needs an admin already)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.users.selectors import user_get_by_email
from accounts.users.services import user_role_grant
from platform_common.auth.permissions import Role
from platform_common.observability.logging import mask_emails


class Command(BaseCommand):
    help = "Grant ROLE to the user with EMAIL (recorded in the audit log, actor: none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", choices=[role.value for role in Role])

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_get_by_email(email=options["email"])
        # Masked: this output lands in logs like every other line.
        masked = mask_emails(options["email"])
        if user is None:
            raise CommandError(f"No user {masked}.")
        user_role_grant(user_id=user.id, role=Role(options["role"]), actor_id=None, client=None)
        self.stdout.write(f"{masked} now holds {options['role']}")
