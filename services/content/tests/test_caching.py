import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author
from content.caching import cached_once
from platform_common.testing.events import deliver, make_envelope

pytestmark = pytest.mark.django_db

AuthedClient = Callable[..., APIClient]
LIST_URL = "/api/v1/content/articles/"


def detail_url(article_id: UUID) -> str:
    return f"/api/v1/content/articles/{article_id}/"


@pytest.fixture
def article(author: Author) -> Article:
    return article_create(
        author_id=author.id, title="Cached", body="text", status=ArticleStatus.PUBLISHED
    )


# The stampede guard


def test_concurrent_misses_compute_once_and_all_get_the_value() -> None:
    key = f"test-stampede:{uuid4()}"
    computed = []
    start = threading.Barrier(8)
    results: list[int] = []

    def compute() -> int:
        computed.append(1)
        time.sleep(0.3)
        return 42

    def read() -> None:
        start.wait()
        results.append(cached_once(key, compute))

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()

    assert len(computed) == 1
    assert results == [42] * 8


def test_a_reader_computes_itself_when_the_leader_is_too_slow() -> None:
    key = f"test-stampede:{uuid4()}"
    leader_started = threading.Event()

    def slow() -> str:
        leader_started.set()
        time.sleep(0.5)
        return "leader"

    leader = threading.Thread(target=cached_once, args=(key, slow))
    leader.start()
    leader_started.wait()

    value = cached_once(key, lambda: "follower", wait=0.05)
    leader.join()

    assert value == "follower"
    assert cached_once(key, lambda: "never") == "leader"


# Cached reads and invalidation


def test_an_anonymous_read_is_served_from_the_cache(
    api_client: APIClient, jwks_server: object, article: Article, django_assert_num_queries: Any
) -> None:
    first = api_client.get(LIST_URL)

    with django_assert_num_queries(0):
        second = api_client.get(LIST_URL)

    assert second.json() == first.json()


def test_a_signed_in_read_is_not_cached(
    authed_client: AuthedClient, author: Author, article: Article
) -> None:
    client = authed_client(author.id)
    client.get(LIST_URL)
    draft = article_create(author_id=author.id, title="Fresh draft", body="x")

    listed = {item["id"] for item in client.get(LIST_URL).json()["results"]}

    assert str(draft.id) in listed


def test_an_authors_new_name_is_visible_on_the_next_read(
    api_client: APIClient,
    author: Author,
    article: Article,
    django_capture_on_commit_callbacks: Any,
) -> None:
    api_client.get(detail_url(article.id))
    api_client.get(LIST_URL)

    # The author projection changes under the cached reads (an accounts event).
    with django_capture_on_commit_callbacks(execute=True):
        deliver(
            make_envelope(
                type="accounts.user.updated",
                data={
                    "user_id": str(author.id),
                    "email": "ada@example.com",
                    "display_name": "Ada King",
                    "avatar_url": None,
                    "locale": "en",
                    "time_zone": "UTC",
                },
                aggregate_id=author.id,
                aggregate_version=author.aggregate_version + 1,
            )
        )

    assert api_client.get(detail_url(article.id)).json()["author_display_name"] == "Ada King"
    listed = api_client.get(LIST_URL).json()["results"]
    assert [item["author_display_name"] for item in listed] == ["Ada King"]


def test_a_comment_is_visible_on_the_next_read(
    api_client: APIClient,
    authed_client: AuthedClient,
    article: Article,
    django_capture_on_commit_callbacks: Any,
) -> None:
    editor = authed_client(roles=("reader", "editor"))
    assert api_client.get(LIST_URL).json()["results"][0]["comment_count"] == 0
    assert api_client.get(f"{detail_url(article.id)}comments/").json()["results"] == []

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(f"{detail_url(article.id)}comments/", {"body": "Hi"}, format="json")

    assert api_client.get(LIST_URL).json()["results"][0]["comment_count"] == 1
    assert api_client.get(detail_url(article.id)).json()["comment_count"] == 1
    thread = api_client.get(f"{detail_url(article.id)}comments/").json()["results"]
    assert [item["body"] for item in thread] == ["Hi"]


