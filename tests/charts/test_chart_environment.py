"""Every environment variable the settings read is provided to every container of the
deployable that reads it. Both sides are read at test time: the code (env reads in the
settings and libraries) and .env.example (every variable, by section), against the env and
ConfigMaps of the rendered pods, so a variable added later without a chart value fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from chart_rendering import (
    DJANGO_SERVICES,
    RELEASE,
    ROOT,
    SERVICE_CHARTS,
    Manifest,
    containers,
    pod_specs,
)

from gateway.config import OPTIONAL as GATEWAY_OPTIONAL
from platform_common.events.conf import DEFAULTS as EVENTS_DEFAULTS

# Variables a pod never needs, with the reason. Nothing else may be missing.
NOT_FOR_PODS = {
    "ENV_FILE": "names a local dotenv file; in a pod the environment is the only source",
    "DJANGO_SETTINGS_MODULE": "wsgi.py, asgi.py, celery.py and manage.py set it themselves",
    "DEMO_USER_PASSWORD": "only `manage.py seed_demo` reads it, in local development",
    "PROMETHEUS_MULTIPROC_DIR": "per process: see test_multiprocess_metrics_dir_only_where_needed",
    "ROOT": "local tooling (dev/Procfile)",
    "CHAOS_EVENTS": "local tooling (tests/chaos)",
}
# Sections of .env.example whose variables no deployable's settings read.
NOT_READ_BY_SETTINGS = {
    "local tooling": "development scripts and tests",
    "container images": "the images' entry point; the chart gives every container its command",
    "image builds": "docker-bake.hcl and `make images`",
}
# Values the chart sets on purpose unlike .env.example (whose values are local development's).
DELIBERATE = {
    "DJANGO_SECURE_SSL_REDIRECT": "HTTPS in a cluster (kind turns it off: plain HTTP inside)",
    "DJANGO_SECURE_HSTS_SECONDS": "HSTS for a year in a cluster",
    "JWT_SIGNING_KEYS_DIR": "the mounted Secret of signing keys",
    "JWKS_URL": "in-cluster address",
    "REDIS_URL": "in-cluster address",
    "CHANNEL_LAYER_SENTINELS": "in-cluster address",
    "REDIS_CLUSTER_URL": "in-cluster address",
    "UPSTREAM_ACCOUNTS": "in-cluster address",
    "UPSTREAM_CONTENT": "in-cluster address",
    "UPSTREAM_NOTIFICATIONS": "in-cluster address",
    "FORWARDED_ALLOW_IPS": "behind the ingress: the cluster's private ranges",
    "METRICS_PORT": "the container port `metrics` (locally each process has a port of its own)",
    "MQTT_PORT": "the broker's standard port (the local broker runs beside the machine's)",
    "ACCOUNT_LINK_BASE_URL": "the ingress host",
    "EMAIL_HOST": "the cluster's mail relay; development's is the local SMTP sink",
    "EMAIL_PORT": "the cluster's mail relay; development's is the local SMTP sink",
    "NOTIFICATION_LINK_BASE_URL": "the ingress host",
    "PROVIDER_SINK_DIR": "no local sink in a cluster: SMS and push need a provider webhook",
    "AVATAR_STORAGE_BACKEND": "pods share no disk: an object store in a cluster",
    "AVATAR_STORAGE_OPTIONS": "the cluster's bucket",
    "AVATAR_BASE_URL": "the ingress host",
    "COVER_STORAGE_BACKEND": "pods share no disk: an object store in a cluster",
    "COVER_STORAGE_OPTIONS": "the cluster's bucket",
    "COVER_BASE_URL": "the ingress host",
    "SENTRY_ENVIRONMENT": "a cluster reports as production unless its values say otherwise",
    "MQTT_HOST": "the cluster's broker (external to the chart)",
}
SECTION_HEADER = re.compile(r"^# -{8,} (?P<title>.+)$")
ENV_READ = re.compile(
    r"""(?:env\.(?:str|int|bool|float|list|tuple|dict|json|url|db_url|cache_url|path)\(
        |env\(
        |environ\.get\(|environ\[|getenv\(
        |_required\(env,\s*|_number\(env,\s*|env\.get\()
        \s*f?["'](?P<name>[A-Z][A-Z0-9_]+)["']""",
    re.VERBOSE,
)


def section_owners(title: str) -> tuple[str, ...]:
    if title == "every process":
        return SERVICE_CHARTS
    if title == "Django services":
        return DJANGO_SERVICES
    if title.endswith(" only") and title.removesuffix(" only") in SERVICE_CHARTS:
        return (title.removesuffix(" only"),)
    if title in NOT_READ_BY_SETTINGS:
        return ()
    raise AssertionError(f".env.example has a section this test does not know: {title!r}")


def documented_values() -> dict[str, dict[str, str]]:
    """Per deployable, each variable .env.example documents for it, with its value there."""
    values: dict[str, dict[str, str]] = {name: {} for name in SERVICE_CHARTS}
    owners: tuple[str, ...] = SERVICE_CHARTS
    for line in (ROOT / ".env.example").read_text().splitlines():
        header = SECTION_HEADER.match(line)
        if header:
            owners = section_owners(header["title"].strip())
        elif re.match(r"^[A-Z][A-Z0-9_]*=", line):
            name, value = line.split("=", 1)
            for owner in owners:
                values[owner][name] = value
    return values


def variables_in_env_example() -> dict[str, set[str]]:
    return {name: set(values) for name, values in documented_values().items()}


def reads_in(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        if "tests" in path.parts or "testing" in path.parts:
            continue
        names |= {match["name"] for match in ENV_READ.finditer(path.read_text())}
    return names


def variables_in_code() -> dict[str, set[str]]:
    library = reads_in(ROOT / "libs" / "common" / "src") | set(EVENTS_DEFAULTS)
    needed = {
        service: library | reads_in(ROOT / "services" / service / service)
        for service in DJANGO_SERVICES
    }
    # The gateway reads its optional settings through one table: variable names, no calls.
    gateway_optional = {variable for variable, _ in GATEWAY_OPTIONAL.values()}
    needed["gateway"] = reads_in(ROOT / "gateway" / "src") | gateway_optional
    return needed


def required_variables() -> dict[str, set[str]]:
    from_code, documented = variables_in_code(), variables_in_env_example()
    return {
        name: (from_code[name] | documented[name]) - set(NOT_FOR_PODS) for name in SERVICE_CHARTS
    }


def provided(container: dict[str, Any], config_maps: dict[str, dict[str, str]]) -> set[str]:
    names = {variable["name"] for variable in container.get("env", [])}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names |= set(config_maps[source["configMapRef"]["name"]])
    return names


def missing_variables(objects: list[Manifest], required: dict[str, set[str]]) -> list[str]:
    config_maps = {
        item.name: item.obj.get("data", {}) for item in objects if item.kind == "ConfigMap"
    }
    found = []
    for item, metadata, spec in pod_specs(objects):
        service = metadata["labels"].get("app.kubernetes.io/name")
        if item.kind == "Pod" or service not in required:
            continue
        for container in containers(spec):
            missing = required[service] - provided(container, config_maps)
            if missing:
                found.append(f"{item} container {container['name']}: missing {sorted(missing)}")
    return found


def test_the_code_scan_finds_the_settings_reads() -> None:
    code = variables_in_code()
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "AMQP_URL", "EVENTS_MAX_RETRIES"} <= code[
        "content"
    ]
    assert "JWT_SIGNING_KEYS_DIR" in code["accounts"]
    assert {"RATE_LIMIT_ANONYMOUS", "REDIS_CLUSTER_URL", "BREAKER_RESET_SECONDS"} <= code["gateway"]


def test_every_variable_the_settings_read_is_provided(objects: list[Manifest]) -> None:
    assert missing_variables(objects, required_variables()) == []


def test_a_variable_without_a_chart_value_is_reported(objects: list[Manifest]) -> None:
    required = required_variables()
    required["content"] = required["content"] | {"CONTENT_NEW_SETTING"}
    missing = missing_variables(objects, required)
    assert missing
    assert all("CONTENT_NEW_SETTING" in line for line in missing)


@pytest.mark.parametrize("service", DJANGO_SERVICES)
def test_multiprocess_metrics_dir_only_where_needed(objects: list[Manifest], service: str) -> None:
    """gunicorn's workers are several processes, and so is a Celery worker's pool when a
    service picks prefork (the chart prepares every worker for it); the relay, beat and
    uvicorn are one."""
    for item, metadata, spec in pod_specs(objects):
        if metadata["labels"].get("app.kubernetes.io/name") != service:
            continue
        for container in spec["containers"]:
            names = {
                variable["name"]: variable.get("value") for variable in container.get("env", [])
            }
            command = container["command"]
            several = command[0] == "gunicorn" or (command[0] == "celery" and "worker" in command)
            assert ("PROMETHEUS_MULTIPROC_DIR" in names) == several, item
            if several:
                mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
                volumes = {v["name"]: v for v in spec["volumes"]}
                assert "emptyDir" in volumes[mounts[names["PROMETHEUS_MULTIPROC_DIR"]]]


SECRET_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "GATEWAY_PROXY_SECRET",
    "DATABASE_PASSWORD",
    "AMQP_PASSWORD",
    "SENTRY_DSN",
    "MQTT_PASSWORD",
    "WEBHOOK_ENCRYPTION_KEY",
)
USERINFO = re.compile(r"://(?P<user>[^:@/]*):(?P<password>[^@/]*)@")


def test_secrets_are_only_referenced(objects: list[Manifest]) -> None:
    assert [item for item in objects if item.kind == "Secret"] == []
    literal = []
    for item, _, spec in pod_specs(objects):
        for container in containers(spec):
            for variable in container.get("env", []):
                if variable["name"] in SECRET_VARIABLES and "secretKeyRef" not in variable.get(
                    "valueFrom", {}
                ):
                    literal.append(f"{item} {variable['name']}")
                match = USERINFO.search(str(variable.get("value", "")))
                if match and not match["password"].startswith("$("):
                    literal.append(f"{item} {variable['name']} carries a password")
    for item in objects:
        if item.kind == "ConfigMap":
            literal += [
                f"{item} {key}" for key, value in item.obj["data"].items() if USERINFO.search(value)
            ]
    assert literal == []


def test_every_deployable_gets_the_gateway_proxy_secret(objects: list[Manifest]) -> None:
    for item, metadata, spec in pod_specs(objects):
        if metadata["labels"].get("app.kubernetes.io/name") not in SERVICE_CHARTS:
            continue
        for container in containers(spec):
            names = {variable["name"] for variable in container.get("env", [])}
            assert "GATEWAY_PROXY_SECRET" in names, f"{item} {container['name']}"


def test_the_sentry_dsn_comes_from_an_optional_secret_never_a_configmap(
    objects: list[Manifest],
) -> None:
    references = []
    for _, metadata, spec in pod_specs(objects):
        if metadata["labels"].get("app.kubernetes.io/name") not in SERVICE_CHARTS:
            continue
        for container in containers(spec):
            env = {variable["name"]: variable for variable in container.get("env", [])}
            references.append(env["SENTRY_DSN"]["valueFrom"]["secretKeyRef"])
    in_configmaps = [
        str(item)
        for item in objects
        if item.kind == "ConfigMap" and "SENTRY_DSN" in item.obj["data"]
    ]

    assert references
    # Optional: pods start without it, and Sentry stays off until the Secret exists.
    assert {(ref["name"], ref["key"], ref["optional"]) for ref in references} == {
        (f"{RELEASE}-sentry", "dsn", True)
    }
    assert in_configmaps == []


def same_value(left: str, right: str) -> bool:
    try:
        return float(left) == float(right)
    except ValueError:
        return left.strip().lower() == right.strip().lower()


def test_chart_values_equal_the_documented_ones(objects: list[Manifest]) -> None:
    """A tunable the chart sets differs from .env.example only on purpose (DELIBERATE), so a
    default changed in the code and its documentation is not silently overridden."""
    documented = documented_values()
    differing = []
    for item in objects:
        service = item.obj["metadata"]["labels"].get("app.kubernetes.io/name")
        if item.kind != "ConfigMap" or service not in documented:
            continue
        for name, value in item.obj["data"].items():
            expected = documented[service].get(name)
            if expected is not None and name not in DELIBERATE and not same_value(value, expected):
                differing.append(f"{service} {name}={value!r}, .env.example says {expected!r}")
    assert differing == []
