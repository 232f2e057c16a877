"""Create the first signing key (idempotent), or add one more with --rotate.

A rotated key is published as soon as a process loads it and signs only after
``JWT_KEY_PUBLISH_GRACE``: restart every accounts process within that time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.tokens.keys import key_files, write_new_key


class Command(BaseCommand):
    help = "Write an RSA signing key into JWT_SIGNING_KEYS_DIR unless one is already there."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rotate",
            action="store_true",
            help=(
                "Add a new key even if keys exist: published from each process's next start,"
                " signing once JWT_KEY_PUBLISH_GRACE_SECONDS have passed."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(settings.JWT_SIGNING_KEYS_DIR)
        existing = key_files(directory)
        if existing and not options["rotate"]:
            self.stdout.write(f"{len(existing)} signing key(s) already present; nothing to do")
            return
        now = timezone.now()
        signs_from = now + settings.JWT_KEY_PUBLISH_GRACE if existing else None
        kid = write_new_key(directory, now=now, signs_from=signs_from)
        when = f"signs from {signs_from.isoformat()}" if signs_from else "signs now"
        self.stdout.write(f"wrote signing key {kid} ({when})")
