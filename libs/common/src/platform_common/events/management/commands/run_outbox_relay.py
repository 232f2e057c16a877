import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from prometheus_client import start_http_server

from platform_common.events import conf
from platform_common.events.relay import OutboxRelay, relay_settings


class Command(BaseCommand):
    help = "Publish this service's outbox to RabbitMQ until SIGTERM/SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, help="rows per transaction")
        parser.add_argument("--poll-seconds", type=float, help="idle poll interval")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = relay_settings(
            batch_size=options["batch_size"], poll_seconds=options["poll_seconds"]
        )
        metrics_port = conf.integer("EVENTS_RELAY_METRICS_PORT")
        if metrics_port:
            # The relay's own series (published, backlog, quarantine) for Prometheus.
            start_http_server(metrics_port)
        asyncio.run(OutboxRelay(settings).run())
