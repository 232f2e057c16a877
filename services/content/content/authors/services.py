from datetime import datetime
from uuid import UUID

from content.authors.models import DELETED_DISPLAY_NAME, Author
from content.caching import author_cache_invalidate
from platform_common.events.envelope import Envelope
from platform_common.events.projections import apply_to_projection


def author_sync(
    *, author_id: UUID, display_name: str, avatar_url: str | None, envelope: Envelope
) -> Author | None:
    """Create or refresh the author from an accounts user event; None when the event is stale.

    Runs inside the consumer's transaction, together with the inbox row.
    """
    author = apply_to_projection(
        model=Author,
        lookup={"id": author_id},
        envelope=envelope,
        values={"display_name": display_name, "avatar_url": avatar_url or ""},
    )
    if author is not None:
        author_cache_invalidate(author_id=author_id)
    return author


def author_anonymise(*, author_id: UUID, deleted_at: datetime, envelope: Envelope) -> Author | None:
    """The account was deleted: keep the row (articles point at it), drop the person."""
    author = apply_to_projection(
        model=Author,
        lookup={"id": author_id},
        envelope=envelope,
        values={"display_name": DELETED_DISPLAY_NAME, "avatar_url": "", "deleted_at": deleted_at},
    )
    if author is not None:
        author_cache_invalidate(author_id=author_id)
    return author
