"""Django settings of the events library tests: service ``evtest``, own database."""

from pathlib import Path

from platform_common.events.sandbox import sandbox_settings

globals().update(
    sandbox_settings(
        service="evtest",
        base_dir=Path(__file__).parent,
        database="platform_events",
        # Our own vhost (conftest creates it): test events never reach the services' queues.
        vhost="platform_events_test",
    )
)
EVENTS_RETRY_BASE_SECONDS = 1
EVENTS_RETRY_MAX_SECONDS = 1
EVENTS_MAX_RETRIES = 2
