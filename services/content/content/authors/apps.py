from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "content.authors"
    label = "authors"
    verbose_name = "Authors (projection of accounts users)"
