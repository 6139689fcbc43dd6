#!/usr/bin/env bash
# `npm run soak`: the SDK against the devstack through its fault-injecting
# proxy, then under load (bench/soak.mjs). Prints markdown tables on stdout;
# fails if any result was wrong.
#   scripts/soak.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/venv.sh
export PATH="$HOME/.cargo/bin:$PATH"
[ -d pkg ] || bash scripts/build.sh
cargo build --quiet -p devstack
node --expose-gc bench/soak.mjs "$@"
