#!/usr/bin/env bash
# The one command that runs every test: lint (with module boundaries), strict type checks, unit and
# integration tests, a build of everything, then end-to-end tests in Chromium against real services.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/ensure-chromium.sh
bash tools/ensure-office.sh
bash tools/ensure-coturn.sh
# The SFU's tests run real mediasoup workers: build the worker offline once (cached) when no prebuilt one is there.
bash tools/with-node.sh bash tools/build-mediasoup-worker.sh >&2
exec bash tools/with-node.sh node tools/run-tests.mjs "$@"
