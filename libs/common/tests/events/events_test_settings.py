"""Django settings of the events library tests: service ``evtest``, own database and vhost.

Retries are short here; a test starting a worker may override them through the environment.
"""

import os
from pathlib import Path

from platform_common.events.sandbox import sandbox_settings

os.environ.setdefault("EVENTS_RETRY_BASE_SECONDS", "1")
os.environ.setdefault("EVENTS_RETRY_MAX_SECONDS", "1")
os.environ.setdefault("EVENTS_MAX_RETRIES", "2")
globals().update(
    sandbox_settings(
        service="evtest",
        base_dir=Path(__file__).parent,
        database="platform_events",
        # Our own vhost (conftest creates it): test events never reach the services' queues.
        vhost="platform_events_test",
    )
)
