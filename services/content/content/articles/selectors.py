"""Reads of articles. Visibility: everyone sees published articles, authors their own
drafts, editors and admins every draft (they review them)."""

import difflib
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject, Left, NullIf

from content.articles.filters import ArticleFilter
from content.articles.models import SUMMARY_LENGTH, Article, ArticleRevision, ArticleStatus
from content.authors.models import Author
from content.taxonomy.models import Tag
from platform_common.api.errors import PermissionDeniedError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal
from platform_common.auth.permissions import Role, owner_or_role_filter
from platform_common.problems import ProblemCode

# Around the matches in search headlines: plain text, escaped and marked up by the API.
HEADLINE_START = "[[[mark]]]"
HEADLINE_STOP = "[[[/mark]]]"
# Who may read every draft, not only their own.
DRAFT_REVIEWERS = (Role.EDITOR, Role.ADMIN)


def article_visible_queryset(*, viewer: Principal | None) -> QuerySet[Article]:
    """Live articles ``viewer`` may read (anonymous when None)."""
    visible = Q(status=ArticleStatus.PUBLISHED) | owner_or_role_filter(
        viewer, owner_field="author_id", roles=DRAFT_REVIEWERS
    )
    return Article.objects.filter(visible)


def _with_relations(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Author name, category and tags in the article's own query (no query per row)."""
    # A subquery, not a join on a foreign key: the author may not be projected yet, and the
    # article must still be listed (with no display name) when it is not.
    author_name = Author.objects.filter(id=OuterRef("author_id")).values("display_name")[:1]
    tags = (
        Tag.objects.filter(articles=OuterRef("pk"))
        .order_by("name")
        .values(summary=JSONObject(id="id", slug="slug", name="name"))
    )
    return queryset.select_related("category").annotate(
        author_display_name=Subquery(author_name), tag_summaries=ArraySubquery(tags)
    )


def article_list(
    *, viewer: Principal | None, filters: Mapping[str, Any] | None = None
) -> QuerySet[Article]:
    """Articles ``viewer`` may read, newest first, narrowed and ordered by ``filters``
    (``ArticleFilter``'s names, already validated); each has a ``teaser`` (its summary, or
    the start of its body) instead of its body (no body is read from the database: a page
    of long articles stays small)."""
    articles = article_visible_queryset(viewer=viewer)
    if filters:
        articles = ArticleFilter(data=filters, queryset=articles).qs
        if filters.get("ordering"):
            # The last key makes pages stable among equal values.
            articles = articles.order_by(*articles.query.order_by, "-id")
    return _as_list_items(articles)


def article_search(*, viewer: Principal | None, query: str) -> QuerySet[Article]:
    """Readable articles matching ``query`` (web search syntax: words, "phrases", -not,
    or), parsed in each article's own language, best first: title matches rank above
    summary matches above body matches. Each has a ``headline``: the best passage of its
    body with the matches between HEADLINE_START and HEADLINE_STOP."""
    ts_query = SearchQuery(query, search_type="websearch", config=F("language"))
    matches = (
        article_visible_queryset(viewer=viewer)
        .filter(search_vector=ts_query)
        .annotate(
            rank=SearchRank(F("search_vector"), ts_query),
            headline=SearchHeadline(
                "body",
                ts_query,
                config=F("language"),
                start_sel=HEADLINE_START,
                stop_sel=HEADLINE_STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by("-rank", "-published_at", "-id")
    )
    return _as_list_items(matches)


def article_autocomplete(*, prefix: str, limit: int) -> tuple[list[Article], list[Tag]]:
    """Published titles and tags starting with ``prefix`` (or a word of the title)."""
    titles = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .filter(Q(title__istartswith=prefix) | Q(title__icontains=f" {prefix}"))
        .only("id", "slug", "title")
        .order_by("-view_count", "-published_at")[:limit]
    )
    tags = Tag.objects.filter(Q(name__istartswith=prefix) | Q(slug__istartswith=prefix))[:limit]
    return list(titles), list(tags)


def _as_list_items(articles: QuerySet[Article]) -> QuerySet[Article]:
    teaser = Coalesce(NullIf("summary", Value("")), Left("body", SUMMARY_LENGTH))
    return _with_relations(articles.defer("body", "body_html")).annotate(teaser=teaser)


def article_get(
    *, viewer: Principal | None, article_id: UUID | None = None, slug: str | None = None
) -> Article:
    """The article (by id or by slug) if ``viewer`` may read it; otherwise 404, never
    revealing it exists."""
    lookup = {"id": article_id} if article_id is not None else {"slug": slug}
    visible = _with_relations(article_visible_queryset(viewer=viewer))
    return get_object_or_not_found(visible, **lookup, message="Article not found.")


def article_revision_list(*, article_id: UUID, viewer: Principal) -> QuerySet[ArticleRevision]:
    """The article's revisions, newest first: for its author, editors and admins."""
    article = get_object_or_not_found(
        article_visible_queryset(viewer=viewer), id=article_id, message="Article not found."
    )
    if article.author_id != viewer.id and not viewer.has_role(*DRAFT_REVIEWERS):
        raise PermissionDeniedError(
            "Only the author and editors read revisions.", code=ProblemCode.PERMISSION_DENIED
        )
    return ArticleRevision.objects.filter(article_id=article_id)


def article_revision_diff(
    *, article_id: UUID, viewer: Principal, from_number: int, to_number: int
) -> str:
    """A unified diff from revision ``from_number`` to ``to_number`` (title, summary, body)."""
    revisions = article_revision_list(article_id=article_id, viewer=viewer)
    old, new = (
        get_object_or_not_found(revisions, number=number, message="Revision not found.")
        for number in (from_number, to_number)
    )
    return "".join(
        difflib.unified_diff(
            _revision_lines(old),
            _revision_lines(new),
            fromfile=f"revision {from_number}",
            tofile=f"revision {to_number}",
        )
    )


def _revision_lines(revision: ArticleRevision) -> list[str]:
    text = f"# {revision.title}\n\n{revision.summary}\n\n{revision.body}"
    return [line + "\n" for line in text.splitlines()]
