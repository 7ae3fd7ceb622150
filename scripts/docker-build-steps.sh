#!/usr/bin/env bash
# The build steps of the Dockerfile's build stage, kept here so CI runs them
# too (there is no Docker engine on CI machines): a cgo build of the web
# binary, then a smoke run of it.
#
# Usage: scripts/docker-build-steps.sh OUT_DIR
# WAYMARK_VERSION sets the version the binary reports (default: git
# describe, else "dev").
set -euo pipefail

out=${1:?usage: $0 OUT_DIR}
cd "$(dirname "$0")/.."

version=${WAYMARK_VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}

mkdir -p "$out"
# cgo is required: SQLite (mattn/go-sqlite3) is C.
CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${version}" -o "$out/web" ./cmd/web
"$out/web" version