def test_a_reaction_is_visible_on_the_next_read(
    api_client: APIClient,
    authed_client: AuthedClient,
    article: Article,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert api_client.get(detail_url(article.id)).json()["reactions"]["love"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        authed_client().put(f"{detail_url(article.id)}reactions/love/")

    assert api_client.get(detail_url(article.id)).json()["reactions"]["love"] == 1
    assert api_client.get(LIST_URL).json()["results"][0]["reactions"]["love"] == 1


def test_an_article_change_is_visible_on_the_next_read(
    api_client: APIClient,
    authed_client: AuthedClient,
    author: Author,
    article: Article,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = authed_client(author.id)
    assert api_client.get(detail_url(article.id)).json()["title"] == "Cached"
    assert len(api_client.get(LIST_URL).json()["results"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        client.patch(detail_url(article.id), {"title": "Renamed"}, format="json")
        # Published through the service (the API's workflow needs an editor): it
        # invalidates like every article write.
        article_create(
            author_id=author.id, title="Second", body="x", status=ArticleStatus.PUBLISHED
        )

    assert api_client.get(detail_url(article.id)).json()["title"] == "Renamed"
    assert [item["title"] for item in api_client.get(LIST_URL).json()["results"]] == [
        "Second",
        "Renamed",
    ]


# Conditional reads


def test_the_detail_carries_validators_and_answers_304(
    api_client: APIClient, jwks_server: object, article: Article
) -> None:
    response = api_client.get(detail_url(article.id))
    etag, last_modified = response["ETag"], response["Last-Modified"]

    by_etag = api_client.get(detail_url(article.id), HTTP_IF_NONE_MATCH=etag)
    by_date = api_client.get(detail_url(article.id), HTTP_IF_MODIFIED_SINCE=last_modified)

    assert response.status_code == 200
    assert by_etag.status_code == 304
    assert by_date.status_code == 304
    assert by_etag.content == b""


def test_a_change_makes_the_old_etag_stale(
    api_client: APIClient,
    authed_client: AuthedClient,
    article: Article,
    django_capture_on_commit_callbacks: Any,
) -> None:
    etag = api_client.get(detail_url(article.id))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        authed_client().put(f"{detail_url(article.id)}reactions/like/")

    response = api_client.get(detail_url(article.id), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["reactions"]["like"] == 1
    assert response["ETag"] != etag


def test_an_edit_within_the_same_second_changes_the_etag(
    api_client: APIClient,
    authed_client: AuthedClient,
    author: Author,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    second = timezone.now().replace(microsecond=0)
    clock = [second + timedelta(milliseconds=100)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    article = article_create(
        author_id=author.id, title="Cached", body="text", status=ArticleStatus.PUBLISHED
    )
    first = api_client.get(detail_url(article.id))
    clock[0] = second + timedelta(milliseconds=600)
    with django_capture_on_commit_callbacks(execute=True):
        edited = authed_client(author.id).patch(
            detail_url(article.id), {"title": "Edited"}, format="json"
        )
    assert edited.status_code == 200, edited.content

    # Both validators, as browsers send them: the ETag decides, If-Modified-Since is ignored.
    both = api_client.get(
        detail_url(article.id),
        HTTP_IF_NONE_MATCH=first["ETag"],
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
    )
    again = api_client.get(detail_url(article.id), HTTP_IF_NONE_MATCH=both["ETag"])

    assert both.status_code == 200
    assert both.json()["title"] == "Edited"
    assert both["ETag"] != first["ETag"]
    # HTTP dates have whole seconds: both versions carry the same Last-Modified, so only the
    # ETag tells them apart.
    assert both["Last-Modified"] == first["Last-Modified"]
    assert again.status_code == 304


def test_if_modified_since_compares_whole_seconds(api_client: APIClient, article: Article) -> None:
    last_modified = api_client.get(detail_url(article.id))["Last-Modified"]
    earlier = http_date(parsedate_to_datetime(last_modified).timestamp() - 1)

    same = api_client.get(detail_url(article.id), HTTP_IF_MODIFIED_SINCE=last_modified)
    older = api_client.get(detail_url(article.id), HTTP_IF_MODIFIED_SINCE=earlier)

    assert same.status_code == 304
    assert older.status_code == 200
    assert older["Last-Modified"] == last_modified
