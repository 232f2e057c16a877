"""Mail through the stack: a registration's verification link reaches the local SMTP sink
(dev/bin/smtp-sink, the Maildir .local/mail) in a notifications worker's SMTP delivery."""

from __future__ import annotations

import time
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from gateway_client import register_and_login

from platform_common.testing.smtp import read_mails

pytestmark = pytest.mark.e2e

MAIL_DEADLINE_S = 30.0


def mail_to(maildir: Path, address: str) -> EmailMessage:
    deadline = time.monotonic() + MAIL_DEADLINE_S
    while True:
        for mail in read_mails(maildir):
            if mail["To"] == address:
                return mail
        assert time.monotonic() < deadline, f"no mail to {address} in the sink"
        time.sleep(0.2)


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
