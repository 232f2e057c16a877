import pytest

from content.articles.rendering import plain_text, reading_time_minutes, render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1))",
    "![pic](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]
DANGEROUS_MARKERS = (
    "<script",
    "onerror",
    "onload",
    "onclick",
    "javascript:",
    "<iframe",
    "<svg",
    "style=",
    "data:text",
)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_script_handler_or_script_url_survives_rendering(payload: str) -> None:
    rendered = render_markdown(f"Intro\n\n{payload}\n\nOutro").lower()

    assert not [marker for marker in DANGEROUS_MARKERS if marker in rendered], rendered


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_plain_text_carries_no_markup(payload: str) -> None:
    text = plain_text(f"Title {payload}")

    assert "<" not in text.replace("< ", ""), text
    assert text.startswith("Title")


def test_markdown_keeps_its_safe_formatting() -> None:
    rendered = render_markdown("# Head\n\n**bold** and [a link](https://example.com)\n\n- item")

    assert "<h1>Head</h1>" in rendered
    assert "<strong>bold</strong>" in rendered
    assert 'href="https://example.com"' in rendered
    assert 'rel="noopener noreferrer nofollow"' in rendered
    assert "<li>item</li>" in rendered


def test_plain_text_keeps_comparison_signs_and_ampersands() -> None:
    assert plain_text("1 < 2 & 3 > 2") == "1 < 2 & 3 > 2"


@pytest.mark.parametrize(("words", "minutes"), [(0, 1), (200, 1), (201, 2), (1000, 5)])
def test_reading_time_is_words_over_two_hundred_rounded_up(words: int, minutes: int) -> None:
    assert reading_time_minutes(" ".join(["word"] * words)) == minutes
