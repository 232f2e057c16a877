import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_common.events import conf, dlq
from platform_common.events.maintenance import outbox_redrive, outbox_status
from platform_common.events.topology import declare_service_topology


class Command(BaseCommand):
    help = "Operate this service's events: dead-letter queue and outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        areas = parser.add_subparsers(dest="area", required=True)
        dlq_parser = areas.add_parser("dlq", help="the <service>.events.dlq queue")
        actions = dlq_parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="one line per dead letter")
        show = actions.add_parser("show", help="headers and event of one dead letter")
        show.add_argument("event_id")
        for name, text in (("replay", "process again, once"), ("purge", "drop for good")):
            action = actions.add_parser(name, help=text)
            selector = action.add_mutually_exclusive_group(required=True)
            selector.add_argument("--id", dest="event_id")
            selector.add_argument("--type", dest="event_type")
            selector.add_argument("--all", action="store_true")
            if name == "replay":
                action.add_argument("--limit", type=int, help="replay at most this many")
        outbox = areas.add_parser("outbox", help="the transactional outbox")
        outbox_actions = outbox.add_subparsers(dest="action", required=True)
        outbox_actions.add_parser("status", help="backlog, quarantine, rows the broker refused")
        outbox_actions.add_parser("redrive", help="give quarantined rows new attempts")
        # Deploy-time declaration (as the Helm chart does): a queue must exist before the
        # first event of its types is published, or the relay keeps that event pending.
        topology = areas.add_parser("topology", help="this service's exchanges and queues")
        topology.add_subparsers(dest="action", required=True).add_parser("declare")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["area"] == "outbox":
            self._outbox(options["action"])
            return
        if options["area"] == "topology":
            declare_service_topology(conf.broker_url(), service=conf.service_name())
            self.stdout.write(f"declared the topology of {conf.service_name()}")
            return
        where = {"broker_url": conf.broker_url(), "service": conf.service_name()}
        action = options["action"]
        if action == "list":
            letters = dlq.list_dead_letters(**where)
            for letter in letters:
                self.stdout.write(f"{letter.event_id}  {letter.event_type}  {letter.reason}")
            self.stdout.write(f"{len(letters)} dead letter(s)")
        elif action == "show":
            self._show(options["event_id"], where)
        elif action == "replay":
            self._replay(options, where)
        else:
            self.stdout.write(
                f"purged {dlq.purge(**where, match=_selector(options))} dead letter(s)"
            )

    def _outbox(self, action: str) -> None:
        if action == "redrive":
            self.stdout.write(f"re-drove {outbox_redrive()} quarantined row(s)")
            return
        status = outbox_status()
        self.stdout.write(
            f"pending {status.pending}, oldest {status.oldest_age_seconds:.1f}s, "
            f"quarantined {status.quarantined}"
        )
        for row in status.troubled:
            state = "  (quarantined)" if row.quarantined else ""
            self.stdout.write(
                f"{row.event_id}  {row.event_type}  attempts {row.attempts}  "
                f"{row.last_error}{state}"
            )

    def _replay(self, options: dict[str, Any], where: dict[str, str]) -> None:
        limit = options["limit"]
        try:
            result = dlq.replay(
                broker_url=where["broker_url"],
                service=where["service"],
                match=_selector(options),
                limit=limit,
            )
        except dlq.Unroutable as error:
            raise CommandError(f"replay stopped, the dead letter is kept: {error}") from error
        line = f"replayed {len(result.replayed)} dead letter(s)"
        if result.remaining:
            line += f"; {result.remaining} more match (stopped at --limit {limit})"
        self.stdout.write(line)

    def _show(self, event_id: str, where: dict[str, str]) -> None:
        for letter in dlq.list_dead_letters(**where):
            if letter.event_id == event_id:
                self.stdout.write(json.dumps(letter.headers, indent=2, default=str))
                self.stdout.write(dlq.envelope_json(letter))
                return
        raise CommandError(f"no dead letter {event_id}")


def _selector(options: dict[str, Any]) -> Callable[[dlq.DeadLetter], bool]:
    if options["all"]:
        return lambda _letter: True
    if options["event_id"]:
        return lambda letter: letter.event_id == options["event_id"]
    return lambda letter: letter.event_type == options["event_type"]
