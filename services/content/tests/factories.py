"""factory-boy factories for the rows tests need as they are, without going through services."""

from typing import Any
from uuid import uuid4

import factory
from django.utils import timezone
from factory.declarations import LazyFunction, Sequence

from content.articles.models import Article, ArticleStatus
from content.authors.models import Author
from content.comments.models import Comment, CommentStatus


class AuthorFactory(factory.django.DjangoModelFactory[Author]):
    class Meta:
        model = Author

    id = LazyFunction(uuid4)
    display_name = Sequence(lambda index: f"Author {index}")
    aggregate_version = 1


class PublishedArticleFactory(factory.django.DjangoModelFactory[Article]):
    """A published article; ``build_batch`` + ``bulk_create`` for many at once."""

    class Meta:
        model = Article

    title = Sequence(lambda index: f"Piece {index}")
    slug = Sequence(lambda index: f"piece-{index}")
    body = "x"
    author_id = LazyFunction(uuid4)
    status = ArticleStatus.PUBLISHED
    published_at = LazyFunction(timezone.now)


def published_articles(count: int, **fields: Any) -> list[Article]:
    """``count`` published articles inserted in one statement."""
    articles = PublishedArticleFactory.build_batch(count, **fields)
    return Article.objects.bulk_create(articles)


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    """An approved top-level comment; ``build_batch`` + ``bulk_create`` for many at once."""

    class Meta:
        model = Comment

    author_id = LazyFunction(uuid4)
    body = Sequence(lambda index: f"Comment {index}")
    status = CommentStatus.APPROVED


def approved_comments(count: int, **fields: Any) -> list[Comment]:
    return Comment.objects.bulk_create(CommentFactory.build_batch(count, **fields))
