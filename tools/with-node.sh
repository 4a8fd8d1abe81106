#!/usr/bin/env bash
# Runs a command with the project's Node.js (>= 22.22, else a Node 24 LTS fetched from the npm
# registry into .tools/) and with node_modules installed from package-lock.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION=24.21.0

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>24||(a===24&&b>=15)||(a===22&&b>=22)?0:1)'
}

if ! node_ok; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "with-node: no Node build for $(uname -m)" >&2; exit 1 ;;
  esac
  bin="$ROOT/.tools/node-$NODE_VERSION/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { echo "with-node: npm is needed once to fetch Node $NODE_VERSION" >&2; exit 1; }
    echo "with-node: installing Node $NODE_VERSION from the npm registry into .tools/ (machine has $(node -v 2>/dev/null || echo none))" >&2
    npm install --silent --no-save --no-package-lock --ignore-scripts --prefix "$ROOT/.tools/node-$NODE_VERSION" "node-linux-$arch@$NODE_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
fi
export PATH="$ROOT/node_modules/.bin:$PATH"

# Install dependencies when the lock file changed since the last install.
stamp="$ROOT/node_modules/.lock-stamp"
lock_id() { node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha256").update(f.readFileSync("package.json")).update(f.readFileSync("package-lock.json")).digest("hex")+process.version)'; }
cd "$ROOT"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(lock_id)" ]; then
  echo "with-node: installing dependencies from package-lock.json" >&2
  npm install --no-audit --no-fund >&2
  lock_id > "$stamp"
fi

cd "$ROOT"
exec "$@"
