"""The stack's mail, as the local SMTP sink keeps it (the Maildir .local/mail)."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from pathlib import Path

from platform_common.testing.smtp import read_mails

MAIL_DEADLINE_S = 30.0
LINK_TOKEN = re.compile(r"#token=([^\s\"'<&]+)")


def mail_to(maildir: Path, address: str, *, containing: str = "") -> EmailMessage:
    """The first mail to ``address`` whose text holds ``containing``, waiting for it."""
    deadline = time.monotonic() + MAIL_DEADLINE_S
    while True:
        for mail in read_mails(maildir):
            if mail["To"] == address and containing in text_of(mail):
                return mail
        assert time.monotonic() < deadline, f"no mail to {address} with {containing!r}"
        time.sleep(0.2)


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def link_token(mail: EmailMessage, path: str) -> str:
    """The token of the mailed link to ``path`` (in the link's fragment)."""
    text = text_of(mail)
    match = LINK_TOKEN.search(text[text.index(path) :])
    assert match is not None, text
    return match.group(1)
