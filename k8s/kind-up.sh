#!/usr/bin/env bash
# `make kind-up`: a kind cluster running the whole platform, checked with `helm test`.
# Steps: create the cluster (k8s/kind-config.yaml), bake the images and load them into the
# nodes, install the operators at the versions of k8s/versions.env and wait for their
# CRDs, create the secrets the chart references, install charts/platform with
# values-kind.yaml, wait for the rollout, run `helm test`. Idempotent: run it again to
# upgrade the release in place.
set -euo pipefail
# shellcheck source=k8s/lib.sh
source "$(dirname "$0")/lib.sh"

need kind kubectl helm openssl
pick_container_engine
registry=${REGISTRY:-localhost:5001/platform}
tag=${TAG:-dev}
images=(accounts content notifications gateway)

say "cluster $cluster"
if ! kind get clusters | grep -qx "$cluster"; then
    kind create cluster --name "$cluster" --config "$k8s_dir/kind-config.yaml" --image "$KIND_NODE_IMAGE"
fi
kubectl config use-context "kind-$cluster" >/dev/null

say "images ($engine): build and load into the nodes"
(cd "$root" && REGISTRY=$registry TAG=$tag make images)
for image in "${images[@]}"; do
    if [[ $engine == docker ]]; then
        kind load docker-image --name "$cluster" "$registry/$image:$tag"
    else
        archive=$(mktemp --suffix=.tar)
        podman save --format docker-archive -o "$archive" "$registry/$image:$tag"
        kind load image-archive --name "$cluster" "$archive"
        rm -f "$archive"
    fi
done

say "operators"
kubectl apply --server-side -f "https://github.com/cert-manager/cert-manager/releases/download/$CERT_MANAGER_VERSION/cert-manager.yaml"
kubectl -n cert-manager wait --for=condition=available deployment --all --timeout=5m
kubectl apply --server-side -f "https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/release-${CNPG_VERSION%.*}/releases/cnpg-$CNPG_VERSION.yaml"
kubectl apply --server-side -f "https://github.com/rabbitmq/cluster-operator/releases/download/$RABBITMQ_CLUSTER_OPERATOR_VERSION/cluster-operator.yml"
kubectl apply --server-side -f "https://github.com/rabbitmq/messaging-topology-operator/releases/download/$RABBITMQ_TOPOLOGY_OPERATOR_VERSION/messaging-topology-operator-with-certmanager.yaml"
kubectl apply --server-side -f "https://raw.githubusercontent.com/kubernetes/ingress-nginx/$INGRESS_NGINX_VERSION/deploy/static/provider/kind/deploy.yaml"
helm repo add ot-helm https://ot-container-kit.github.io/helm-charts/ --force-update >/dev/null
helm repo add kedacore https://kedacore.github.io/charts --force-update >/dev/null
helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
helm upgrade --install redis-operator ot-helm/redis-operator --version "$OT_REDIS_OPERATOR_CHART_VERSION" \
    --namespace ot-operators --create-namespace
helm upgrade --install keda kedacore/keda --version "$KEDA_CHART_VERSION" \
    --namespace keda --create-namespace
helm upgrade --install monitoring prometheus-community/kube-prometheus-stack \
    --version "$KUBE_PROMETHEUS_STACK_CHART_VERSION" --namespace monitoring --create-namespace \
    --set grafana.enabled=false --set alertmanager.enabled=false \
    --set prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues=false \
    --set prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues=false \
    --set prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false

say "waiting for the operators' CRDs"
for crd in clusters.postgresql.cnpg.io poolers.postgresql.cnpg.io \
    rabbitmqclusters.rabbitmq.com queues.rabbitmq.com exchanges.rabbitmq.com \
    bindings.rabbitmq.com policies.rabbitmq.com users.rabbitmq.com permissions.rabbitmq.com \
    redisclusters.redis.redis.opstreelabs.in redisreplications.redis.redis.opstreelabs.in \
    redissentinels.redis.redis.opstreelabs.in scaledobjects.keda.sh \
    triggerauthentications.keda.sh servicemonitors.monitoring.coreos.com \
    podmonitors.monitoring.coreos.com prometheusrules.monitoring.coreos.com; do
    kubectl wait --for condition=established --timeout=5m "crd/$crd"
done
for operator_namespace in cnpg-system rabbitmq-system ot-operators keda ingress-nginx; do
    kubectl -n "$operator_namespace" wait --for=condition=available deployment --all --timeout=5m
done

say "secrets (generated once, kept across runs)"
kubectl get namespace "$namespace" >/dev/null 2>&1 || kubectl create namespace "$namespace"
secret() {  # secret NAME ARGS...: create a generic Secret unless it exists
    local name=$1
    shift
    kubectl -n "$namespace" get secret "$name" >/dev/null 2>&1 \
        || kubectl -n "$namespace" create secret generic "$name" "$@"
}
for svc in accounts content notifications; do
    secret "$release-$svc-django" --from-literal=secret-key="$(openssl rand -base64 48)"
done
secret "$release-gateway-proxy" --from-literal=secret="$(openssl rand -hex 32)"
# A Fernet key: 32 random bytes, URL-safe base64.
secret "$release-accounts-mfa" \
    --from-literal=encryption-keys="$(openssl rand -base64 32 | tr '+/' '-_')"
# A Fernet key (URL-safe base64 of 32 bytes) for webhook secrets at rest.
secret "$release-notifications-webhooks" \
    --from-literal=encryption-key="$(openssl rand -base64 32 | tr '+/' '-_')"
if ! kubectl -n "$namespace" get secret "$release-accounts-jwt-keys" >/dev/null 2>&1; then
    keys=$(mktemp -d)
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/kind-1.pem" 2>/dev/null
    kubectl -n "$namespace" create secret generic "$release-accounts-jwt-keys" --from-file="$keys/kind-1.pem"
    rm -rf "$keys"
fi
if ! kubectl -n "$namespace" get secret platform-tls >/dev/null 2>&1; then
    tls=$(mktemp -d)
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=platform.localtest.me" \
        -keyout "$tls/tls.key" -out "$tls/tls.crt" 2>/dev/null
    kubectl -n "$namespace" create secret tls platform-tls --cert="$tls/tls.crt" --key="$tls/tls.key"
    rm -rf "$tls"
fi

say "chart"
for chart in accounts content notifications gateway platform; do
    helm dependency build "$root/charts/$chart" >/dev/null
done
# No --wait: the migration hook runs after the install and web pods wait for it. Helm
# itself waits for the hook Jobs (the databases and the broker come up meanwhile).
helm upgrade --install "$release" "$root/charts/platform" --namespace "$namespace" \
    -f "$root/charts/platform/values-kind.yaml" --timeout 20m \
    --set global.image.registry="$registry" --set global.image.tag="$tag"
kubectl -n "$namespace" wait --for=condition=available deployment -l "app.kubernetes.io/instance=$release" --timeout=15m

say "helm test"
helm test "$release" --namespace "$namespace" --logs
say "ready: https://platform.localtest.me/ (self-signed certificate), make kind-down removes it"
