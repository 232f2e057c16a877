from django.urls import path

from accounts.users.apis import UserMeApi, UserRegisterApi

urlpatterns = [
    path("register/", UserRegisterApi.as_view(), name="user-register"),
    path("me/", UserMeApi.as_view(), name="user-me"),
]
