# Shared by k8s/kind-up.sh and k8s/kind-down.sh (sourced, never run).
# shellcheck shell=bash
# The names below are read by the scripts that source this file.
# shellcheck disable=SC2034

k8s_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$k8s_dir/.." && pwd)
cluster=${KIND_CLUSTER:-platform}
namespace=${PLATFORM_NAMESPACE:-platform}
release=${PLATFORM_RELEASE:-platform}

# shellcheck source=k8s/versions.env
source "$k8s_dir/versions.env"

say() { printf '[kind] %s\n' "$*"; }
die() { printf '[kind] ERROR: %s\n' "$*" >&2; exit 1; }

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is required (see k8s/README.md)"
    done
}

# pick_container_engine: sets engine=docker, or engine=podman when no Docker engine
# answers (and tells kind to drive podman). Called in the script's own shell, not in a
# $(...) subshell, so that the export reaches kind.
pick_container_engine() {
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        engine=docker
    elif command -v podman >/dev/null; then
        engine=podman
        export KIND_EXPERIMENTAL_PROVIDER=podman
    else
        die "neither a Docker engine nor podman is available"
    fi
}
