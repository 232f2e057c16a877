"""Rendered charts, shared by every test of this folder (rendering takes a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chart_rendering import (
    PROFILES,
    Manifest,
    build_charts,
    load_values,
    manifests,
    render,
)


@pytest.fixture(scope="session")
def built_charts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_charts(tmp_path_factory.mktemp("charts"))


@pytest.fixture(scope="session")
def rendered_profiles(built_charts: Path) -> dict[str, dict[str, str]]:
    return {
        profile: render(built_charts / "platform", load_values(path))
        for profile, path in PROFILES.items()
    }


@pytest.fixture(scope="session")
def platform_manifests(rendered_profiles: dict[str, dict[str, str]]) -> dict[str, list[Manifest]]:
    return {profile: manifests(rendered) for profile, rendered in rendered_profiles.items()}


@pytest.fixture(params=sorted(PROFILES))
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def objects(platform_manifests: dict[str, list[Manifest]], profile: str) -> list[Manifest]:
    return platform_manifests[profile]
