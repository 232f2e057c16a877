import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from platform_common.events import publish


class Command(BaseCommand):
    help = "Publish COUNT events, each in its own transaction (one chaos producer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        for _ in range(options["count"]):
            user_id = str(uuid.uuid4())
            with transaction.atomic():
                publish(
                    type="accounts.user.registered",
                    data={"user_id": user_id, "email": "chaos@example.com", "display_name": "C"},
                    aggregate_id=user_id,
                    aggregate_version=1,
                )
