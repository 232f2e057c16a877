"""A local SMTP sink (aiosmtpd): every mail it accepts is kept in a Maildir that tests read.

``make up`` runs it as ``dev/bin/smtp-sink`` (127.0.0.1:1025, Maildir ``.local/mail``);
service tests start one per test with ``mail_sink()``. Nothing is ever relayed.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import mailbox
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

HOST = "127.0.0.1"


def read_mails(maildir: Path) -> list[EmailMessage]:
    """Every mail in ``maildir``, oldest first (the order the sink accepted them)."""
    if not maildir.exists():
        return []
    box = mailbox.Maildir(maildir, create=False)
    # A Maildir message's date is its file's delivery time.
    keys = sorted(box.iterkeys(), key=lambda key: (box.get_message(key).get_date(), key))
    return [_parsed(box.get_bytes(key)) for key in keys]


def _parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):  # the default policy always builds one
        raise TypeError("not an EmailMessage")
    return message


@dataclass(frozen=True)
class MailSink:
    host: str
    port: int
    maildir: Path

    def mails(self) -> list[EmailMessage]:
        return read_mails(self.maildir)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_sink(*, maildir: Path, port: int) -> Controller:
    """Start a sink thread (stop it with ``.stop()``): it answers once this returns."""
    # Mailbox() only builds a Maildir's tmp/new/cur when the folder itself is missing.
    for folder in ("tmp", "new", "cur"):
        (maildir / folder).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(maildir), hostname=HOST, port=port)
    controller.start()
    return controller


@contextlib.contextmanager
def mail_sink(maildir: Path) -> Iterator[MailSink]:
    """A sink on a free port of 127.0.0.1 for the block."""
    controller = start_sink(maildir=maildir, port=free_port())
    try:
        yield MailSink(host=HOST, port=controller.port, maildir=maildir)
    finally:
        controller.stop()
