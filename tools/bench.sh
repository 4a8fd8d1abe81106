#!/usr/bin/env bash
# Benchmarks: `npm run bench` runs every area, `npm run bench -- chat` one. One JSON line per figure
# on stdout ({"metric":…,"value":…,"unit":…}); progress goes to stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
exec bash tools/with-node.sh bash -c 'NX_DAEMON=false NX_TUI=false nx run-many -t build -p backend,proxy-worker,sfu,desk --outputStyle=static >&2 && node tools/build-node.mjs tools/bench libs/protocol/src libs/chat-client/src libs/doc-fixtures/src >&2 && node dist/node/tools/bench/run.js "$@"' bench "$@"
