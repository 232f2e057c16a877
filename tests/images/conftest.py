"""Fixtures of the image tests: the images `make images` built, run with podman.

Every container runs on the host network against the local data plane (PgBouncer 6432,
Postgres 5432 for migrations, RabbitMQ, Redis, the Redis Cluster), the way a pod runs:
read-only root filesystem with a writable /tmp, every capability dropped, no privilege
escalation, the image's own user. Names are unique per run and every container is removed
at the end, whatever the outcome.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from cryptography.fernet import Fernet

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOYABLES = ("accounts", "content", "notifications", "gateway")
DJANGO_SERVICES = ("accounts", "content", "notifications")
START_TIMEOUT_SECONDS = 60.0
# The restrictions of the charts' pods, as podman spells them.
POD_LIKE = (
    "--network=host",
    "--read-only",
    "--tmpfs=/tmp:rw,mode=1777",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
)


def _load_bake() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "platform_images_bake", REPO_ROOT / "images/bake.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bake = _load_bake()


def podman(
    *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *args], capture_output=True, text=True, check=check, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Containers:
    """Starts containers with unique names and removes every one of them at the end."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    names: list[str] = field(default_factory=list)

    def start(
        self, image: str, *args: str, hint: str, env: dict[str, str], volumes: tuple[str, ...] = ()
    ) -> str:
        name = f"platform-image-test-{hint}-{self.run_id}"
        self.names.append(name)
        options = [f"--env={key}={value}" for key, value in env.items()]
        options += [f"--volume={volume}" for volume in volumes]
        podman("run", "--detach", f"--name={name}", *POD_LIKE, *options, image, *args)
        return name

    def run(
        self,
        image: str,
        *args: str,
        env: dict[str, str] | None = None,
        volumes: tuple[str, ...] = (),
        timeout: float = 180,
    ) -> subprocess.CompletedProcess[str]:
        """Run a container to completion (removed afterwards) and return its result."""
        options = [f"--env={key}={value}" for key, value in (env or {}).items()]
        options += [f"--volume={volume}" for volume in volumes]
        return podman(
            "run", "--rm", *POD_LIKE, *options, image, *args, check=False, timeout=timeout
        )

    def logs(self, name: str) -> str:
        result = podman("logs", name, check=False)
        return result.stdout + result.stderr

    def state(self, name: str) -> dict[str, object]:
        state: dict[str, object] = json.loads(
            podman("inspect", "--format", "{{json .State}}", name).stdout
        )
        return state

    def wait_http_ok(self, name: str, url: str, timeout: float = START_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.state(name).get("Running") is not True:
                pytest.fail(f"{name} exited before {url} answered:\n{self.logs(name)[-4000:]}")
            try:
                response = httpx.get(url, timeout=2)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text[:300]}"
            except httpx.HTTPError as error:
                last = repr(error)
            time.sleep(0.5)
        pytest.fail(f"{url} never answered 200 ({last}):\n{self.logs(name)[-4000:]}")

    def stop(self, name: str) -> tuple[int, float]:
        """SIGTERM (SIGKILL after 30 s, as a pod's grace period): exit code and seconds."""
        started = time.monotonic()
        podman("stop", "--time=30", name)
        exit_code = self.state(name)["ExitCode"]
        assert isinstance(exit_code, int)
        return exit_code, time.monotonic() - started

    def remove_all(self) -> None:
        if self.names:
            podman("rm", "--force", "--time=0", *self.names, check=False)


@pytest.fixture(scope="session")
def images() -> dict[str, str]:
    """Deployable -> image reference (docker-bake.hcl's tag), each one present locally."""
    targets = bake.load().targets
    references = {name: targets[name].tags[0] for name in DEPLOYABLES}
    missing = [
        reference
        for reference in references.values()
        if podman("image", "exists", reference, check=False).returncode
    ]
    if missing:
        pytest.fail(f"images not built: {', '.join(missing)}; run `make images` first")
    return references


@pytest.fixture(scope="module")
def containers() -> Iterator[Containers]:
    started = Containers()
    try:
        yield started
    finally:
        started.remove_all()


@dataclass(frozen=True)
class Ports:
    accounts: int
    content: int
    notifications: int
    gateway: int

    def of(self, deployable: str) -> int:
        port: int = getattr(self, deployable)
        return port


