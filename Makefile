# Developer commands. The logic lives in dev/bin/*; see docs/DEVELOPING.md.
.PHONY: up down infra test lint bench chaos charts images kind-up kind-down

up:       ## prepare everything and run the whole stack in the foreground (Ctrl-C stops it)
	dev/bin/up
down:     ## stop the project-local infra (PgBouncer, Redis Cluster)
	dev/bin/down
infra:    ## start/check local infra, databases and roles (idempotent)
	dev/bin/infra
test:     ## infra, lint, Django checks, then every test suite; stops at the first failure
	dev/bin/test
lint:     ## ruff + mypy (strict) only
	dev/bin/lint
bench:    ## gateway and event-pipeline benchmarks
	dev/bin/bench
chaos:    ## the full chaos test (tests/chaos)
	dev/bin/chaos
charts:   ## offline chart checks: helm lint, render, validate, policy, checkov, shellcheck
	dev/bin/charts
kind-up:  ## kind cluster with the operators and the platform chart, then helm test
	k8s/kind-up.sh
kind-down: ## delete the kind cluster
	k8s/kind-down.sh
images:
	dev/bin/later $@
