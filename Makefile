# Waymark developer commands. Needs Go (see go.mod) and a C compiler (cgo,
# for SQLite).

GO ?= go
# Directories that generators write; check-generated compares them with git.
GENERATED := web/templates web/static/bpmn-js-spiff/dist web/static/dmn-js/dist

.PHONY: run test fmt-check vet generate assets check-generated build docker-steps

## run: start Waymark on http://localhost:8000 with the demo users and models.
## It listens on loopback only (the demo passwords are public); set
## WAYMARK_ADDR (e.g. WAYMARK_ADDR=:8000) to listen elsewhere.
run:
	WAYMARK_ADDR=$${WAYMARK_ADDR:-127.0.0.1:8000} \
	WAYMARK_PERMISSIONS_FILE=$${WAYMARK_PERMISSIONS_FILE:-examples/permissions.yml} $(GO) run ./cmd/web

## test: gofmt check, go vet and every test
test: fmt-check vet
	$(GO) test ./...

fmt-check:
	@files=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*' -not -name '*_templ.go')); \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi

vet:
	$(GO) vet ./...

## generate: regenerate the committed generated files (templ components, modeler and decision editor bundles)
generate: assets
	$(GO) generate ./web/templates

## assets: rebuild the modeler bundle (web/static/bpmn-js-spiff/dist) and
## the decision editor bundle (web/static/dmn-js/dist) from the versions
## pinned in their package-lock.json files; needs Node.js and npm
assets:
	cd web/static/bpmn-js-spiff && npm ci --no-audit --no-fund && node build.mjs
	cd web/static/dmn-js && npm ci --no-audit --no-fund && node build.mjs

## check-generated: fail when the committed generated files are stale
check-generated: generate
	@status=$$(git status --porcelain -- $(GENERATED)); \
	if [ -n "$$status" ]; then \
		echo "generated files differ from a fresh 'make generate'; regenerate and commit:"; \
		echo "$$status"; git diff --stat -- $(GENERATED); exit 1; \
	fi

## build: build bin/web
build:
	scripts/docker-build-steps.sh bin

## docker-steps: run the Dockerfile's build steps locally
docker-steps:
	scripts/docker-build-steps.sh "$$(mktemp -d)"
