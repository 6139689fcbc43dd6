#!/usr/bin/env bash
# `npm run demo`: builds pkg/ and the demo page, then serves it until Ctrl-C.
# PORT=8080 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
node_modules/.bin/webpack --config webpack.config.js --no-stats
cp www/index.html www/dist/index.html
exec node scripts/serve.mjs www/dist "${PORT:-8080}"
