"""Token verification (``jwt``, no Django) and its DRF glue (``drf``, ``permissions``)."""
