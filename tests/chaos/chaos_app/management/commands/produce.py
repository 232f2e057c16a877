from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from platform_common.testing.sandbox import produce


class Command(BaseCommand):
    help = "Publish COUNT events, each in its own transaction (one chaos producer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        produce(options["count"], email="chaos@example.com", display_name="C")
