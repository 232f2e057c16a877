from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "content.taxonomy"
    label = "taxonomy"
    verbose_name = "Taxonomy (categories and tags)"
