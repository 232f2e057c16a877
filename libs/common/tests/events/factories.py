import uuid
from typing import Any


def user_data(**overrides: Any) -> dict[str, Any]:
    """Valid accounts.user.registered v1 data."""
    return {
        "user_id": str(uuid.uuid4()),
        "email": "ada@example.com",
        "display_name": "Ada",
        **overrides,
    }
