"""Django project of the zero-loss fault test: service ``chaos``, own database and vhost."""

from pathlib import Path

from platform_common.events.sandbox import sandbox_settings

globals().update(
    sandbox_settings(
        service="chaos",
        base_dir=Path(__file__).parent,
        database="chaos_events",
        vhost="chaos_events",
    )
)
