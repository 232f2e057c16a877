from django.urls import path

from notifications.preferences.apis import PreferencesApi

urlpatterns = [
    path("preferences/", PreferencesApi.as_view(), name="preferences"),
]
