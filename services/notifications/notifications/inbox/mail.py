"""Account mails: the links accounts asks to send (email verification, password reset).

The link carries a single-use secret: it goes into the mail and nowhere else (no log line,
no inbox notification)."""

from __future__ import annotations

from django.core.mail import send_mail


def account_link_mail(
    *, email: str, display_name: str, subject: str, purpose: str, link: str, expires_at: str
) -> None:
    """Send one plain-text mail with ``link``; raises on a delivery failure, so the event
    is retried."""
    body = (
        f"Hello {display_name},\n\n"
        f"{purpose}, open this link:\n\n{link}\n\n"
        f"It works once, until {expires_at}. If you did not ask for it, ignore this mail.\n"
    )
    send_mail(subject, body, from_email=None, recipient_list=[email], fail_silently=False)
