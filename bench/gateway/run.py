"""Gateway throughput next to nginx and a bare Python proxy on the same upstream.

Starts a fast upstream (nginx ``return 200`` with small JSON, so it is never the
bottleneck, plus the JWKS as a static file), nginx in one worker as a keep-alive reverse
proxy, a bare raw-ASGI proxy on aiohttp (``bare_proxy.py``: the Python limit) and the
gateway, each in one process, then loads each with the same wrk run (32 connections,
then 1 for the added latency). Gateway requests carry a valid JWT on an authenticated
route, so edge verification and the rate limit are on the measured path; a public-route
figure is printed too. Rows go to ``make bench``'s table (``platform_common.testing.bench``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from platform_common.testing.bench import Goal, Row, free_port, record, wait_until_serving
from platform_common.testing.jwt import SigningKey, sign_token

ISSUER = "http://accounts.bench"
AUDIENCE = "platform"
CONNECTIONS = 32
HERE = Path(__file__).resolve().parent
JWT_PATH = "/api/v1/accounts/me/"
PUBLIC_PATH = "/api/v1/content/articles/"
ARTICLE_JSON = '{"id":"3f1c2b7e","title":"Hello","published":true,"tags":["news"]}'

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/{name}.pid;
error_log {tmp}/{name}-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/{name}-body;
    proxy_temp_path {tmp}/{name}-proxy;
    fastcgi_temp_path {tmp}/{name}-fastcgi;
    uwsgi_temp_path {tmp}/{name}-uwsgi;
    scgi_temp_path {tmp}/{name}-scgi;
    keepalive_requests 1000000;
    {body}
}}
"""
UPSTREAM_BODY = """
    server {{
        listen 127.0.0.1:{port};
        location = /.well-known/jwks.json {{
            default_type application/json;
            alias {tmp}/jwks.json;
        }}
        location / {{ default_type application/json; return 200 '{json}'; }}
    }}
"""
PROXY_BODY = """
    upstream fast {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://fast;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
"""


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_installed(command: str, package: str) -> str:
    """The path of ``command``, installing its Debian package when it is missing."""
    found = shutil.which(command) or shutil.which(command, path="/usr/sbin:/usr/bin")
    if found:
        return found
    print(f"installing {package} (apt-get)...", flush=True)
    subprocess.run(["apt-get", "update", "-q"], check=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, timeout=600)
    found = shutil.which(command, path="/usr/sbin:/usr/bin")
    if not found:
        sys.exit(f"{command} is still missing after installing {package}")
    return found


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str] | None = None) -> Iterator[None]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        if process.returncode not in (0, -15) and stderr:
            print(stderr[-2000:], file=sys.stderr)


def nginx(binary: str, tmp: Path, name: str, body: str) -> list[str]:
    conf = tmp / f"{name}.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, name=name, body=body))
    return [binary, "-e", str(tmp / f"{name}-error.log"), "-p", str(tmp), "-c", str(conf)]


def wrk(
    binary: str,
    name: str,
    url: str,
    *,
    seconds: int,
    headers: dict[str, str],
    connections: int = CONNECTIONS,
) -> Result:
    header_args = [arg for key, value in headers.items() for arg in ("-H", f"{key}: {value}")]
    threads = min(2, connections)
    options = [f"-t{threads}", f"-c{connections}", "--latency", *header_args, url]
    # Warm the pools and the JWKS cache so the figure is steady state.
    subprocess.run([binary, "-d2s", *options], capture_output=True, timeout=30)
    command = [binary, f"-d{seconds}s", *options]
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Result(
        name=name,
        requests_per_second=float(_field(r"Requests/sec:\s+([\d.]+)", out)),
        p50_ms=_milliseconds(_field(r"50%\s+([\d.]+\w+)", out)),
        p99_ms=_milliseconds(_field(r"99%\s+([\d.]+\w+)", out)),
        errors=errors,
    )


def _field(pattern: str, wrk_output: str) -> str:
    match = re.search(pattern, wrk_output)
    if match is None:
        sys.exit(f"unexpected wrk output (no {pattern!r}):\n{wrk_output}")
    return match[1]


