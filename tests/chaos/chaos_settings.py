"""Django project of the zero-loss fault test: service ``chaos``, own database and vhost."""

from platform_common.testing.sandbox import sandbox_settings

globals().update(sandbox_settings("chaos", __file__))
