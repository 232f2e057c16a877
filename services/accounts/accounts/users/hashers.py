"""The password hasher: Argon2id with OWASP's minimum parameters instead of Django's.

Django's defaults take 100 MiB per hash: the web pod's threads hashing at once (2 workers x
4 threads) would need 800 MiB against a 512 MiB limit. 19 MiB, 2 passes, 1 lane is OWASP's
recommended floor; hashes made with other parameters are upgraded at the next login."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class PlatformArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
