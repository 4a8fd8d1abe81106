#!/usr/bin/env bash
# The one command that runs every test: lint (with module boundaries), strict type checks, unit and
# integration tests, a build of everything, then end-to-end tests in Chromium against real services.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/ensure-chromium.sh
exec bash tools/with-node.sh node tools/run-tests.mjs "$@"
