"""bench/content_list compares the article list with a hand-written peer; the ratio means
something only while both serve the same document, so the list cannot gain or change a
field without the peer following."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from django.test import RequestFactory
from rest_framework.test import APIClient

BENCH = Path(__file__).resolve().parents[3] / "bench" / "content_list"


def bench_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"content_list_{name}", BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_peer_serves_the_lists_document(
    db: None, api_client: APIClient, jwks_server: object, rf: RequestFactory
) -> None:
    data, peer = bench_module("data"), bench_module("raw_view")
    data.fill()

    ours = api_client.get("/api/v1/content/articles/", {"page_size": data.ARTICLES})
    theirs = peer.raw_article_list(rf.get("/raw/articles/"))

    assert ours.status_code == 200
    document = ours.json()
    assert len(document["results"]) == data.ARTICLES
    assert {item["cover_image_url"] is None for item in document["results"]} == {True, False}
    assert {item["category"] is None for item in document["results"]} == {True, False}
    assert json.loads(theirs.content) == document
