"""Create the first signing key (idempotent); later keys come from ``rotate_signing_key``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.tokens.keys import key_files, keys_directory, write_new_key


class Command(BaseCommand):
    help = "Write an RSA signing key into JWT_SIGNING_KEYS_DIR unless one is already there."

    def handle(self, *args: Any, **options: Any) -> None:
        directory = keys_directory()
        if directory is None:
            raise CommandError("JWT_SIGNING_KEYS_DIR is not set")
        existing = key_files(directory)
        if existing:
            self.stdout.write(f"{len(existing)} signing key(s) already present; nothing to do")
            return
        kid = write_new_key(directory, now=timezone.now())
        self.stdout.write(f"wrote signing key {kid}")
