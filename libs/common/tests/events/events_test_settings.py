"""Django settings of the events library tests: service ``evtest``, own database and vhost
(the conftest creates the vhost), so test events never reach the services' queues.

Retries are short here; a test starting a worker may override them through the environment.
"""

import os

from platform_common.testing.sandbox import sandbox_settings

os.environ.setdefault("EVENTS_RETRY_BASE_SECONDS", "1")
os.environ.setdefault("EVENTS_RETRY_MAX_SECONDS", "1")
os.environ.setdefault("EVENTS_MAX_RETRIES", "2")
globals().update(sandbox_settings("evtest", __file__))
