"""Write side of articles.

Each action owns its transaction: that is where ``content.article.*`` events will be
written to the outbox (``platform_common.events.publish``) when they are introduced.
"""

import secrets
from collections.abc import Iterator, Sequence
from typing import IO, Any, TypedDict, Unpack
from uuid import UUID

from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from content.articles.errors import ArticleCode
from content.articles.models import (
    SLUG_MAX_LENGTH,
    Article,
    ArticleRevision,
    ArticleStatus,
    cover_storage,
)
from content.articles.rendering import plain_text, reading_time_minutes, render_markdown
from content.articles.selectors import article_visible_queryset
from content.caching import public_cache_invalidate
from content.taxonomy.models import Category, Tag
from content.taxonomy.permissions import EDITORS
from platform_common.api.errors import ConflictError, PermissionDeniedError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal
from platform_common.auth.permissions import owner_or_role
from platform_common.images import ImagePolicy, image_clean
from platform_common.problems import ProblemCode
from platform_common.stored_images import image_store

SLUG_CONSTRAINT = "articles_article_slug_unique"
# Random suffixes tried after the plain slug is taken; exhausting them is astronomically rare.
SLUG_SUFFIX_ATTEMPTS = 5
SLUG_SUFFIX_BYTES = 4
SLUG_BASE_MAX_LENGTH = SLUG_MAX_LENGTH - len("-") - 2 * SLUG_SUFFIX_BYTES
FALLBACK_SLUG = "article"
# Shown as text by clients and search engines: markup in them is removed, never rendered.
PLAIN_TEXT_FIELDS = frozenset({"title", "summary", "meta_title", "meta_description"})
# Shown page-wide at most; under the request body limit (1 MiB) with the multipart framing.
COVER_POLICY = ImagePolicy(max_bytes=768 * 1024, max_width=4096, max_height=4096)


class ArticleDetails(TypedDict, total=False):
    """What an author may set besides title and body (all optional)."""

    summary: str
    category_id: UUID | None
    tag_ids: Sequence[UUID]
    meta_title: str
    meta_description: str
    canonical_url: str
    og_image_url: str


def article_create(
    *,
    author_id: UUID,
    title: str,
    body: str,
    status: ArticleStatus = ArticleStatus.DRAFT,
    **details: Unpack[ArticleDetails],
) -> Article:
    article = Article(author_id=author_id)
    tags = _apply_changes(article, {"title": title, "body": body, **details})
    _set_status(article, status)
    with transaction.atomic():
        _insert_with_unique_slug(article)
        if tags is not None:
            article.tags.set(tags)
        _record_revision(article, editor_id=author_id)
        public_cache_invalidate(article_id=article.id)
    return article


def article_update(
    *,
    article_id: UUID,
    actor_id: UUID,
    title: str | None = None,
    body: str | None = None,
    **details: Unpack[ArticleDetails],
) -> Article:
    """Change the given fields; the slug stays as it was created. The status changes only
    through the workflow (workflow.py); an archived article is no longer edited (409)."""
    changes: dict[str, Any] = {"title": title, "body": body}
    changes = {name: value for name, value in changes.items() if value is not None}
    with transaction.atomic():
        article = _article_for_change(article_id=article_id, actor_id=actor_id)
        if article.status == ArticleStatus.ARCHIVED:
            raise ConflictError("An archived article is not edited.", code=ArticleCode.NOT_EDITABLE)
        before = _revised_content(article)
        tags = _apply_changes(article, {**changes, **details})
        article.version += 1
        article.save()
        if tags is not None:
            article.tags.set(tags)
        if _revised_content(article) != before:
            _record_revision(article, editor_id=actor_id)
        public_cache_invalidate(article_id=article.id)
    return article


def article_revision_restore(*, article_id: UUID, actor_id: UUID, number: int) -> Article:
    """Bring back the title, summary and body of revision ``number`` (author only); this is
    itself a change, so it makes a new revision."""
    revision = get_object_or_not_found(
        ArticleRevision.objects.filter(article_id=article_id),
        number=number,
        message="Revision not found.",
    )
    return article_update(
        article_id=article_id,
        actor_id=actor_id,
        title=revision.title,
        body=revision.body,
        summary=revision.summary,
    )


def article_cover_set(*, article_id: UUID, actor: Principal, source: IO[bytes]) -> Article:
    """Check and re-encode the upload, store it under a new name and make it the cover (the
    author, editors and admins).

    The caller's right is checked before the upload is read. The file is written inside the
    transaction but storages are not transactional: a failed transaction deletes it again, a
    committed one deletes the replaced cover."""
    storage = cover_storage()
    stored = ""
    try:
        with transaction.atomic():
            article = _article_for_cover(article_id=article_id, actor=actor)
            stored = image_store(
                storage=storage, image=image_clean(source=source, policy=COVER_POLICY)
            )
            _cover_replace(article, name=stored, storage=storage)
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    return article


