"""The benchmark's writer: creates notifications through the service's own write
(``notification_create``: the row with the user's next sequence number, committed, then
pushed through the channel layer), ``--rate`` a second in all, round-robin over the users
named in ``--users`` (one id a line), each titled with the wall-clock time just before its
write. The writes run on a pool of threads (as requests on a service's workers), so one slow
write does not hold the next back. Run with the notifications service's settings (cwd
services/notifications)."""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django

THREADS = 8
# A write started later than this after its due time counts as late.
LATE_SECONDS = 0.005


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=Path, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notifications.config.settings")
    django.setup()
    from notifications.inbox.services import notification_create

    users = [uuid.UUID(line) for line in args.users.read_text().split()]
    total = int(args.rate * args.seconds)
    late = 0
    durations: list[float] = []
    started = time.monotonic()

    def write(index: int) -> None:
        begun = time.monotonic()
        notification_create(
            user_id=users[index % len(users)], kind="bench", title=repr(time.time())
        )
        durations.append(time.monotonic() - begun)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = []
        for index in range(total):
            due = started + index / args.rate
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            elif -wait > LATE_SECONDS:
                late += 1
            futures.append(pool.submit(write, index))
        for future in futures:
            future.result()
    elapsed = time.monotonic() - started
    # The write itself (commit, then the push to Redis) is part of every latency measured.
    quantiles = statistics.quantiles(durations, n=100)
    print(
        f"writer: {total} notifications in {elapsed:.1f} s ({late} submitted late); "
        f"notification_create p50 {quantiles[49] * 1000:.1f} ms, p99 {quantiles[98] * 1000:.1f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
