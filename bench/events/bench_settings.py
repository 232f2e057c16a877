"""Django project of the events benchmark: service ``bench``, own database and vhost."""

import os
from pathlib import Path

from platform_common.events.sandbox import sandbox_settings

os.environ.setdefault("LOG_LEVEL", "WARNING")

globals().update(
    sandbox_settings(
        service="bench",
        base_dir=Path(__file__).parent,
        database="bench_events",
        vhost="bench_events",
    )
)
