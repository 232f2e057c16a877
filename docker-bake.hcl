# Image builds for every deployable: `docker buildx bake` (or `make images` once it exists).
# The Dockerfiles these targets point at arrive with a later issue; until then this file
# only fixes the names, tags and shared build settings. Each image is built from the uv
# lock (`uv sync --package <svc> --frozen --no-dev`), multi-stage, running as uid 10001.

variable "REGISTRY" {
  default = "localhost:5001/platform"
}

variable "TAG" {
  default = "dev"
}

group "default" {
  targets = ["accounts", "content", "notifications", "gateway"]
}

# Shared by every deployable: same build context (the whole workspace, for the lock file),
# same platform.
target "base" {
  context   = "."
  platforms = ["linux/amd64"]
}

# The three Django services differ only in their name: one target each, from one matrix.
target "service" {
  name       = svc
  matrix     = { svc = ["accounts", "content", "notifications"] }
  inherits   = ["base"]
  dockerfile = "services/${svc}/Dockerfile"
  args       = { SERVICE = svc }
  tags       = ["${REGISTRY}/${svc}:${TAG}"]
}

target "gateway" {
  inherits   = ["base"]
  dockerfile = "gateway/Dockerfile"
  args       = { SERVICE = "gateway" }
  tags       = ["${REGISTRY}/gateway:${TAG}"]
}
