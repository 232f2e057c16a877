"""The build description itself: Dockerfiles lint clean, docker-bake.hcl names files and
folders that exist and builds every deployable for both platforms with a cache, and the
scripts behind `make images` (and every other dev script) are shellcheck clean."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import DEPLOYABLES, REPO_ROOT, bake

BIN = REPO_ROOT / ".venv" / "bin"
SCRIPT_DIRS = ("dev", "k8s")


def repository_files() -> list[Path]:
    """Files of the project: tracked or new, never ignored ones (.venv, .local, caches)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [
        REPO_ROOT / name for name in listed.split("\0") if name and (REPO_ROOT / name).is_file()
    ]


def dockerfiles() -> list[Path]:
    return sorted(
        path
        for path in repository_files()
        if path.name == "Dockerfile" or path.name.endswith((".Dockerfile", ".dockerfile"))
    )


def shell_scripts() -> list[Path]:
    """The project's scripts (dev/, k8s/): every file with a shell shebang; the files they
    source are checked through them (-x)."""
    scripts = []
    for path in repository_files():
        if path.relative_to(REPO_ROOT).parts[0] not in SCRIPT_DIRS:
            continue
        with path.open("rb") as file:
            first_line = file.readline(100).rstrip()
        if first_line.startswith(b"#!") and first_line.endswith((b"bash", b"/sh")):
            scripts.append(path)
    return sorted(scripts)


def test_every_dockerfile_is_hadolint_clean() -> None:
    files = dockerfiles()
    assert files, "no Dockerfile in the repository"

    result = subprocess.run(
        [str(BIN / "hadolint"), *map(str, files)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_bake_target_builds_an_existing_dockerfile_from_an_existing_context() -> None:
    targets = bake.load().targets

    for target in targets.values():
        context = REPO_ROOT / target.context
        assert context.is_dir(), f"{target.name}: context {target.context} is not a folder"
        assert (context / target.dockerfile).is_file(), f"{target.name}: no {target.dockerfile}"
        if "SERVICE_DIR" in target.args:
            assert (context / target.args["SERVICE_DIR"] / "pyproject.toml").is_file()


def test_bake_builds_each_deployable_from_its_own_package_on_the_shared_base_target() -> None:
    loaded = bake.load(environ={"REGISTRY": "registry.example.com/platform", "TAG": "1.2.3"})

    assert sorted(loaded.groups["default"]) == sorted(DEPLOYABLES)
    for name in DEPLOYABLES:
        target = loaded.targets[name]
        project = tomllib.loads(
            (REPO_ROOT / target.args["SERVICE_DIR"] / "pyproject.toml").read_text()
        )
        assert target.args["SERVICE"] == project["project"]["name"] == name
        assert target.tags == [f"registry.example.com/platform/{name}:1.2.3"]
        # From the shared base target: the same stage, base image, platforms.
        assert target.stage == loaded.targets["base"].stage == "runtime"
        assert target.args["BASE_IMAGE"] == loaded.variables["BASE_IMAGE"]
        assert target.platforms == ["linux/amd64", "linux/arm64"]
        assert target.cache_from, f"{name}: no cache-from"
        assert target.cache_to, f"{name}: no cache-to"


def test_bake_base_image_is_a_build_argument_the_environment_overrides() -> None:
    loaded = bake.load(environ={"BASE_IMAGE": "localhost/platform-base:bookworm"})

    for name in DEPLOYABLES:
        assert loaded.targets[name].args["BASE_IMAGE"] == "localhost/platform-base:bookworm"


@pytest.mark.parametrize(
    "script", shell_scripts(), ids=lambda path: str(path.relative_to(REPO_ROOT))
)
def test_shell_script_is_shellcheck_clean(script: Path) -> None:
    # -x follows `source`d files (dev/bin/lib.sh) from the repository root.
    result = subprocess.run(
        [str(BIN / "shellcheck"), "-x", str(script.relative_to(REPO_ROOT))],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
