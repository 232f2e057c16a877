# Developer commands. The logic lives in dev/bin/*; see docs/DEVELOPING.md.
.PHONY: up down infra test lint audit bench chaos charts images observability kind-up kind-down

up:       ## prepare everything and run the stack in the foreground (Ctrl-C stops it; PgBouncer and the Redis Cluster keep running)
	dev/bin/up
down:     ## stop the project-local infra (PgBouncer, Redis Cluster)
	dev/bin/down
infra:    ## start/check local infra, databases and roles (idempotent)
	dev/bin/infra
test:     ## environment, infra, lint, audit, Django checks, every test suite, coverage floor; stops at the first failure
	dev/bin/test
lint:     ## ruff + mypy (strict) only
	dev/bin/lint
audit:    ## pip-audit over uv.lock (a finding fails; an unreachable service only warns)
	dev/bin/audit
bench:    ## gateway, event-pipeline and WebSocket benchmarks
	dev/bin/bench
chaos:    ## the full chaos test (tests/chaos)
	dev/bin/chaos
images:   ## build every deployable's image (docker buildx bake, or podman where no Docker engine runs)
	dev/bin/images
observability: ## regenerate the Grafana dashboards and Prometheus rules (dev/observability) into charts/platform/files
	dev/bin/observability
charts:   ## offline chart checks: helm lint, render, validate, policy, checkov, shellcheck
	dev/bin/charts
kind-up:  ## kind cluster with the operators and the platform chart, then helm test
	k8s/kind-up.sh
kind-down: ## delete the kind cluster
	k8s/kind-down.sh
