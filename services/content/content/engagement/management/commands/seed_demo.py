"""Demo content for local development: authors, articles, comments and reactions, once.

Rows are written directly (not through the services): demo data is not news, so no
event is published for it. The counters are then computed from the rows."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from content.articles.models import Article, ArticleStatus
from content.authors.models import Author
from content.comments.models import Comment, CommentStatus
from content.engagement.models import (
    ArticleEngagement,
    Reaction,
    ReactionKind,
    reaction_count_field,
)

SLUG_PREFIX = "demo-"
AUTHORS = ("Ada Lovelace", "Grace Hopper", "Alan Turing")
READERS = 12
ARTICLES = 36
DRAFT_EVERY = 6
TOPICS = (
    "caching",
    "queues",
    "indexes",
    "observability",
    "migrations",
    "pagination",
    "retries",
    "sharding",
    "testing",
)
COMMENTS = (
    "Thanks, this cleared things up.",
    "How does this hold up under load?",
    "We tried this last year; it worked well.",
    "Could you expand on the trade-offs?",
    "Great read.",
)


def demo_id(name: str) -> UUID:
    """Stable ids: a second run finds what the first one wrote."""
    return uuid5(NAMESPACE_URL, f"content-demo:{name}")


class Command(BaseCommand):
    help = "Create demo authors, articles, comments and reactions unless they exist."

    def handle(self, *args: Any, **options: Any) -> None:
        if Article.all_objects.filter(slug__startswith=SLUG_PREFIX).exists():
            self.stdout.write("demo content already exists")
            return
        # Seeded: the same demo every time.
        rng = random.Random(12)
        with transaction.atomic():
            authors = [
                Author.objects.get_or_create(id=demo_id(name), defaults={"display_name": name})[0]
                for name in AUTHORS
            ]
            readers = [demo_id(f"reader-{index}") for index in range(READERS)]
            articles = Article.objects.bulk_create(
                _article(index, author_id=authors[index % len(authors)].id)
                for index in range(ARTICLES)
            )
            published = [a for a in articles if a.status == ArticleStatus.PUBLISHED]
            comments = Comment.objects.bulk_create(
                Comment(
                    article=article,
                    author_id=rng.choice(readers),
                    body=rng.choice(COMMENTS),
                    status=CommentStatus.APPROVED if rng.random() < 0.8 else CommentStatus.PENDING,
                )
                for article in published
                for _ in range(rng.randint(0, 5))
            )
            Comment.objects.bulk_create(
                Comment(
                    article=parent.article,
                    parent=parent,
                    author_id=rng.choice(readers),
                    body="Agreed, and " + rng.choice(COMMENTS).lower(),
                    status=CommentStatus.APPROVED,
                )
                for parent in comments
                if parent.status == CommentStatus.APPROVED and rng.random() < 0.3
            )
            Reaction.objects.bulk_create(
                Reaction(article=article, user_id=reader, kind=kind)
                for article in published
                for reader in readers
                for kind in ReactionKind.values
                if rng.random() < 0.15
            )
            _count(articles)
        self.stdout.write(
            f"created {len(articles)} articles by {len(authors)} authors, with comments "
            "and reactions"
        )


def _article(index: int, *, author_id: UUID) -> Article:
    topic = TOPICS[index % len(TOPICS)]
    draft = index % DRAFT_EVERY == DRAFT_EVERY - 1
    title = f"Notes on {topic}, part {index // len(TOPICS) + 1}"
    body = "\n\n".join(
        f"Paragraph {number} about {topic}: what we measured, what we changed, and why."
        for number in range(1, 8)
    )
    return Article(
        title=title,
        slug=f"{SLUG_PREFIX}{index}-{topic}",
        body=f"# {title}\n\n{body}",
        author_id=author_id,
        status=ArticleStatus.DRAFT if draft else ArticleStatus.PUBLISHED,
        published_at=None if draft else timezone.now() - timedelta(days=ARTICLES - index),
    )


def _count(articles: list[Article]) -> None:
    approved = Q(comments__status=CommentStatus.APPROVED)
    counted = Article.objects.filter(id__in=[a.id for a in articles]).annotate(
        comment_count=Count("comments", filter=approved, distinct=True),
        **{
            reaction_count_field(kind): Count(
                "reactions", filter=Q(reactions__kind=kind), distinct=True
            )
            for kind in ReactionKind.values
        },
    )
    ArticleEngagement.objects.bulk_create(
        ArticleEngagement(
            article_id=article.id,
            comment_count=article.comment_count,
            **{
                reaction_count_field(kind): getattr(article, reaction_count_field(kind))
                for kind in ReactionKind.values
            },
        )
        for article in counted
    )