def _milliseconds(figure: str) -> float:
    number, unit = _field(r"([\d.]+)(\w+)", figure), figure.lstrip("0123456789.")
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument(
        "--redis-cluster-url",
        default=os.environ.get("REDIS_CLUSTER_URL", "redis://127.0.0.1:7000/0"),
    )
    args = parser.parse_args()
    nginx_bin = ensure_installed("nginx", "nginx-light")
    wrk_bin = ensure_installed("wrk", "wrk")

    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp_name:
        tmp = Path(tmp_name)
        # nginx workers run unprivileged and must read the JWKS file.
        tmp.chmod(0o755)
        key = SigningKey.generate()
        (tmp / "jwks.json").write_text(json.dumps({"keys": [key.public_jwk()]}))
        token = sign_token(key, issuer=ISSUER, audience=AUDIENCE, exp_delta=3600)
        upstream_port, proxy_port, bare_port, gateway_port = (free_port() for _ in range(4))
        upstream = f"http://127.0.0.1:{upstream_port}"
        gateway_env = {
            **os.environ,
            "UPSTREAM_ACCOUNTS": upstream,
            "UPSTREAM_CONTENT": upstream,
            "UPSTREAM_NOTIFICATIONS": upstream,
            "REDIS_CLUSTER_URL": args.redis_cluster_url,
            "JWT_ISSUER": ISSUER,
            "JWT_AUDIENCE": AUDIENCE,
            "JWKS_URL": f"{upstream}/.well-known/jwks.json",
            "RATE_LIMIT_ANONYMOUS": "1000000000",
            "RATE_LIMIT_AUTHENTICATED": "1000000000",
            "RATE_LIMIT_KEY_PREFIX": "bench-ratelimit",
            "GATEWAY_PROXY_SECRET": "bench-gateway-proxy-secret",
            "LOG_LEVEL": "WARNING",
        }
        gateway_env.pop("ENV_FILE", None)
        # As deployed: one process, uvloop, httptools with the edge's limits.
        gateway_command = [
            sys.executable,
            "-m",
            "gateway",
            "--host",
            "127.0.0.1",
            "--port",
            str(gateway_port),
        ]
        bare_command = [sys.executable, str(HERE / "bare_proxy.py"), upstream, str(bare_port)]
        upstream_body = UPSTREAM_BODY.format(port=upstream_port, tmp=tmp, json=ARTICLE_JSON)
        proxy_body = PROXY_BODY.format(port=proxy_port, upstream_port=upstream_port)
        with (
            running(nginx(nginx_bin, tmp, "upstream", upstream_body)),
            running(nginx(nginx_bin, tmp, "proxy", proxy_body)),
            running(bare_command),
            running(gateway_command, env=gateway_env),
        ):
            nginx_url = f"http://127.0.0.1:{proxy_port}"
            bare_url = f"http://127.0.0.1:{bare_port}"
            gateway_url = f"http://127.0.0.1:{gateway_port}"
            wait_until_serving(f"{upstream}{PUBLIC_PATH}")
            wait_until_serving(f"{nginx_url}{PUBLIC_PATH}")
            wait_until_serving(f"{bare_url}{PUBLIC_PATH}")
            wait_until_serving(f"{gateway_url}/healthz")
            auth = {"Authorization": f"Bearer {token}"}

            def load(name: str, url: str, connections: int = CONNECTIONS) -> Result:
                return wrk(
                    wrk_bin,
                    name,
                    url,
                    seconds=args.seconds,
                    headers={} if url.endswith(PUBLIC_PATH) else auth,
                    connections=connections,
                )

            results = Results(
                nginx=load("nginx proxy", nginx_url + JWT_PATH),
                bare=load("bare Python proxy", bare_url + JWT_PATH),
                gateway=load("gateway, JWT route", gateway_url + JWT_PATH),
                public=load("gateway, public route", gateway_url + PUBLIC_PATH),
                nginx_single=load("nginx proxy, 1 connection", nginx_url + JWT_PATH, 1),
                gateway_single=load("gateway, JWT route, 1 conn.", gateway_url + JWT_PATH, 1),
            )
    report(results)
    record_rows(results)


@dataclass(frozen=True)
class Results:
    nginx: Result
    bare: Result
    gateway: Result
    public: Result
    nginx_single: Result
    gateway_single: Result


def report(results: Results) -> None:
    baseline = results.nginx.requests_per_second
    print(f"\nwrk, one process each, small JSON upstream, {os.cpu_count()} CPUs")
    print(f"{'':28} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs nginx':>9}")
    for result in (
        results.nginx,
        results.bare,
        results.gateway,
        results.public,
        results.nginx_single,
        results.gateway_single,
    ):
        ratio = result.requests_per_second / baseline
        print(
            f"{result.name:28} {result.requests_per_second:>10,.0f} {result.p50_ms:>8.2f} "
            f"{result.p99_ms:>8.2f} {result.errors:>7} {ratio:>9.2f}"
        )


def record_rows(results: Results) -> None:
    def row(measure: str, ours: float, peer: Result, *goals: Goal) -> Row:
        return Row("gateway", measure, ours, peer.requests_per_second, peer.name, goals)

    gateway_rps = results.gateway.requests_per_second
    record(
        row("JWT route + rate limit, req/s", gateway_rps, results.bare, Goal("ratio", ">=", 0.85))
    )
    record(row("JWT route + rate limit, req/s", gateway_rps, results.nginx))
    record(row("public route, req/s", results.public.requests_per_second, results.nginx))
    record(row("bare Python proxy, req/s", results.bare.requests_per_second, results.nginx))
    record(
        Row(
            "gateway",
            "JWT route p50 at 1 connection, ms",
            results.gateway_single.p50_ms,
            results.nginx_single.p50_ms,
            results.nginx_single.name,
            (Goal("difference", "<=", 0.3),),
        )
    )
    errors = sum(result.errors for result in (results.gateway, results.public))
    if errors:
        sys.exit(f"the gateway answered {errors} requests with an error or not at all")


if __name__ == "__main__":
    main()
