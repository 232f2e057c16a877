from django.urls import path

from accounts.audit.apis import MyActivityApi

urlpatterns = [
    path("me/activity/", MyActivityApi.as_view(), name="my-activity"),
]
