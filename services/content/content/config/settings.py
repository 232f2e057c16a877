"""Settings of the content service: the shared builder plus what is content's own."""

from pathlib import Path

from platform_common.settings import build_settings

globals().update(
    build_settings(
        service="content",
        base_dir=Path(__file__).resolve().parent.parent.parent,
        apps=["content.authors", "content.taxonomy", "content.articles"],
        root_urlconf="content.config.urls",
    )
)
