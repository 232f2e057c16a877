"""Django project of the events benchmark: service ``bench``, own database and vhost."""

import os

from platform_common.testing.sandbox import sandbox_settings

os.environ.setdefault("LOG_LEVEL", "WARNING")
globals().update(sandbox_settings("bench", __file__))
