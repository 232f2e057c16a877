"""Rotate the access-token signing key: publish a new key ahead of signing, keep the old
ones verifiable for a grace period, retire the ones whose grace is over.

With keys in ``JWT_SIGNING_KEYS_DIR`` the directory is updated in place (a new ``<kid>.pem``;
``Verify-Until:`` written into the superseded keys; retired key files deleted). With
``--bundle`` nothing is written: the new ``JWT_SIGNING_KEYS`` value is printed, to store in
the Secret the variable comes from. Either way, restart every accounts process within the
publish-ahead time, so each one publishes the new key before any signs with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.tokens.keys import (
    KEY_FILE_SUFFIX,
    format_bundle,
    key_rotation_plan,
    keys_directory,
    read_keys,
    write_key,
)


class Command(BaseCommand):
    help = "Add a signing key published before it signs; supersede and retire the old ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--publish-ahead-seconds",
            type=int,
            default=int(settings.JWT_KEY_PUBLISH_GRACE.total_seconds()),
            help="How long the new key is published before it signs"
            " (default JWT_KEY_PUBLISH_GRACE_SECONDS).",
        )
        parser.add_argument(
            "--verify-grace-seconds",
            type=int,
            default=int(settings.JWT_KEY_VERIFY_GRACE.total_seconds()),
            help="How long a superseded key keeps verifying once the new key signs"
            " (default JWT_KEY_VERIFY_GRACE_SECONDS).",
        )
        parser.add_argument(
            "--bundle",
            action="store_true",
            help="Print the new JWT_SIGNING_KEYS value instead of writing JWT_SIGNING_KEYS_DIR.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = keys_directory()
        keys = read_keys(directory, settings.JWT_SIGNING_KEYS)
        if settings.JWT_SIGNING_KEYS and not options["bundle"]:
            raise CommandError(
                "keys come from JWT_SIGNING_KEYS: rotate with --bundle and store the output"
            )
        if not options["bundle"] and directory is None:
            raise CommandError("set JWT_SIGNING_KEYS_DIR, or rotate with --bundle")
        if options["publish_ahead_seconds"] < 0 or options["verify_grace_seconds"] < 0:
            raise CommandError("durations cannot be negative")
        rotation = key_rotation_plan(
            keys,
            now=timezone.now(),
            publish_ahead=timedelta(seconds=options["publish_ahead_seconds"]),
            verify_grace=timedelta(seconds=options["verify_grace_seconds"]),
        )
        if options["bundle"]:
            self.stdout.write(format_bundle(rotation.keys), ending="")
        else:
            assert directory is not None
            write_key(directory, rotation.added)
            for key in rotation.superseded:
                write_key(directory, key, replace_existing=True)
            for key in rotation.retired:
                (directory / f"{key.kid}{KEY_FILE_SUFFIX}").unlink(missing_ok=True)
        # On stderr, so --bundle's stdout is the bundle alone.
        self.stderr.write(
            f"added signing key {rotation.added.kid}"
            f" (signs from {rotation.added.signs_from:%Y-%m-%dT%H:%M:%SZ});"
            f" superseded {len(rotation.superseded)}, retired {len(rotation.retired)}"
        )
