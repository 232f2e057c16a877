"""Mail through the stack: a registration's verification link reaches the local SMTP sink
(dev/bin/smtp-sink, the Maildir .local/mail) in a notifications worker's SMTP delivery."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gateway_client import register_and_login
from mail_sink import mail_to

pytestmark = pytest.mark.e2e


def test_the_verification_link_reaches_the_smtp_sink(client: httpx.Client, repo_root: Path) -> None:
    user, _ = register_and_login(client, "mailed")

    mail = mail_to(repo_root / ".local" / "mail", user["email"])

    assert mail["Subject"] == "Confirm your email address"
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "/verify-email#token=" in text.get_content()
    assert "/verify-email#token=" in html.get_content()
