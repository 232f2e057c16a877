import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from platform_common.events import publish


class Command(BaseCommand):
    help = "Publish COUNT events, one per transaction, at RATE per second (0 = flat out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--rate", type=float, default=0.0)

    def handle(self, *args: Any, **options: Any) -> None:
        interval = 1 / options["rate"] if options["rate"] else 0.0
        started = time.monotonic()
        for index in range(options["count"]):
            # Pace against the start, so a slow commit does not lower the average rate.
            delay = started + index * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            user_id = str(uuid.uuid4())
            with transaction.atomic():
                publish(
                    type="accounts.user.registered",
                    data={"user_id": user_id, "email": "bench@example.com", "display_name": "B"},
                    aggregate_id=user_id,
                    aggregate_version=1,
                )
