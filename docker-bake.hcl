# Image builds for every deployable: `docker buildx bake` (push: `--push`), or `make images`,
# which runs bake where a Docker engine exists and podman otherwise. Every image comes from
# the one Dockerfile at the root, built from the uv lock (`uv sync --package <svc> --frozen
# --no-dev`), multi-stage, running as uid 10001; the process role is the container's argument.

variable "REGISTRY" {
  default = "localhost:5001/platform"
}

variable "TAG" {
  default = "dev"
}

# Any image with python3.11 on PATH; builder and runtime stages both start from it.
variable "BASE_IMAGE" {
  default = "docker.io/library/python:3.11-slim-bookworm"
}

# Where the builder copies uv from (the same uv release as the lock was made with).
variable "UV_IMAGE" {
  default = "ghcr.io/astral-sh/uv:0.13.9"
}

# OCI label values (CI sets them: commit, build time, repository URL).
variable "REVISION" {
  default = "unknown"
}

variable "CREATED" {
  default = "unknown"
}

variable "SOURCE_URL" {
  default = ""
}

group "default" {
  targets = ["accounts", "content", "notifications", "gateway"]
}

# Shared by every deployable: the build context is the whole workspace (for the lock file),
# the same Dockerfile and stage, both platforms, the same base and uv.
target "base" {
  context    = "."
  dockerfile = "Dockerfile"
  target     = "runtime"
  platforms  = ["linux/amd64", "linux/arm64"]
  args = {
    BASE_IMAGE = BASE_IMAGE
    UV_IMAGE   = UV_IMAGE
    VERSION    = TAG
    REVISION   = REVISION
    CREATED    = CREATED
    SOURCE_URL = SOURCE_URL
  }
}

# The three Django services differ only in their name: one target each, from one matrix.
# Layer cache: one registry cache image per deployable, every stage kept (mode=max), so the
# dependency layer is reused until uv.lock changes.
target "service" {
  name       = svc
  matrix     = { svc = ["accounts", "content", "notifications"] }
  inherits   = ["base"]
  args       = { SERVICE = svc, SERVICE_DIR = "services/${svc}" }
  tags       = ["${REGISTRY}/${svc}:${TAG}"]
  cache-from = ["type=registry,ref=${REGISTRY}/${svc}:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/${svc}:buildcache,mode=max"]
}

target "gateway" {
  inherits   = ["base"]
  args       = { SERVICE = "gateway", SERVICE_DIR = "gateway" }
  tags       = ["${REGISTRY}/gateway:${TAG}"]
  cache-from = ["type=registry,ref=${REGISTRY}/gateway:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/gateway:buildcache,mode=max"]
}
