from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from platform_common.testing.sandbox import produce


class Command(BaseCommand):
    help = "Publish COUNT events, one per transaction, at RATE per second (0 = flat out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--rate", type=float, default=0.0)

    def handle(self, *args: Any, **options: Any) -> None:
        produce(options["count"], rate=options["rate"], email="bench@example.com", display_name="B")
