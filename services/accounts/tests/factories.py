"""Factories of accounts' rows, for tests that need data rather than the sign-up flow."""

from __future__ import annotations

from factory.declarations import Sequence
from factory.django import DjangoModelFactory, Password
from factory.faker import Faker

from accounts.users.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = Sequence(lambda number: f"user{number}@example.com")
    display_name = Faker("first_name")
    password = Password(PASSWORD)
