#!/usr/bin/env bash
# `npm run demo`: builds pkg/ and the demo page, starts the devstack (moto +
# the local AWS stand-in), and serves the page against it until Ctrl-C.
# PORT=8080 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/venv.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --quiet -p devstack
bash scripts/bundle-demo.sh

rm -f .devstack/config.json
.venv/bin/python tests/devstack/launch.py --state-dir .devstack &
devstack=$!
trap 'kill $devstack 2>/dev/null; wait $devstack 2>/dev/null' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 600); do
  [ -f .devstack/config.json ] && break
  kill -0 $devstack 2>/dev/null || { echo "the devstack failed to start (see above)" >&2; exit 1; }
  sleep 0.1
done
[ -f .devstack/config.json ] || { echo "the devstack did not start within 60 s" >&2; exit 1; }
# The page gets the stack's endpoints and demo users, never the M2M client
# secret: that one belongs to servers (see clientCredentials).
node -e '
  const c = JSON.parse(require("fs").readFileSync(".devstack/config.json", "utf8"));
  delete c.m2mClientSecret; delete c.jwks;
  require("fs").writeFileSync("www/dist/devstack.json", JSON.stringify(c, null, 2));
'
node scripts/serve.mjs www/dist "${PORT:-8080}"
