"""Test helpers shared by the services.

Load the fixtures with ``pytest_plugins = ["platform_common.testing.fixtures"]``.
"""
