"""Every content endpoint (articles, workflow, revisions, cover, search, taxonomy,
comments and their moderation, reactions, bookmarks) x every kind of caller: the expected
status of each cell, in one table. Each cell runs on fresh data."""

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_cover_set, article_create
from content.comments.models import Comment, CommentStatus
from content.taxonomy.models import Category, Tag
from content.taxonomy.services import category_create, tag_create
from platform_common.auth.jwt import Principal
from tests.factories import CommentFactory

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

C = "/api/v1/content"

# method, path ({draft}, {review}, {published} are the author's articles in that status;
# {cover} the published one's stored cover image; {comment} the author's approved comment
# on it, {pending} one waiting for moderation; {category}, {tag} existing ones), body; then
# the status for each caller, in CALLERS order. "author" writes the articles and comments,
# "other_author" holds the same roles without owning them.
MATRIX = """
GET    {A}/                                     -          200 200 200 200 200 200
POST   {A}/                                     article    401 403 201 201 201 201
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
PUT    {A}/{published}/cover/                   image      401 403 200 403 200 200
PUT    {A}/{draft}/cover/                       image      401 404 200 404 200 200
DELETE {A}/{published}/cover/                   -          401 403 200 403 200 200
GET    {C}/covers/{cover}                       -          200 200 200 200 200 200
GET    {A}/search/?q=piece                      -          200 200 200 200 200 200
GET    {A}/autocomplete/?q=pie                  -          200 200 200 200 200 200
GET    {C}/categories/                          -          200 200 200 200 200 200
POST   {C}/categories/                          name       401 403 403 403 201 201
GET    {C}/categories/{category}/               -          200 200 200 200 200 200
PATCH  {C}/categories/{category}/               name       401 403 403 403 200 200
DELETE {C}/categories/{category}/               -          401 403 403 403 204 204
GET    {C}/tags/                                -          200 200 200 200 200 200
POST   {C}/tags/                                name       401 403 403 403 201 201
GET    {C}/tags/{tag}/                          -          200 200 200 200 200 200
PATCH  {C}/tags/{tag}/                          name       401 403 403 403 200 200
DELETE {C}/tags/{tag}/                          -          401 403 403 403 204 204
GET    {A}/{published}/comments/                -          200 200 200 200 200 200
POST   {A}/{published}/comments/                comment    401 201 201 201 201 201
POST   {A}/{draft}/comments/                    comment    401 404 409 404 409 409
GET    {C}/comments/{comment}/                  -          200 200 200 200 200 200
GET    {C}/comments/{pending}/                  -          404 404 200 404 200 200
PUT    {C}/comments/{comment}/                  comment    401 403 200 403 403 403
PUT    {C}/comments/{pending}/                  comment    401 404 200 404 403 403
DELETE {C}/comments/{comment}/                  -          401 403 204 403 204 204
GET    {C}/comments/moderation/                 -          401 403 403 403 200 200
POST   {C}/comments/{pending}/moderation/       decision   401 403 403 403 200 200
PUT    {A}/{published}/reactions/like/          -          401 204 204 204 204 204
DELETE {A}/{published}/reactions/like/          -          401 204 204 204 204 204
PUT    {A}/{draft}/reactions/like/              -          401 404 204 404 204 204
PUT    {A}/{published}/bookmark/                -          401 204 204 204 204 204
DELETE {A}/{published}/bookmark/                -          401 204 204 204 204 204
PUT    {A}/{draft}/bookmark/                    -          401 404 204 404 204 204
GET    {C}/bookmarks/                           -          401 200 200 200 200 200
"""
BODIES: dict[str, dict[str, Any]] = {
    "-": {},
    "article": {"title": "New piece", "body": "Text"},
    "title": {"title": "Changed"},
    "reason": {"reason": "Needs work."},
    "name": {"name": "Fresh name"},
    "comment": {"body": "A fine piece."},
    "decision": {"status": "approved"},
}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 160)).save(out, format="PNG")
    return out.getvalue()


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
            path = path.replace("{A}", A).replace("{C}", C)
            cells.append(Cell(method, path, body, caller, int(status)))
    return cells


@dataclass(frozen=True)
class World:
    author_id: UUID
    draft: Article
    review: Article
    published: Article
    cover: str
    comment: Comment
    pending: Comment
    category: Category
    tag: Tag


@pytest.fixture
def world() -> World:
    author_id = uuid4()

    def article(title: str, status: ArticleStatus) -> Article:
        return article_create(author_id=author_id, title=title, body="Piece text", status=status)

    published = article("Published piece", ArticleStatus.PUBLISHED)
    covered = article_cover_set(
        article_id=published.id, actor=Principal(id=author_id), source=io.BytesIO(png())
    )

    assert covered.cover.name

    def comment(status: CommentStatus) -> Comment:
        return CommentFactory.create(article=published, author_id=author_id, status=status)

    return World(
        author_id=author_id,
        draft=article("Draft piece", ArticleStatus.DRAFT),
        review=article("Review piece", ArticleStatus.IN_REVIEW),
        published=published,
        cover=covered.cover.name,
        comment=comment(CommentStatus.APPROVED),
        pending=comment(CommentStatus.PENDING),
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
        cover=world.cover,
        comment=world.comment.id,
        pending=world.pending.id,
        category=world.category.id,
        tag=world.tag.id,
    )
    client = _client(cell.caller, world, api_client, authed_client)

    if cell.body == "image":
        assert cell.method == "PUT", cell
        upload = {"cover": SimpleUploadedFile("cover.png", png())}
        response = client.put(path, upload, format="multipart")
    else:
        response = client.generic(
            cell.method,
            path,
            data="" if cell.method in ("GET", "DELETE") else json.dumps(BODIES[cell.body]),
            content_type="application/json",
        )

    assert response.status_code == cell.status, response.content
    if cell.status >= 400:
        assert response["Content-Type"] == "application/problem+json"


# The matrix's concrete paths as the schema's templates.
TEMPLATES = (
    (r"\{(draft|review|published)\}", "{article_id}"),
    (r"\{(comment|pending)\}", "{comment_id}"),
    (r"\{category\}", "{category_id}"),
    (r"\{tag\}", "{tag_id}"),
    (r"\{cover\}", "{name}"),
    (r"by-slug/[^/]+/", "by-slug/{slug}/"),
    (r"revisions/\d+/", "revisions/{number}/"),
    (r"reactions/[a-z]+/", "reactions/{kind}/"),
    (r"\?.*$", ""),
)


def test_the_matrix_has_a_row_for_every_operation_of_the_schema(api_client: APIClient) -> None:
    schema = api_client.get(
        "/api/v1/content/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if not path.endswith("/schema/")
    }
    rows = set()
    for cell in _cells():
        path = cell.path
        for pattern, template in TEMPLATES:
            path = re.sub(pattern, template, path)
        rows.add((cell.method, path))

    assert operations - rows == set()
    assert rows - operations == set()
