import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from platform_common.events import conf
from platform_common.events.relay import OutboxRelay, relay_settings
from platform_common.observability.metrics import start_metrics_server


class Command(BaseCommand):
    help = "Publish this service's outbox to RabbitMQ until SIGTERM/SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, help="rows per transaction")
        parser.add_argument("--poll-seconds", type=float, help="idle poll interval")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = relay_settings(
            batch_size=options["batch_size"], poll_seconds=options["poll_seconds"]
        )
        metrics_port = conf.metrics_port()
        # The relay's own series (published, backlog, quarantine) for Prometheus.
        server = start_metrics_server(metrics_port) if metrics_port else None
        try:
            asyncio.run(OutboxRelay(settings).run())
        finally:
            if server is not None:
                server.stop()
