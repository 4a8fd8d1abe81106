#!/usr/bin/env bash
# Makes sure coturn's turnserver is there (Debian's coturn): the TURN integration test
# (backend/src/media/turn-credentials.spec.ts) starts real ones on loopback, one of them with the
# shipped docker/coturn/turnserver.conf through docker/coturn/entrypoint.sh (needs sh).
set -euo pipefail
if [ -n "${TURNSERVER_PATH:-}" ] && [ -x "$TURNSERVER_PATH" ]; then exit 0; fi
command -v turnserver >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing for the TURN test: coturn (sudo apt-get install coturn)." >&2
  exit 1
fi
echo "ensure-coturn: installing Debian's coturn" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# The package's service stays off (no init system here, and nothing enables it): the test starts its own.
apt-get install -y -qq --no-install-recommends coturn >&2
