"""What every service's root URLconf takes from the library.

``from platform_common.api.urls import handler400, handler403, handler404, handler500``:
Django reads these names from the root URLconf, so paths DRF never sees (unknown URLs,
failures in plain views) answer the same problem+json as the API.
"""

from __future__ import annotations

from platform_common.api.errors import handler400, handler403, handler404, handler500

__all__ = ["handler400", "handler403", "handler404", "handler500"]
