# Developer commands. The logic lives in dev/bin/*; see docs/DEVELOPING.md.
.PHONY: up down infra test lint bench chaos charts images kind-up

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
images:   ## build every deployable's image (docker buildx bake, or podman where no Docker engine runs)
	dev/bin/images
charts kind-up:
	dev/bin/later $@
