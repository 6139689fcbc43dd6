#!/usr/bin/env bash
# Bundles the demo page the way an app consumes the package: `npm pack` of the
# built pkg/, installed into www/ from the tarball, then webpack 5 over www/.
# Expects pkg/ built (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p www/.pack
rm -f www/.pack/*.tgz
npm pack ./pkg --pack-destination www/.pack --silent >/dev/null
# A fresh copy each time: the tarball keeps its version while its content changes.
rm -rf www/node_modules/cognito-sigv4
(cd www && npm install --no-package-lock --no-audit --no-fund --silent)
node_modules/.bin/webpack --config webpack.config.js --stats errors-warnings
cp www/index.html www/dist/index.html
