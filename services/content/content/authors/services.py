from uuid import UUID

from content.authors.models import Author
from platform_common.events.envelope import Envelope
from platform_common.events.projections import apply_to_projection


def author_sync(*, author_id: UUID, display_name: str, envelope: Envelope) -> Author | None:
    """Create or refresh the author from an accounts user event; None when the event is stale.

    Runs inside the consumer's transaction, together with the inbox row.
    """
    return apply_to_projection(
        model=Author,
        lookup={"id": author_id},
        envelope=envelope,
        values={"display_name": display_name},
    )
