#!/usr/bin/env bash
# The one command that starts the whole platform on embedded defaults (embedded PostgreSQL, data
# in .data/): builds what is needed, starts the services in order and prints where everything is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
exec bash tools/with-node.sh node tools/launch.mjs "$@"
