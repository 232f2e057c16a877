"""The benchmark's rows: 50 published articles by 10 authors, with long bodies, a category
(all but every fifth), three tags each, a cover image (every third), an Open Graph image
(every seventh) and counters. Plain model inserts; the caller has set Django up."""

from uuid import uuid4

ARTICLES = 50
AUTHORS = 10
CATEGORIES = 4
TAGS = 8
TAGS_PER_ARTICLE = 3


def fill() -> None:
    from django.utils import timezone

    from content.articles.models import Article, ArticleStatus
    from content.authors.models import Author
    from content.engagement.models import ArticleEngagement
    from content.taxonomy.models import Category, Tag

    authors = Author.objects.bulk_create(
        Author(id=uuid4(), display_name=f"Author {index}") for index in range(AUTHORS)
    )
    categories = Category.objects.bulk_create(
        Category(name=f"Category {index}", slug=f"category-{index}") for index in range(CATEGORIES)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"Tag {index}", slug=f"tag-{index}") for index in range(TAGS)
    )
    articles = Article.objects.bulk_create(
        Article(
            title=f"Article {index}",
            slug=f"article-{index}",
            # Every other one has a summary; the others are listed with the body's start.
            summary=f"What article {index} is about." if index % 2 else "",
            body="A paragraph of the article's body. " * 200,
            author_id=authors[index % AUTHORS].id,
            category=categories[index % CATEGORIES] if index % 5 else None,
            cover=f"cover-{index}.webp" if index % 3 == 0 else "",
            og_image_url=f"https://images.example.com/og-{index}.png" if index % 7 == 0 else "",
            status=ArticleStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        for index in range(ARTICLES)
    )
    Article.tags.through.objects.bulk_create(
        Article.tags.through(article=article, tag=tags[(index + offset) % TAGS])
        for index, article in enumerate(articles)
        for offset in range(TAGS_PER_ARTICLE)
    )
    ArticleEngagement.objects.bulk_create(
        ArticleEngagement(
            article=article,
            comment_count=index,
            like_count=2 * index,
            love_count=index % 7,
            insightful_count=index % 3,
        )
        for index, article in enumerate(articles)
    )
