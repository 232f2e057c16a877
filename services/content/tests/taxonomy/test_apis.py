from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from content.taxonomy.models import Category, Tag
from content.taxonomy.services import category_create, tag_create
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

CATEGORIES_URL = "/api/v1/content/categories/"
TAGS_URL = "/api/v1/content/tags/"
AuthedClient = Callable[..., APIClient]


def category_url(category: Category) -> str:
    return f"{CATEGORIES_URL}{category.id}/"


def tag_url(tag: Tag) -> str:
    return f"{TAGS_URL}{tag.id}/"


@pytest.fixture
def editor(authed_client: AuthedClient) -> APIClient:
    return authed_client(roles=("reader", "editor"))


# Categories


def test_an_editor_builds_a_tree(editor: APIClient) -> None:
    root = editor.post(CATEGORIES_URL, {"name": "Science & Tech"}, format="json")

    child = editor.post(
        CATEGORIES_URL,
        {"name": "Space", "parent_id": root.json()["id"], "position": 2},
        format="json",
    )

    assert root.status_code == 201, root.content
    assert root.json()["slug"] == "science-tech"
    assert root.json()["parent_id"] is None
    assert child.status_code == 201, child.content
    assert (child.json()["parent_id"], child.json()["position"]) == (root.json()["id"], 2)


def test_anyone_lists_categories_by_position_then_name(
    api_client: APIClient, jwks_server: object
) -> None:
    category_create(name="Zebra", position=0)
    category_create(name="Beta", position=1)
    category_create(name="Alpha", position=1)

    response = api_client.get(CATEGORIES_URL)

    assert response.status_code == 200
    assert [item["name"] for item in response.json()] == ["Zebra", "Alpha", "Beta"]


@pytest.mark.parametrize("depth", [0, 2], ids=["itself", "a-grandchild"])
def test_a_category_cannot_move_under_its_own_subtree(editor: APIClient, depth: int) -> None:
    root = category_create(name="Root")
    below = root
    for level in range(depth):
        below = category_create(name=f"Level {level}", parent_id=below.id)

    response = editor.patch(category_url(root), {"parent_id": str(below.id)}, format="json")

    assert_problem(response, status=409, code="category_cycle")
    root.refresh_from_db()
    assert root.parent_id is None


def test_a_category_moves_to_another_branch_and_back_to_the_root(editor: APIClient) -> None:
    left, right = category_create(name="Left"), category_create(name="Right")
    leaf = category_create(name="Leaf", parent_id=left.id)

    moved = editor.patch(category_url(leaf), {"parent_id": str(right.id)}, format="json")
    rooted = editor.patch(category_url(leaf), {"parent_id": None}, format="json")

    assert moved.json()["parent_id"] == str(right.id)
    assert rooted.json()["parent_id"] is None


def test_a_duplicate_category_slug_is_a_conflict(editor: APIClient) -> None:
    category_create(name="News")

    response = editor.post(CATEGORIES_URL, {"name": "Other", "slug": "news"}, format="json")

    assert_problem(response, status=409, code="slug_taken")


def test_a_category_with_children_is_not_deleted(editor: APIClient) -> None:
    parent = category_create(name="Parent")
    child = category_create(name="Child", parent_id=parent.id)

    refused = editor.delete(category_url(parent))
    leaf_deleted = editor.delete(category_url(child))
    parent_deleted = editor.delete(category_url(parent))

    assert_problem(refused, status=409, code="category_has_children")
    assert (leaf_deleted.status_code, parent_deleted.status_code) == (204, 204)
    assert not Category.objects.exists()


def test_an_unknown_parent_is_not_found(editor: APIClient) -> None:
    response = editor.post(
        CATEGORIES_URL,
        {"name": "Orphan", "parent_id": "00000000-0000-4000-8000-000000000000"},
        format="json",
    )

    assert_problem(response, status=404, code="not_found")


@pytest.mark.parametrize("roles", [(), ("reader", "author")], ids=["reader", "author"])
def test_only_editors_and_admins_change_the_taxonomy(
    authed_client: AuthedClient, roles: tuple[str, ...]
) -> None:
    category = category_create(name="Kept")
    tag = tag_create(name="kept")
    client = authed_client(roles=roles)

    responses = [
        client.post(CATEGORIES_URL, {"name": "New"}, format="json"),
        client.patch(category_url(category), {"name": "Changed"}, format="json"),
        client.delete(category_url(category)),
        client.post(TAGS_URL, {"name": "new"}, format="json"),
        client.delete(tag_url(tag)),
    ]

    for response in responses:
        assert_problem(response, status=403, code="permission_denied")
    assert list(Category.objects.values_list("name", flat=True)) == ["Kept"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["kept"]


def test_anonymous_writes_need_authentication(api_client: APIClient, jwks_server: object) -> None:
    response = api_client.post(TAGS_URL, {"name": "x"}, format="json")

    assert_problem(response, status=401, code="not_authenticated")


# Tags


def test_tag_slugs_are_unique_whatever_their_case(editor: APIClient) -> None:
    created = editor.post(TAGS_URL, {"name": "Python"}, format="json")

    again = editor.post(TAGS_URL, {"name": "Snake language", "slug": "PYTHON"}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "python"
    assert_problem(again, status=409, code="slug_taken")


def test_the_case_insensitive_constraint_holds_in_the_database() -> None:
    Tag.objects.create(name="Django", slug="django")

    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="Django", slug="Django")


def test_anyone_lists_and_reads_tags(api_client: APIClient, jwks_server: object) -> None:
    tag_create(name="rust")
    go = tag_create(name="go")

    listed = api_client.get(TAGS_URL)
    read = api_client.get(tag_url(go))

    assert [item["slug"] for item in listed.json()["results"]] == ["go", "rust"]
    assert read.json()["name"] == "go"


def test_an_editor_renames_and_deletes_a_tag(editor: APIClient) -> None:
    tag = tag_create(name="js")

    renamed = editor.patch(
        tag_url(tag), {"name": "JavaScript", "slug": "javascript"}, format="json"
    )
    deleted = editor.delete(tag_url(tag))

    assert (renamed.json()["name"], renamed.json()["slug"]) == ("JavaScript", "javascript")
    assert deleted.status_code == 204
    assert not Tag.objects.exists()
