"""``Idempotency-Key`` for POST: one execution per caller and key, repeats replayed.

A POST carrying the header is fingerprinted (method, path, query and the body, which the
edge has already received whole). Per (caller, key) the Redis Cluster holds, under one hash
tag so both live in one slot and one script sees both:

- ``…:lock``: the fingerprint of the request being executed (with a random owner), for at
  most ``lock_seconds``; a duplicate meanwhile gets 409 ``idempotency_in_progress``.
- ``…:answer``: status, selected headers and body of the answer, for ``ttl_seconds``;
  a repeat gets it back with ``Idempotent-Replayed: true``.

The same key with another fingerprint is 409 ``idempotency_key_mismatch``: a conflict with
what the key already holds (the request itself is valid, so not 422). 5xx answers,
gateway errors and answers larger than ``max_response_bytes`` are not stored (the lock is
released, so a retry runs again). Without Redis the request is refused with a retryable
503: running it unprotected could run it twice, the very thing the client asked to avoid.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable

from redis.asyncio.cluster import RedisCluster
from starlette.types import Message, Scope, Send

from gateway.headers import RawHeaders
from gateway.problems import Problem
from platform_common.problems import ProblemCode

logger = logging.getLogger(__name__)

# Sends the request upstream and its answer to the given ``send``.
Forward = Callable[[Send], Awaitable[None]]

REPLAYED_HEADER = (b"idempotent-replayed", b"true")
# Visible ASCII, 1-255 characters (a UUID is the usual choice).
VALID_KEY = re.compile(rb"[\x21-\x7e]{1,255}")
# What a replay needs to mean the same thing; never cookies or per-request headers.
STORED_HEADERS = frozenset(
    {
        b"content-type",
        b"content-language",
        b"location",
        b"content-location",
        b"etag",
        b"last-modified",
    }
)
UNAVAILABLE_RETRY_AFTER = b"5"

# One round trip: the stored answer if there is one, else take the lock, else who holds it.
BEGIN = """
local answer = redis.call('HMGET', KEYS[1], 'fingerprint', 'status', 'headers', 'body')
if answer[1] then return {'answer', answer[1], answer[2], answer[3], answer[4]} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'EX', ARGV[2]) then return {'acquired'} end
return {'locked', redis.call('GET', KEYS[2]) or ''}
"""
# Store and unlock in one step, only while this request still holds the lock.
FINISH = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[2], 'status', ARGV[3], 'headers', ARGV[4],
    'body', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('DEL', KEYS[2])
return 1
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""


def in_progress() -> Problem:
    return Problem(
        409,
        ProblemCode.IDEMPOTENCY_IN_PROGRESS,
        "A request with this Idempotency-Key is still being processed; retry later.",
        headers=[(b"retry-after", b"1")],
    )


def key_mismatch() -> Problem:
    return Problem(
        409,
        ProblemCode.IDEMPOTENCY_KEY_MISMATCH,
        "This Idempotency-Key was used for a different request.",
    )


def key_invalid() -> Problem:
    return Problem(
        400,
        ProblemCode.IDEMPOTENCY_KEY_INVALID,
        "Idempotency-Key must be 1-255 visible ASCII characters.",
    )


class Idempotency:
    def __init__(
        self,
        redis: RedisCluster,
        *,
        key_prefix: str,
        ttl_seconds: int,
        lock_seconds: int,
        max_response_bytes: int,
    ) -> None:
        self._redis = redis
        self._prefix = key_prefix
        self._ttl = ttl_seconds
        self._lock_seconds = lock_seconds
        self._max_response = max_response_bytes

    async def forward(
        self,
        scope: Scope,
        send: Send,
        *,
        key: bytes,
        caller: str,
        body: bytes | None,
        forward: Forward,
    ) -> None:
        """Run ``forward`` once per (caller, key); a repeat gets the stored answer."""
        if VALID_KEY.fullmatch(key) is None:
            raise key_invalid()
        fingerprint = _fingerprint(scope, body or b"")
        tag = hashlib.sha256(caller.encode() + b"\0" + key).hexdigest()
        answer_key, lock_key = f"{self._prefix}:{{{tag}}}:answer", f"{self._prefix}:{{{tag}}}:lock"
        owner = f"{fingerprint}:{secrets.token_hex(8)}"
        keys = [answer_key, lock_key]
        state = await self._call(BEGIN, keys, owner, self._lock_seconds)
        if state[0] == b"answer":
            if state[1].decode() != fingerprint:
                raise key_mismatch()
            await _replay(send, status=int(state[2]), headers=state[3], body=state[4])
            return
        if state[0] == b"locked":
            same_request = state[1].decode().startswith(f"{fingerprint}:")
            raise in_progress() if same_request else key_mismatch()
        stored = False

        async def store(recorder: _Recorder) -> None:
            # Before the last byte goes out: a client that repeats the moment it holds the
            # answer gets the replay, not "in progress". A store that fails is logged (by
            # _call) and the answer still goes out; the lock is then released below.
            nonlocal stored
            with contextlib.suppress(Problem):
                await self._call(
                    FINISH,
                    keys,
                    owner,
                    fingerprint,
                    recorder.status,
                    recorder.encoded_headers(),
                    b"".join(recorder.body),
                    self._ttl,
                )
                stored = True

        try:
            await forward(_Recorder(send, self._max_response, before_end=store).send)
        finally:
            if not stored:
                await self._release(lock_key, owner)

    async def _call(self, script: str, keys: list[str], *args: str | int | bytes) -> list[bytes]:
        try:
            result = await self._redis.eval(script, len(keys), *keys, *args)
        except Exception as error:
            # The same breadth as the rate limiter: redis-py raises more than RedisError.
            logger.warning("idempotency store unavailable (%s)", type(error).__name__)
            raise Problem(
                503,
                ProblemCode.SERVICE_UNAVAILABLE,
                "Idempotency keys are unavailable right now.",
                headers=[(b"retry-after", UNAVAILABLE_RETRY_AFTER)],
            ) from error
        return list(result) if isinstance(result, list) else [result]

    async def _release(self, lock_key: str, owner: str) -> None:
        try:
            await self._redis.eval(RELEASE, 1, lock_key, owner)
        except Exception as error:
            # The lock expires on its own after lock_seconds.
            logger.warning("idempotency lock not released (%s)", type(error).__name__)


class _Recorder:
    """Passes the answer through while keeping what a replay needs; ``before_end`` runs
    before the last body message of a storable answer is passed on."""

    def __init__(
        self, send: Send, limit: int, *, before_end: Callable[[_Recorder], Awaitable[None]]
    ) -> None:
        self._send = send
        self._limit = limit
        self._before_end = before_end
        self.status = 0
        self.headers: RawHeaders = []
        self.body: list[bytes] = []
        self._size = 0

    @property
    def storable(self) -> bool:
        return 0 < self.status < 500 and self._size <= self._limit

    def encoded_headers(self) -> str:
        return json.dumps(
            [[name.decode("latin-1"), value.decode("latin-1")] for name, value in self.headers]
        )

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [
                (name, value)
                for name, value in message.get("headers", ())
                if name in STORED_HEADERS
            ]
        elif message["type"] == "http.response.body":
            chunk: bytes = message.get("body", b"")
            self._size += len(chunk)
            if self._size <= self._limit:
                self.body.append(chunk)
            if not message.get("more_body", False) and self.storable:
                await self._before_end(self)
        await self._send(message)


async def _replay(send: Send, *, status: int, headers: bytes, body: bytes) -> None:
    stored: RawHeaders = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in json.loads(headers)
    ]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*stored, (b"content-length", str(len(body)).encode()), REPLAYED_HEADER],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["raw_path"], scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
