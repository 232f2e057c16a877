"""HeadWithBody: an answer's head leaves with its body, in one write."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.server import CONTINUE, HeadWithBody


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_the_head_leaves_with_the_first_body_write() -> None:
    transport = RecordingTransport()
    answer = HeadWithBody(transport)

    answer.write(HEAD)
    held = list(transport.writes)
    answer.write(b"{}")

    assert held == []
    assert transport.writes == [HEAD + b"{}"]


def test_later_body_writes_go_out_as_they_come() -> None:
    transport = RecordingTransport()
    answer = HeadWithBody(transport)

    answer.write(HEAD)
    answer.write(b"{")
    answer.write(b"}")

    assert transport.writes == [HEAD + b"{", b"}"]


def test_100_continue_is_never_held() -> None:
    transport = RecordingTransport()
    answer = HeadWithBody(transport)

    answer.write(CONTINUE)

    assert transport.writes == [CONTINUE]


def test_closing_lets_a_held_head_go_first() -> None:
    transport = RecordingTransport()
    answer = HeadWithBody(transport)
    answer.write(HEAD)

    answer.close()

    assert transport.writes == [HEAD]
    assert transport.closed


def test_any_other_use_of_the_transport_lets_a_held_head_go_first() -> None:
    transport = RecordingTransport()
    answer = HeadWithBody(transport)
    answer.write(HEAD)

    size = answer.get_write_buffer_size()

    assert size == 0
    assert transport.writes == [HEAD]
