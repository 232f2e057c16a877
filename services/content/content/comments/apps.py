from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "content.comments"
    label = "comments"
    verbose_name = "Comments"
