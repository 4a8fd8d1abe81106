#!/bin/sh
# Starts coturn with the shipped turnserver.conf plus what depends on the deployment, rendered into a
# config file only its owner can read: the TURN secret never appears on a command line (ps, docker
# inspect) or in the container's environment. compose.yaml runs it; the TURN test
# (backend/src/media/turn-credentials.spec.ts) runs it too, adding loopback-only flags as arguments.
#   TURN_SECRET_FILE        file holding coturn's static-auth-secret (compose: the turn_secret secret)
#   RTC_ANNOUNCED_ADDRESS   the SFU's address: the one peer media may be relayed to (an IP address)
#   TURN_REALM              default engage.local
#   TURN_EXTERNAL_IP        default RTC_ANNOUNCED_ADDRESS ("public/private" behind 1:1 NAT)
#   TURN_BASE_CONF          default /etc/coturn/turnserver.conf
#   TURN_RENDERED_CONF      default /var/tmp/turnserver.conf
# Further arguments go to turnserver after -c (they win over the file).
set -eu
secret_file="${TURN_SECRET_FILE:-/run/secrets/turn_secret}"
base="${TURN_BASE_CONF:-/etc/coturn/turnserver.conf}"
out="${TURN_RENDERED_CONF:-/var/tmp/turnserver.conf}"
sfu="${RTC_ANNOUNCED_ADDRESS:?set RTC_ANNOUNCED_ADDRESS to the SFU address browsers reach (an IP address): it is the only peer coturn relays to}"
[ -r "$secret_file" ] || { echo "coturn: cannot read the TURN secret file $secret_file" >&2; exit 1; }
secret=$(tr -d '\r\n' < "$secret_file")
if [ "${#secret}" -lt 32 ]; then
  echo "coturn: the TURN secret in $secret_file must be at least 32 characters long (as the backend's TURN_SECRET)" >&2
  exit 1
fi
case "$sfu" in
  *[!0-9a-fA-F.:]*) echo "coturn: RTC_ANNOUNCED_ADDRESS must be an IP address (allowed-peer-ip takes no names), not $sfu" >&2; exit 1 ;;
esac
umask 077
rm -f "$out"
{
  cat "$base"
  echo
  echo "# Rendered at start by entrypoint.sh"
  echo "static-auth-secret=$secret"
  echo "realm=${TURN_REALM:-engage.local}"
  echo "external-ip=${TURN_EXTERNAL_IP:-$sfu}"
  echo "allowed-peer-ip=$sfu"
} > "$out"
chmod 600 "$out"
unset secret
exec "${TURNSERVER_BIN:-turnserver}" -c "$out" "$@"
