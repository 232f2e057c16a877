"""Refresh-token rotation under real concurrency: threads on the real database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from pytest_django import Settings

from accounts.clients import ClientInfo
from accounts.tokens.models import RefreshToken
from accounts.tokens.services import (
    TokenPair,
    credentials_authenticate,
    session_start,
    token_pair_refresh,
)
from accounts.users.models import User
from platform_common.api.errors import ApplicationError
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in() -> TokenPair:
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    client = ClientInfo(ip_address="127.0.0.1", user_agent="")
    user = credentials_authenticate(
        request=request, client=client, email="carol@example.com", password=PASSWORD
    )
    _, pair = session_start(user=user, client=client)
    return pair


def refresh_outcome(refresh: str) -> TokenPair | str:
    """The new pair, or the problem code; in its own thread's database connection."""
    try:
        return token_pair_refresh(refresh=refresh)
    except ApplicationError as error:
        return error.code
    finally:
        connection.close()


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(run, call) for call in calls]]


def waiting_for_locks() -> int:
    """Backends of this test database blocked on a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    assert row is not None
    count: int = row[0]
    return count


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def row_locked(token: RefreshToken) -> Iterator[None]:
    """Holds a row lock on ``token`` from another session, as a slow request would."""
    params = connection.get_connection_params()
    with psycopg.connect(**params) as other, other.transaction():
        other.execute("SELECT 1 FROM tokens_refreshtoken WHERE id = %s FOR UPDATE", [token.id])
        yield


def test_two_tabs_refreshing_at_once_keep_the_session(user: User) -> None:
    pair = log_in()

    outcomes = all_at_once([lambda: refresh_outcome(pair.refresh)] * 2)

    winners = [outcome for outcome in outcomes if isinstance(outcome, TokenPair)]
    losers = [outcome for outcome in outcomes if not isinstance(outcome, TokenPair)]
    assert len(winners) == 1
    assert losers == ["refresh_token_rotated"]
    assert not RefreshToken.objects.filter(revoked_at__isnull=False).exists()
    assert isinstance(refresh_outcome(winners[0].refresh), TokenPair)


def test_a_duplicate_within_the_grace_window_is_benign(user: User) -> None:
    pair = log_in()
    newer = token_pair_refresh(refresh=pair.refresh)

    duplicate = refresh_outcome(pair.refresh)

    assert duplicate == "refresh_token_rotated"
    assert isinstance(refresh_outcome(newer.refresh), TokenPair)


def test_a_reuse_after_the_grace_window_revokes_the_family(user: User, settings: Settings) -> None:
    settings.JWT_REFRESH_REUSE_GRACE = timedelta(seconds=0)
    pair = log_in()
    newer = token_pair_refresh(refresh=pair.refresh)

    reused = refresh_outcome(pair.refresh)

    assert reused == "token_reused"
    assert refresh_outcome(newer.refresh) == "invalid_token"


def test_a_reuse_revokes_even_the_token_minted_while_it_waited(
    user: User, settings: Settings
) -> None:
    settings.JWT_REFRESH_REUSE_GRACE = timedelta(seconds=0)
    pair = log_in()
    newest = token_pair_refresh(refresh=pair.refresh)
    newest_row = RefreshToken.objects.get(used_at__isnull=True)

    with ThreadPoolExecutor(2) as pool:
        with row_locked(newest_row):
            # The legitimate holder refreshes, slowly (its row is busy) ...
            rotation: Future[TokenPair | str] = pool.submit(refresh_outcome, newest.refresh)
            wait_until(lambda: waiting_for_locks() == 1)
            # ... while a thief replays the spent token.
            reuse: Future[TokenPair | str] = pool.submit(refresh_outcome, pair.refresh)
            wait_until(lambda: waiting_for_locks() == 2)
        outcomes = (rotation.result(timeout=10), reuse.result(timeout=10))

    assert isinstance(outcomes[0], TokenPair)
    assert outcomes[1] == "token_reused"
    assert not RefreshToken.objects.filter(revoked_at__isnull=True).exists()
    assert refresh_outcome(outcomes[0].refresh) == "invalid_token"


def test_a_session_ends_at_its_absolute_lifetime_however_often_it_slides(
    user: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.JWT_REFRESH_TOKEN_LIFETIME = timedelta(days=7)
    settings.JWT_REFRESH_SESSION_LIFETIME = timedelta(days=10)
    started = timezone.now()
    pair = log_in()
    for day in (3, 6, 9):
        monkeypatch.setattr(timezone, "now", lambda day=day: started + timedelta(days=day))
        pair = token_pair_refresh(refresh=pair.refresh)

    monkeypatch.setattr(timezone, "now", lambda: started + timedelta(days=10, seconds=1))
    outcome = refresh_outcome(pair.refresh)

    assert outcome == "token_expired"
