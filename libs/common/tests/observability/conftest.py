import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from platform_common.observability.logging import configure_logging

JsonLines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_logs() -> Iterator[JsonLines]:
    configure_logging(service="svc-under-test", level="info")
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    # The handler resolved sys.stdout when configured; pytest swaps sys.stdout per phase.
    handler.setStream(output)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in output.getvalue().splitlines()]

    yield lines
    logging.getLogger().removeHandler(handler)
