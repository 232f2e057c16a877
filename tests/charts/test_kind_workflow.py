"""`make kind-up` and `make kind-down`, run for real with the cluster tools replaced.

No Kubernetes API server and no Docker engine run here, so k8s/kind-up.sh and
k8s/kind-down.sh run with recording executables first on PATH in place of kind, kubectl,
helm, docker, podman and make (the image build, proven by tests/images). Each records its
arguments; the tests check the order of the workflow, that every version pinned in
k8s/versions.env is the one installed, that every custom resource the kind profile renders
has its CRD waited for before the chart is installed, and that a failing step stops it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from chart_rendering import CHARTS, ROOT, Manifest

K8S = ROOT / "k8s"
SHIMMED = ("kind", "kubectl", "helm", "docker", "podman", "make")
IMAGES = ("accounts", "content", "notifications", "gateway")
REGISTRY = "localhost:5001/platform"
TAG = "dev"
# What a recorded call answers (everything else succeeds with no output): nothing exists
# yet in the cluster; a Docker engine answers only when the test says so.
SHIM = f"""#!{sys.executable}
import json, os, sys
name, args = os.path.basename(sys.argv[0]), sys.argv[1:]
call = [name, *args]
env = {{key: os.environ.get(key, "") for key in ("REGISTRY", "TAG", "KIND_EXPERIMENTAL_PROVIDER")}}
with open(os.environ["SHIM_LOG"], "a") as log:
    log.write(json.dumps({{"call": call, "env": env}}) + "\\n")
if " ".join(call).startswith(os.environ.get("SHIM_FAIL") or "\\0"):
    sys.exit(7)
if call[:3] == ["kind", "get", "clusters"]:
    print(os.environ.get("SHIM_CLUSTERS", ""))
elif name == "docker" and args[:1] == ["info"]:
    sys.exit(0 if os.environ.get("SHIM_DOCKER") == "yes" else 1)
elif name == "kubectl" and "get" in args[:3]:
    sys.exit(1)
"""


def pinned_versions() -> dict[str, str]:
    pins = {}
    for line in (K8S / "versions.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pins[name] = value
    return pins


@dataclass
class Run:
    returncode: int
    output: str
    calls: list[list[str]]
    env: list[dict[str, str]]

    def index(self, *prefix: str) -> int:
        """Position of the first call starting with ``prefix``."""
        for position, call in enumerate(self.calls):
            if call[: len(prefix)] == list(prefix):
                return position
        raise AssertionError(f"never called: {' '.join(prefix)}")

    def all(self, *prefix: str) -> list[list[str]]:
        return [call for call in self.calls if call[: len(prefix)] == list(prefix)]

    def called(self, *prefix: str) -> bool:
        return bool(self.all(*prefix))


def run_script(tmp_path: Path, script: str, **shim_env: str) -> Run:
    shims = tmp_path / "bin"
    shims.mkdir(exist_ok=True)
    for name in SHIMMED:
        (shims / name).write_text(SHIM)
        (shims / name).chmod(0o755)
    log = tmp_path / "calls.jsonl"
    log.write_text("")
    env = {
        **{key: value for key, value in os.environ.items() if key not in ("REGISTRY", "TAG")},
        "PATH": f"{shims}:{os.environ['PATH']}",
        "SHIM_LOG": str(log),
        **shim_env,
    }
    result = subprocess.run(
        ["bash", str(K8S / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return Run(
        returncode=result.returncode,
        output=result.stdout + result.stderr,
        calls=[record["call"] for record in records],
        env=[record["env"] for record in records],
    )


@pytest.fixture(scope="module")
def kind_up(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_script(tmp_path_factory.mktemp("kind-up"), "kind-up.sh", SHIM_DOCKER="yes")
    assert run.returncode == 0, run.output
    return run


def test_the_cluster_is_created_from_the_kind_config_first(kind_up: Run) -> None:
    create = kind_up.index("kind", "create", "cluster")
    call = kind_up.calls[create]
    assert call[call.index("--config") + 1] == str(K8S / "kind-config.yaml")
    assert call[call.index("--image") + 1] == pinned_versions()["KIND_NODE_IMAGE"]
    assert call[call.index("--name") + 1] == "platform"
    assert create < kind_up.index("make", "images")


def test_the_images_are_baked_then_loaded_into_the_nodes(kind_up: Run) -> None:
    bake = kind_up.index("make", "images")
    assert kind_up.env[bake]["REGISTRY"] == REGISTRY
    assert kind_up.env[bake]["TAG"] == TAG
    loads = kind_up.all("kind", "load", "docker-image")
    assert sorted(call[-1] for call in loads) == sorted(
        f"{REGISTRY}/{image}:{TAG}" for image in IMAGES
    )
    assert bake < kind_up.index("kind", "load") < kind_up.index("kubectl", "apply")


def test_every_pinned_version_is_the_one_installed(kind_up: Run) -> None:
    installs = [
        " ".join(call)
        for call in kind_up.calls
        if call[:2] in (["kubectl", "apply"], ["helm", "upgrade"], ["kind", "create"])
    ]
    for name, version in pinned_versions().items():
        assert any(version in install for install in installs), f"{name}={version} not installed"
    for release in ("redis-operator", "keda", "monitoring"):
        (call,) = [c for c in kind_up.all("helm", "upgrade", "--install") if c[3] == release]
        assert call[call.index("--version") + 1] in pinned_versions().values()


def crd_name(kind: str, group: str) -> str:
    """``<plural>.<group>``, the name of a kind's CustomResourceDefinition."""
    kind = kind.lower()
    plural = kind[:-1] + "ies" if kind.endswith("y") else kind + "s"
    return f"{plural}.{group}"


