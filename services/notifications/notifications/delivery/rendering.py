"""Messages rendered from Django templates per notification type and locale.

``templates/notifications/<type>/<locale>/{subject.txt,body.txt,body.html}``; a locale
without its own templates falls back to its language ("de-AT" to "de"), then to English.
Text parts are rendered without HTML escaping, the HTML part with it.
"""

from dataclasses import dataclass
from typing import Any

from django.template import Context, Template
from django.template.loader import select_template

FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def locale_candidates(locale: str) -> list[str]:
    """``de-AT`` → ``["de-at", "de", "en"]`` (each once)."""
    tag = locale.strip().replace("_", "-").lower()
    candidates = [tag, tag.split("-", 1)[0], FALLBACK_LOCALE]
    return [
        name for index, name in enumerate(candidates) if name and name not in candidates[:index]
    ]


def message_render(
    *, notification_type: str, locale: str, context: dict[str, Any]
) -> RenderedMessage:
    """Subject, text and HTML of ``notification_type`` in ``locale`` (or its fallback)."""
    locales = locale_candidates(locale)

    def part(name: str, *, autoescape: bool, extra: dict[str, Any]) -> str:
        names = [f"notifications/{notification_type}/{tag}/{name}" for tag in locales]
        template: Template = select_template(names).template
        return template.render(Context({**context, **extra}, autoescape=autoescape))

    # One line: a template's trailing newline (or a long title) must not break the header.
    subject = " ".join(part("subject.txt", autoescape=False, extra={}).split())
    return RenderedMessage(
        subject=subject,
        text=part("body.txt", autoescape=False, extra={}),
        html=part("body.html", autoescape=True, extra={"subject": subject, "locale": locales[0]}),
    )
