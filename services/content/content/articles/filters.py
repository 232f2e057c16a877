import django_filters

from content.articles.models import Article, ArticleStatus


class ArticleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices)
    author = django_filters.UUIDFilter(field_name="author_id")

    class Meta:
        model = Article
        fields = ["status", "author"]