def shipped_schema_crds() -> set[str]:
    """The CRDs whose schemas k8s/schemas holds (``<group>/<kind>_<version>.json``)."""
    return {
        crd_name(path.stem.rpartition("_")[0], path.parent.name)
        for path in (K8S / "schemas").glob("*/*.json")
    }


def custom_resource_crds(objects: list[Manifest]) -> set[str]:
    """The CRD of every custom resource among ``objects`` (the groups k8s/schemas holds)."""
    custom_groups = {path.name for path in (K8S / "schemas").iterdir() if path.is_dir()}
    return {
        crd_name(item.kind, group)
        for item in objects
        if (group := item.obj["apiVersion"].rpartition("/")[0]) in custom_groups
    }


def test_the_crds_of_every_rendered_custom_resource_are_waited_for_before_the_chart(
    kind_up: Run, platform_manifests: dict[str, list[Manifest]]
) -> None:
    waits = kind_up.all("kubectl", "wait", "--for", "condition=established")
    waited = {call[-1].removeprefix("crd/") for call in waits}
    rendered = custom_resource_crds(platform_manifests["kind"])
    assert {"clusters.postgresql.cnpg.io", "redissentinels.redis.redis.opstreelabs.in"} <= rendered
    assert rendered <= waited
    # What the script waits for is what the chart tests validate against.
    assert waited <= shipped_schema_crds()
    last_wait = max(kind_up.calls.index(call) for call in waits)
    first_operator = kind_up.index("kubectl", "apply")
    assert first_operator < last_wait < kind_up.index("helm", "upgrade", "--install", "platform")


def test_the_platform_is_installed_with_the_kind_values_then_tested(kind_up: Run) -> None:
    install = kind_up.index("helm", "upgrade", "--install", "platform")
    call = kind_up.calls[install]
    assert call[4] == str(CHARTS / "platform")
    assert call[call.index("-f") + 1] == str(CHARTS / "platform" / "values-kind.yaml")
    assert f"global.image.registry={REGISTRY}" in call
    assert f"global.image.tag={TAG}" in call
    for chart in ("accounts", "content", "notifications", "gateway", "platform"):
        assert kind_up.index("helm", "dependency", "build", str(CHARTS / chart)) < install
    helm_test = kind_up.index("helm", "test", "platform")
    assert install < helm_test
    assert helm_test == len(kind_up.calls) - 1


def test_the_chart_secrets_exist_before_the_install(kind_up: Run) -> None:
    # kubectl -n platform create secret <generic|tls> <name> ...
    created = {call[6] for call in kind_up.all("kubectl", "-n", "platform", "create", "secret")}
    assert {
        "platform-accounts-django",
        "platform-content-django",
        "platform-notifications-django",
        "platform-gateway-proxy",
        "platform-accounts-jwt-keys",
        "platform-accounts-mfa",
        "platform-tls",
    } <= created
    last_secret = max(
        kind_up.calls.index(call) for call in kind_up.all("kubectl", "-n", "platform", "create")
    )
    assert last_secret < kind_up.index("helm", "upgrade", "--install", "platform")


def test_without_docker_the_images_go_through_podman(tmp_path: Path) -> None:
    run = run_script(tmp_path, "kind-up.sh", SHIM_DOCKER="no")

    assert run.returncode == 0, run.output
    saved = run.all("podman", "save")
    assert sorted(call[-1] for call in saved) == sorted(
        f"{REGISTRY}/{image}:{TAG}" for image in IMAGES
    )
    assert len(run.all("kind", "load", "image-archive")) == len(IMAGES)
    create = run.index("kind", "create", "cluster")
    assert run.env[create]["KIND_EXPERIMENTAL_PROVIDER"] == "podman"


def test_an_existing_cluster_is_reused(tmp_path: Path) -> None:
    run = run_script(tmp_path, "kind-up.sh", SHIM_DOCKER="yes", SHIM_CLUSTERS="platform")

    assert run.returncode == 0, run.output
    assert not run.called("kind", "create")
    assert run.called("helm", "test", "platform")


@pytest.mark.parametrize(
    ("failing", "never"),
    [
        ("kind create cluster", ("make", "images")),
        ("make images", ("kind", "load")),
        ("helm upgrade --install redis-operator", ("kubectl", "wait")),
        ("kubectl wait --for condition=established", ("helm", "upgrade", "--install", "platform")),
        ("helm upgrade --install platform", ("helm", "test")),
    ],
)
def test_a_failing_step_stops_the_script(
    tmp_path: Path, failing: str, never: tuple[str, ...]
) -> None:
    run = run_script(tmp_path, "kind-up.sh", SHIM_DOCKER="yes", SHIM_FAIL=failing)

    assert run.returncode != 0
    assert " ".join(run.calls[-1]).startswith(failing)
    assert not run.called(*never)


def test_kind_down_deletes_the_cluster(tmp_path: Path) -> None:
    run = run_script(tmp_path, "kind-down.sh", SHIM_DOCKER="yes", SHIM_CLUSTERS="platform")

    assert run.returncode == 0, run.output
    assert run.all("kind", "delete") == [["kind", "delete", "cluster", "--name", "platform"]]


def test_kind_down_without_a_cluster_deletes_nothing(tmp_path: Path) -> None:
    run = run_script(tmp_path, "kind-down.sh", SHIM_DOCKER="yes")

    assert run.returncode == 0, run.output
    assert not run.called("kind", "delete")
    assert "no kind cluster named platform" in run.output


def test_kind_down_fails_when_the_delete_fails(tmp_path: Path) -> None:
    run = run_script(
        tmp_path,
        "kind-down.sh",
        SHIM_DOCKER="yes",
        SHIM_CLUSTERS="platform",
        SHIM_FAIL="kind delete",
    )

    assert run.returncode != 0
