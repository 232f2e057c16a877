pytest_plugins = ["platform_common.testing.fixtures"]
