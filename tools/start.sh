#!/usr/bin/env bash
# The one command that starts the whole platform on embedded defaults (embedded PostgreSQL, data
# in .data/): builds what is needed, starts the services in order and prints where everything is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/ensure-chromium.sh || echo "start: no Chromium: browse-together (proxy) will be off." >&2
bash tools/ensure-office.sh || echo "start: no poppler/LibreOffice: the document room cannot check PDFs or convert office files." >&2
# Calls need a mediasoup worker: built once from source when no binary is there (cached).
bash tools/with-node.sh bash tools/build-mediasoup-worker.sh >&2 || echo "start: no mediasoup worker: calls will be off." >&2
exec bash tools/with-node.sh node tools/launch.mjs "$@"