@pytest.fixture(scope="module")
def ports() -> Ports:
    return Ports(*(free_port() for _ in DEPLOYABLES))


@pytest.fixture(scope="module")
def proxy_secret() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture(scope="module")
def production_env(ports: Ports, proxy_secret: str) -> dict[str, dict[str, str]]:
    """Each deployable's environment as production sets it (debug off, a random secret key,
    explicit hosts), pointing at the local data plane and at the other containers."""
    jwks_url = f"http://127.0.0.1:{ports.accounts}/.well-known/jwks.json"
    shared = {
        "JWT_ISSUER": "http://accounts.platform.local",
        "JWT_AUDIENCE": "platform",
        "JWKS_URL": jwks_url,
        "REDIS_CLUSTER_URL": "redis://127.0.0.1:7000/0",
        "GATEWAY_PROXY_SECRET": proxy_secret,
        "LOG_LEVEL": "INFO",
        "HOST": "127.0.0.1",
    }
    environments: dict[str, dict[str, str]] = {}
    for service in DJANGO_SERVICES:
        environments[service] = {
            **shared,
            "PORT": str(ports.of(service)),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": f"{service}.platform.example.com,127.0.0.1",
            "DATABASE_URL": f"postgres://{service}:{service}@127.0.0.1:6432/{service}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672//",
        }
    environments["accounts"]["JWT_SIGNING_KEYS_DIR"] = "/keys"
    environments["accounts"]["ACCOUNT_LINK_BASE_URL"] = "https://platform.example.com"
    environments["accounts"]["MFA_ENCRYPTION_KEYS"] = base64.urlsafe_b64encode(
        secrets.token_bytes(32)
    ).decode()
    # The channel layer finds its Redis through the Sentinel `make infra` runs.
    environments["notifications"]["CHANNEL_LAYER_SENTINELS"] = "127.0.0.1:26379"
    # Required: the key webhook secrets are encrypted with.
    environments["notifications"]["WEBHOOK_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    environments["gateway"] = {
        **shared,
        "PORT": str(ports.gateway),
        **{
            f"UPSTREAM_{service.upper()}": f"http://127.0.0.1:{ports.of(service)}"
            for service in DJANGO_SERVICES
        },
    }
    return environments


@pytest.fixture(scope="module")
def signing_keys(
    images: dict[str, str],
    containers: Containers,
    production_env: dict[str, dict[str, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """A directory holding one signing key, written by the accounts image itself (the
    production key comes from a Secret mounted the same way)."""
    directory = tmp_path_factory.mktemp("keys")
    directory.chmod(0o777)  # written by the image's uid 10001
    result = containers.run(
        images["accounts"],
        "python",
        "manage.py",
        "generate_dev_keys",
        env=production_env["accounts"],
        volumes=(f"{directory}:/keys",),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(directory.glob("*.pem")), result.stdout
    directory.chmod(0o755)
    return f"{directory}:/keys:ro"


@dataclass(frozen=True)
class Roles:
    """Starts a deployable's role with its production environment (and, for accounts, the
    signing keys)."""

    containers: Containers
    images: dict[str, str]
    environments: dict[str, dict[str, str]]
    signing_keys: str

    def start(self, deployable: str, *args: str, hint: str, **overrides: str) -> str:
        return self.containers.start(
            self.images[deployable],
            *args,
            hint=hint,
            env={**self.environments[deployable], **overrides},
            volumes=(self.signing_keys,) if deployable == "accounts" else (),
        )


@pytest.fixture(scope="module")
def roles(
    images: dict[str, str],
    containers: Containers,
    production_env: dict[str, dict[str, str]],
    signing_keys: str,
) -> Roles:
    return Roles(containers, images, production_env, signing_keys)


@pytest.fixture(scope="module")
def web(roles: Roles, ports: Ports) -> dict[str, str]:
    """Every deployable's web role, started and answering /healthz: deployable -> base URL."""
    names = {
        deployable: roles.start(deployable, "web", hint=f"{deployable}-web")
        for deployable in DEPLOYABLES
    }
    urls = {deployable: f"http://127.0.0.1:{ports.of(deployable)}" for deployable in DEPLOYABLES}
    for deployable, name in names.items():
        roles.containers.wait_http_ok(name, f"{urls[deployable]}/healthz")
    return urls
