from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from platform_common.testing.smtp import MailSink, mail_sink

pytest_plugins = ["platform_common.testing.fixtures"]


@pytest.fixture
def smtp_sink(tmp_path: Path, settings: Settings) -> Iterator[MailSink]:
    """A real SMTP sink on 127.0.0.1 that the settings' SMTP backend sends to."""
    with mail_sink(tmp_path / "mail") as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        yield sink
