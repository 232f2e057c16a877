"""The `helm test` pods: in every profile a readiness check of the gateway, then a
register/login smoke, each running its script from charts/platform/files/tests (shipped
in a ConfigMap) with the gateway image against the gateway's Service. The scripts
themselves run against the local stack in tests/e2e/test_helm_test_scripts.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from chart_rendering import CHARTS, RELEASE, Manifest

SCRIPTS = CHARTS / "platform" / "files" / "tests"


def helm_test_pods(objects: list[Manifest]) -> dict[str, Manifest]:
    return {
        item.name: item
        for item in objects
        if item.kind == "Pod"
        and item.obj["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"
    }


def test_readiness_runs_before_the_smoke(objects: list[Manifest]) -> None:
    pods = helm_test_pods(objects)
    assert set(pods) == {f"{RELEASE}-test-ready", f"{RELEASE}-test-smoke"}
    weights = {
        name: int(pod.obj["metadata"]["annotations"]["helm.sh/hook-weight"])
        for name, pod in pods.items()
    }
    assert weights[f"{RELEASE}-test-ready"] < weights[f"{RELEASE}-test-smoke"]


def test_each_pod_runs_its_shipped_script(objects: list[Manifest]) -> None:
    (config_map,) = [
        item for item in objects if item.kind == "ConfigMap" and item.name == f"{RELEASE}-tests"
    ]
    for script in ("ready", "smoke"):
        pod = helm_test_pods(objects)[f"{RELEASE}-test-{script}"].obj["spec"]
        (container,) = pod["containers"]
        assert container["command"] == ["python", f"/tests/{script}.py"]
        (mount,) = container["volumeMounts"]
        assert mount["mountPath"] == "/tests"
        volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
        assert volume["configMap"]["name"] == config_map.name
        assert config_map.obj["data"][f"{script}.py"] == (SCRIPTS / f"{script}.py").read_text()
        assert container["image"].rpartition(":")[0].endswith("/gateway")
        assert pod["restartPolicy"] == "Never"


def test_the_pods_call_the_gateway(objects: list[Manifest]) -> None:
    """In-cluster through the gateway's Service, or (staging, production) from the public
    side through the TLS host of the rendered Ingress."""
    services = {item.name: item.obj["spec"] for item in objects if item.kind == "Service"}
    public_hosts = {
        host
        for item in objects
        if item.kind == "Ingress"
        for tls in item.obj["spec"]["tls"]
        for host in tls["hosts"]
    }
    for pod in helm_test_pods(objects).values():
        (container,) = pod.obj["spec"]["containers"]
        (variable,) = container["env"]
        assert variable["name"] == "BASE_URL"
        url = urlsplit(variable["value"])
        if url.scheme == "https":
            assert url.hostname in public_hosts
        else:
            assert url.hostname == f"{RELEASE}-gateway"
            assert url.port in {port["port"] for port in services[url.hostname]["ports"]}


def test_the_scripts_are_valid_python() -> None:
    for script in ("ready", "smoke"):
        path = SCRIPTS / f"{script}.py"
        compile(path.read_text(), str(path), "exec")
