"""Write side of the taxonomy (editors and admins; the APIs check the role)."""

from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, models, transaction
from django.utils.text import slugify

from content.taxonomy.errors import TaxonomyCode
from content.taxonomy.models import Category, Tag
from content.taxonomy.selectors import category_ancestry_ids, category_get, tag_get
from platform_common.api.errors import ConflictError

# Moves in the tree are serialised by this transaction-level advisory lock: two concurrent
# moves could each pass the cycle check and close a cycle together.
_TREE_LOCK_KEY = 0x7A7A0001


def category_create(
    *, name: str, slug: str | None = None, parent_id: UUID | None = None, position: int = 0
) -> Category:
    category = Category(name=name, slug=_slug(slug, name), position=position)
    with transaction.atomic():
        if parent_id is not None:
            _lock_tree()
            category.parent = category_get(category_id=parent_id)
        _save_with_unique_slug(category, force_insert=True)
    return category


def category_update(*, category_id: UUID, **changes: Any) -> Category:
    """Change name, slug, position or parent (None makes it a root)."""
    with transaction.atomic():
        _lock_tree()
        category = category_get(category_id=category_id)
        if "parent_id" in changes:
            parent_id: UUID | None = changes.pop("parent_id")
            if parent_id is not None and category.id in category_ancestry_ids(
                category_id=parent_id
            ):
                raise ConflictError(
                    "A category cannot be moved under itself or one of its descendants.",
                    code=TaxonomyCode.CATEGORY_CYCLE,
                )
            category.parent = None if parent_id is None else category_get(category_id=parent_id)
        _apply(category, changes)
        _save_with_unique_slug(category)
    return category


def category_delete(*, category_id: UUID) -> None:
    """Delete a leaf; articles filed under it become uncategorised."""
    with transaction.atomic():
        category = category_get(category_id=category_id)
        try:
            with transaction.atomic():
                category.delete()
        except models.ProtectedError as error:
            raise ConflictError(
                "Move or delete the category's children first.",
                code=TaxonomyCode.CATEGORY_HAS_CHILDREN,
            ) from error


def tag_create(*, name: str, slug: str | None = None) -> Tag:
    tag = Tag(name=name, slug=_slug(slug, name))
    with transaction.atomic():
        _save_with_unique_slug(tag, force_insert=True)
    return tag


def tag_update(*, tag_id: UUID, **changes: Any) -> Tag:
    with transaction.atomic():
        tag = tag_get(tag_id=tag_id)
        _apply(tag, changes)
        _save_with_unique_slug(tag)
    return tag


def tag_delete(*, tag_id: UUID) -> None:
    """Delete the tag; articles lose it."""
    with transaction.atomic():
        tag_get(tag_id=tag_id).delete()


def _slug(slug: str | None, name: str) -> str:
    # Lower case always: slugs are compared case-insensitively anyway.
    return slugify(slug or name) or "untitled"


def _apply(item: Category | Tag, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(item, field, _slug(value, item.name) if field == "slug" else value)


def _lock_tree() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_TREE_LOCK_KEY])


def _save_with_unique_slug(item: Category | Tag, *, force_insert: bool = False) -> None:
    try:
        with transaction.atomic():
            item.save(force_insert=force_insert)
    except IntegrityError as error:
        raise ConflictError(
            f"The slug {item.slug!r} is already in use.", code=TaxonomyCode.SLUG_TAKEN
        ) from error
