# syntax=docker/dockerfile:1.7
# One image per deployable (accounts, content, notifications, gateway), all from this file:
# `docker buildx bake` (docker-bake.hcl) or `make images` pass SERVICE and SERVICE_DIR.
# The process role (web, worker, beat, relay, migrate) is the container's argument; see
# images/entrypoint.py.
#
# BASE_IMAGE must provide python3.11 on PATH. Builder and runtime share it, so the virtual
# environment's interpreter link is valid in the runtime stage. Where no registry is
# reachable, `make images` passes a local Debian bookworm base instead.
ARG BASE_IMAGE=docker.io/library/python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# Packages to seed uv's cache with (a directory laid out as uv's cache). Empty by default:
# uv then downloads. `make images` passes the host's uv cache as this build context, since
# HTTPS is not trusted from inside a build on every machine.
FROM scratch AS uv-cache-seed

FROM ${BASE_IMAGE} AS builder
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON=python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/venv
WORKDIR /src
ARG SERVICE
ARG SERVICE_DIR
# true when the seed above holds every locked package (no network from the build).
ARG UV_OFFLINE=false

# Third-party dependencies first, from the lock alone: this layer survives source edits.
COPY pyproject.toml uv.lock ./
COPY libs/common/pyproject.toml libs/common/
COPY services/accounts/pyproject.toml services/accounts/
COPY services/content/pyproject.toml services/content/
COPY services/notifications/pyproject.toml services/notifications/
COPY gateway/pyproject.toml gateway/
RUN --mount=type=cache,target=/root/.cache/uv,sharing=locked \
    --mount=type=bind,from=uv-cache-seed,target=/tmp/uv-cache-seed \
    cp -a -n /tmp/uv-cache-seed/. /root/.cache/uv/ \
    && UV_OFFLINE="$UV_OFFLINE" uv sync --package "$SERVICE" --frozen --no-dev \
        --no-install-workspace

# Then the shared library and this deployable, installed as packages (not editable): the
# runtime needs no source tree.
COPY libs/common libs/common
COPY ${SERVICE_DIR} ${SERVICE_DIR}
COPY images/entrypoint.py /app/entrypoint.py
RUN --mount=type=cache,target=/root/.cache/uv,sharing=locked \
    UV_OFFLINE="$UV_OFFLINE" uv sync --package "$SERVICE" --frozen --no-dev --no-editable \
    && if [ -f "$SERVICE_DIR/manage.py" ]; then cp "$SERVICE_DIR/manage.py" /app/; fi

FROM ${BASE_IMAGE} AS runtime
ARG SERVICE
# A named user with a home, so nothing that looks up the current user fails; no login shell.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
        --shell /usr/sbin/nologin app
COPY --from=builder --chown=0:0 /app /app
ENV PATH=/app/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PLATFORM_SERVICE=${SERVICE}
WORKDIR /app
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["/app/venv/bin/python", "/app/entrypoint.py"]
CMD ["web"]
# Labels last: they change with every commit, and nothing above depends on them.
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="platform-${SERVICE}" \
      org.opencontainers.image.description="The ${SERVICE} deployable of the content-publishing platform" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.vendor="platform"
