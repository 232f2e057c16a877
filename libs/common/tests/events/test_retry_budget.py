"""Events outlast a dependency outage of 15 minutes without an operator."""

import pytest
from django.db import transaction
from evtest_app.events import fail_for
from evtest_app.models import AppliedEffect
from factories import publish_registered
from processes import (
    fresh_topology,
    relay_command,
    running,
    wait_until,
    worker_command,
)

from platform_common.events import conf, dlq
from platform_common.events.conf import DEFAULTS
from platform_common.events.tasks import retry_schedule

# The retry count before this budget was set, for comparison.
OLD_MAX_RETRIES = 6


def test_default_retries_outlast_a_fifteen_minute_outage() -> None:
    schedule = retry_schedule(
        max_retries=int(DEFAULTS["EVENTS_MAX_RETRIES"]),
        base_seconds=DEFAULTS["EVENTS_RETRY_BASE_SECONDS"],
        max_seconds=DEFAULTS["EVENTS_RETRY_MAX_SECONDS"],
    )

    # Even when every jittered delay comes out at its shortest.
    assert schedule.shortest_total >= 15 * 60


@pytest.mark.django_db(transaction=True)
def test_an_event_outlives_an_outage_longer_than_the_old_budget_and_applies_once() -> None:
    short = {"base_seconds": 1.0, "max_seconds": 3.0}
    old = retry_schedule(max_retries=OLD_MAX_RETRIES, **short)
    new = retry_schedule(max_retries=int(DEFAULTS["EVENTS_MAX_RETRIES"]), **short)
    # Longer than the old schedule even with a few seconds of delivery latency added to it.
    outage = old.longest_total + 3
    assert outage < new.shortest_total
    fresh_topology()
    env = {
        "EVENTS_MAX_RETRIES": str(int(DEFAULTS["EVENTS_MAX_RETRIES"])),
        "EVENTS_RETRY_BASE_SECONDS": str(short["base_seconds"]),
        "EVENTS_RETRY_MAX_SECONDS": str(short["max_seconds"]),
    }

    with running(worker_command(), env=env), running(relay_command()):
        with transaction.atomic():  # the outage starts before the event can arrive
            envelope = publish_registered()
            fail_for(str(envelope.id), outage)
        wait_until(
            lambda: AppliedEffect.objects.filter(event_id=envelope.id).exists(),
            timeout=new.longest_total + 10,
        )

    assert AppliedEffect.objects.filter(event_id=envelope.id).count() == 1
    assert dlq.list_dead_letters(broker_url=conf.broker_url(), service="evtest") == []