def article_cover_remove(*, article_id: UUID, actor: Principal) -> Article:
    """Remove the cover (nothing to do without one)."""
    with transaction.atomic():
        article = _article_for_cover(article_id=article_id, actor=actor)
        if article.cover:
            _cover_replace(article, name="", storage=cover_storage())
    return article


def _article_for_cover(*, article_id: UUID, actor: Principal) -> Article:
    """Lock the article for its author or an editor: unreadable -> 404, readable but not
    theirs -> 403, archived -> 409."""
    article = get_object_or_not_found(
        article_visible_queryset(viewer=actor).select_for_update(),
        id=article_id,
        message="Article not found.",
    )
    if not owner_or_role(actor, owner_id=article.author_id, roles=EDITORS):
        raise PermissionDeniedError(
            "Only the author or an editor may change the cover.",
            code=ProblemCode.PERMISSION_DENIED,
        )
    if article.status == ArticleStatus.ARCHIVED:
        raise ConflictError("An archived article is not edited.", code=ArticleCode.NOT_EDITABLE)
    return article


def _cover_replace(article: Article, *, name: str, storage: Storage) -> None:
    replaced = article.cover.name
    article.cover.name = name
    article.version += 1
    article.save(update_fields=["cover", "version", "updated_at"])
    public_cache_invalidate(article_id=article.id)
    if replaced:
        transaction.on_commit(lambda: storage.delete(replaced))


def _revised_content(article: Article) -> tuple[str, str, str]:
    return article.title, article.summary, article.body


def _record_revision(article: Article, *, editor_id: UUID) -> None:
    # The article row is locked (update) or new (create): numbers cannot race.
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        editor_id=editor_id,
    )


def _apply_changes(article: Article, changes: dict[str, Any]) -> list[Tag] | None:
    """Set the changed fields on ``article`` (rendering the body, checking references);
    returns the tags to set once the row exists, None when the tags do not change."""
    for field in PLAIN_TEXT_FIELDS & changes.keys():
        changes[field] = plain_text(changes[field])
    if "body" in changes:
        article.body_html = render_markdown(changes["body"])
        article.reading_time_minutes = reading_time_minutes(changes["body"])
    # A reference to a row that does not exist (any more) conflicts with the current state.
    category_id = changes.get("category_id")
    if category_id is not None and not Category.objects.filter(id=category_id).exists():
        raise ConflictError("No category has this id.", code=ArticleCode.UNKNOWN_CATEGORY)
    tags: list[Tag] | None = None
    if "tag_ids" in changes:
        tag_ids = set(changes.pop("tag_ids"))
        tags = list(Tag.objects.filter(id__in=tag_ids))
        if len(tags) != len(tag_ids):
            raise ConflictError("A tag id is unknown.", code=ArticleCode.UNKNOWN_TAG)
    for field, value in changes.items():
        setattr(article, field, value)
    return tags


def article_delete(*, article_id: UUID, actor_id: UUID) -> None:
    """Soft delete: the row stays (and keeps its slug) but no read returns it."""
    with transaction.atomic():
        article = _article_for_change(article_id=article_id, actor_id=actor_id)
        article.delete()
        public_cache_invalidate(article_id=article_id)


def _article_for_change(*, article_id: UUID, actor_id: UUID) -> Article:
    """Lock the article for its author: unreadable -> 404, readable but not theirs -> 403.

    Readable as by a caller without roles: a reviewer's reach to drafts is for reading."""
    article = get_object_or_not_found(
        article_visible_queryset(viewer=Principal(id=actor_id)).select_for_update(),
        id=article_id,
        message="Article not found.",
    )
    if article.author_id != actor_id:
        raise PermissionDeniedError(
            "Only the author may change this article.", code=ProblemCode.PERMISSION_DENIED
        )
    return article


def _set_status(article: Article, status: ArticleStatus) -> None:
    """Only at creation (seeding, imports); later changes go through the workflow."""
    article.status = status
    if status in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED):
        article.published_at = timezone.now()


def _slug_candidates(title: str) -> Iterator[str]:
    base = slugify(title)[:SLUG_BASE_MAX_LENGTH].strip("-") or FALLBACK_SLUG
    yield base
    for _ in range(SLUG_SUFFIX_ATTEMPTS):
        yield f"{base}-{secrets.token_hex(SLUG_SUFFIX_BYTES)}"


def _insert_with_unique_slug(article: Article) -> None:
    for candidate in _slug_candidates(article.title):
        # Deleted articles keep their slug, so look past the soft-delete manager.
        if Article.all_objects.filter(slug=candidate).exists():
            continue
        article.slug = candidate
        try:
            # A savepoint: losing the race to a concurrent insert must not abort the caller.
            with transaction.atomic():
                article.save(force_insert=True)
        except IntegrityError as error:
            if _violated_constraint(error) != SLUG_CONSTRAINT:
                raise
            continue
        return
    raise ConflictError(
        "Could not allocate a unique slug for this title.", code=ArticleCode.SLUG_UNAVAILABLE
    )


def _violated_constraint(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)
