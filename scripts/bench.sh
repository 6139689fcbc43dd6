#!/usr/bin/env bash
# `npm run bench`: builds pkg/, then benchmarks it against aws4fetch and
# @smithy/signature-v4 in Node and headless Chromium (see bench/README.md).
# Prints a markdown table on stdout; progress and build output go to stderr.
#   scripts/bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh browser
bash scripts/build.sh
bash scripts/venv.sh
node bench/run.mjs "$@"
node bench/roundtrips.mjs   # round trips per signed request, against moto
cargo build --quiet -p devstack
node bench/srp.mjs       # the client's share of an SRP sign-in (Node)
node bench/uploads.mjs   # wasm memory over a 300 MiB upload (Node), long tasks during a 64 MiB one (Chromium)
node --expose-gc bench/soak.mjs   # faults and load against the devstack (npm run soak)
