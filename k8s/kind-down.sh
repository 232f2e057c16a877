#!/usr/bin/env bash
# `make kind-down`: delete the kind cluster `make kind-up` created (and everything in it).
set -euo pipefail
# shellcheck source=k8s/lib.sh
source "$(dirname "$0")/lib.sh"

need kind
pick_container_engine
if kind get clusters | grep -qx "$cluster"; then
    kind delete cluster --name "$cluster"
else
    say "no kind cluster named $cluster"
fi
