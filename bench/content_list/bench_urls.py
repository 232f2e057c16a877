"""The content service's URLs plus the hand-written peer of the article list."""

from django.urls import path
from raw_view import raw_article_list

from content.config.urls import urlpatterns as content_urlpatterns

urlpatterns = [path("raw/articles/", raw_article_list), *content_urlpatterns]
