"""Every content endpoint of articles and taxonomy x every kind of caller: the expected
status of each cell, in one table. Each cell runs on fresh data."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.taxonomy.models import Category, Tag
from content.taxonomy.services import category_create, tag_create

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "reader", "author", "other_author", "editor", "admin")
ROLES = {
    "reader": ("reader",),
    "author": ("reader", "author"),
    "other_author": ("reader", "author"),
    "editor": ("reader", "editor"),
    "admin": ("reader", "admin"),
}
A = "/api/v1/content/articles"

# method, path ({draft}, {review}, {published} are the author's articles in that status;
# {category}, {tag} existing ones), body; then the status for each caller, in CALLERS order.
MATRIX = """
GET    {A}/                                     -          200 200 200 200 200 200
POST   {A}/                                     article    401 201 201 201 201 201
GET    {A}/{draft}/                             -          404 404 200 404 200 200
GET    {A}/{published}/                         -          200 200 200 200 200 200
GET    {A}/by-slug/published-piece/             -          200 200 200 200 200 200
PATCH  {A}/{draft}/                             title      401 404 200 404 404 404
PATCH  {A}/{published}/                         title      401 403 200 403 403 403
PUT    {A}/{published}/                         article    401 403 200 403 403 403
DELETE {A}/{published}/                         -          401 403 204 403 403 403
POST   {A}/{draft}/submit/                      -          401 404 200 404 403 403
POST   {A}/{review}/reject/                     reason     401 404 403 404 200 200
POST   {A}/{review}/publish/                    -          401 404 403 404 200 200
POST   {A}/{published}/archive/                 -          401 403 403 403 200 200
GET    {A}/{published}/revisions/               -          401 403 200 403 200 200
GET    {A}/{published}/revisions/diff/?from=1&to=1 -       401 403 200 403 200 200
POST   {A}/{published}/revisions/1/restore/     -          401 403 200 403 403 403
GET    {A}/search/?q=piece                      -          200 200 200 200 200 200
GET    {A}/autocomplete/?q=pie                  -          200 200 200 200 200 200
GET    /api/v1/content/categories/              -          200 200 200 200 200 200
POST   /api/v1/content/categories/              name       401 403 403 403 201 201
GET    /api/v1/content/categories/{category}/   -          200 200 200 200 200 200
PATCH  /api/v1/content/categories/{category}/   name       401 403 403 403 200 200
DELETE /api/v1/content/categories/{category}/   -          401 403 403 403 204 204
GET    /api/v1/content/tags/                    -          200 200 200 200 200 200
POST   /api/v1/content/tags/                    name       401 403 403 403 201 201
GET    /api/v1/content/tags/{tag}/              -          200 200 200 200 200 200
PATCH  /api/v1/content/tags/{tag}/              name       401 403 403 403 200 200
DELETE /api/v1/content/tags/{tag}/              -          401 403 403 403 204 204
"""
BODIES: dict[str, dict[str, Any]] = {
    "-": {},
    "article": {"title": "New piece", "body": "Text"},
    "title": {"title": "Changed"},
    "reason": {"reason": "Needs work."},
    "name": {"name": "Fresh name"},
}


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    body: str
    caller: str
    status: int

    def __str__(self) -> str:
        return f"{self.method} {self.path} as {self.caller} -> {self.status}"


def _cells() -> list[Cell]:
    cells = []
    for line in MATRIX.strip().splitlines():
        method, path, body, *statuses = line.split()
        assert len(statuses) == len(CALLERS), line
        for caller, status in zip(CALLERS, statuses, strict=True):
            cells.append(Cell(method, path.replace("{A}", A), body, caller, int(status)))
    return cells


@dataclass(frozen=True)
class World:
    author_id: UUID
    draft: Article
    review: Article
    published: Article
    category: Category
    tag: Tag


@pytest.fixture
def world() -> World:
    author_id = uuid4()

    def article(title: str, status: ArticleStatus) -> Article:
        return article_create(author_id=author_id, title=title, body="Piece text", status=status)

    return World(
        author_id=author_id,
        draft=article("Draft piece", ArticleStatus.DRAFT),
        review=article("Review piece", ArticleStatus.IN_REVIEW),
        published=article("Published piece", ArticleStatus.PUBLISHED),
        category=category_create(name="Matrix category"),
        tag=tag_create(name="matrix-tag"),
    )


def _client(
    caller: str, world: World, api_client: APIClient, authed_client: Callable[..., APIClient]
) -> APIClient:
    if caller == "anonymous":
        return api_client
    user_id = world.author_id if caller == "author" else uuid4()
    return authed_client(user_id, roles=ROLES[caller])


@pytest.mark.parametrize("cell", _cells(), ids=str)
def test_permission_matrix(
    cell: Cell,
    world: World,
    api_client: APIClient,
    authed_client: Callable[..., APIClient],
    jwks_server: object,
) -> None:
    path = cell.path.format(
        draft=world.draft.id,
        review=world.review.id,
        published=world.published.id,
        category=world.category.id,
        tag=world.tag.id,
    )
    client = _client(cell.caller, world, api_client, authed_client)

    response = client.generic(
        cell.method,
        path,
        data="" if cell.method in ("GET", "DELETE") else json.dumps(BODIES[cell.body]),
        content_type="application/json",
    )

    assert response.status_code == cell.status, response.content
    if cell.status >= 400:
        assert response["Content-Type"] == "application/problem+json"
