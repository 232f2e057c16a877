"""The admin's settings: inserted around what build_settings made, in the order Django needs."""

from __future__ import annotations

from django.conf import settings

from platform_common.admin import admin_settings
from platform_common.admin.actions import _csv_cell


def test_the_admin_apps_and_middleware_are_added_in_order() -> None:
    added = admin_settings(
        {"INSTALLED_APPS": settings.INSTALLED_APPS, "MIDDLEWARE": settings.MIDDLEWARE}
    )

    apps, middleware = added["INSTALLED_APPS"], added["MIDDLEWARE"]
    assert apps.index("unfold") < apps.index("django.contrib.admin")
    assert set(settings.INSTALLED_APPS) <= set(apps)
    assert middleware.index("django.middleware.security.SecurityMiddleware") + 1 == (
        middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
    )
    assert (
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
        < middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
        < middleware.index("django.middleware.csrf.CsrfViewMiddleware")
    )


def test_applying_it_twice_adds_everything_once() -> None:
    once = admin_settings(
        {"INSTALLED_APPS": settings.INSTALLED_APPS, "MIDDLEWARE": settings.MIDDLEWARE}
    )

    twice = admin_settings(once)

    assert twice["INSTALLED_APPS"].count("django.contrib.admin") == 1
    assert twice["MIDDLEWARE"] == once["MIDDLEWARE"]


def test_csv_cells_never_start_a_formula() -> None:
    assert [_csv_cell(v) for v in ["=1+1", "+x", "-2", "@a", "plain", None, ["a", "b"]]] == [
        "'=1+1",
        "'+x",
        "'-2",
        "'@a",
        "plain",
        "",
        "a;b",
    ]
