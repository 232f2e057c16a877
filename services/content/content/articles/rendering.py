"""Markdown bodies to safe HTML, titles to plain text, reading time.

The HTML is what markdown produces, then cleaned by nh3 against an allow-list: tags and
attributes outside it are dropped, URLs keep only http, https and mailto, so no script,
event handler or ``javascript:`` URL survives whatever the author typed (raw HTML in
Markdown included).
"""

import html
import math
import re

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "sup", "sub"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "thead", "tbody", "tr", "th", "td", "a", "img", "abbr"),
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]
WORDS_PER_MINUTE = 200
# Entity-encoded markup decodes to new markup: strip again until nothing changes (bounded).
_PLAIN_TEXT_PASSES = 5
_WORD = re.compile(r"\w+")


def render_markdown(source: str) -> str:
    """Sanitised HTML of a Markdown document."""
    raw = markdown.markdown(source, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(text: str) -> str:
    """``text`` without any markup (script and style contents included), entities decoded."""
    for _ in range(_PLAIN_TEXT_PASSES):
        stripped = html.unescape(nh3.clean(text, tags=set()))
        if stripped == text:
            break
        text = stripped
    return text.strip()


def reading_time_minutes(source: str) -> int:
    """Minutes to read ``source`` at WORDS_PER_MINUTE, at least one."""
    return max(1, math.ceil(len(_WORD.findall(source)) / WORDS_PER_MINUTE))
