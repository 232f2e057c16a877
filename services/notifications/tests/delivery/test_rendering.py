"""Messages per type and locale, with English as the fallback."""

import pytest

from notifications.delivery.rendering import locale_candidates, message_render
from notifications.preferences.types import NotificationType

ARTICLE = {
    "display_name": "Ada",
    "actor_name": "Grace <script>",
    "title": "Compilers & you",
    "link": "http://web.local/articles/compilers",
}


def test_english_subject_text_and_html() -> None:
    message = message_render(notification_type="article_published", locale="en", context=ARTICLE)

    assert message.subject == "New article: Compilers & you"
    assert "Grace <script> published “Compilers & you”." in message.text
    assert "Grace &lt;script&gt; published" in message.html
    assert 'href="http://web.local/articles/compilers"' in message.html
    assert '<html lang="en">' in message.html


def test_german_for_a_german_regional_locale() -> None:
    message = message_render(notification_type="article_published", locale="de-AT", context=ARTICLE)

    assert message.subject == "Neuer Artikel: Compilers & you"
    assert "hat „Compilers & you“ veröffentlicht" in message.text
    assert '<html lang="de-at">' in message.html


def test_a_missing_translation_falls_back_to_english() -> None:
    message = message_render(notification_type="article_published", locale="fr", context=ARTICLE)

    assert message.subject == "New article: Compilers & you"


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("kind", [*NotificationType, "digest"])
def test_every_type_has_every_part_in_english_and_german(kind: str, locale: str) -> None:
    context = {**ARTICLE, "status": "hidden", "expires_at": "tomorrow", "items": []}

    message = message_render(notification_type=kind, locale=locale, context=context)

    assert message.subject
    assert message.text.strip()
    assert "</html>" in message.html


def test_locale_candidates() -> None:
    assert locale_candidates("de_AT") == ["de-at", "de", "en"]
    assert locale_candidates("en") == ["en"]
