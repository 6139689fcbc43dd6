#!/usr/bin/env bash
# `npm test`: every test. Installs what it needs first (idempotent), checks
# cargo fmt and clippy (native and wasm32), then runs
#   1. cargo test        native: unit tests, the official SigV4 suite, the
#                        differential test against aws-sigv4, the fuzz smoke
#   2. wasm tests        the suite and the error contract in headless Chromium
#   3. devstack          the local AWS stand-in, tested with boto3 (pytest)
#   4. pkg/ in Node      the built npm package: suite, API contract, errors, moto
#   5. pkg/ in Chromium  the suite through pkg/, and the demo page (Playwright)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh browser
bash scripts/venv.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "style: cargo fmt --check, cargo clippy -D warnings (native, and wasm32 as shipped)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features sdk --quiet -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features tiny,signer-entry --quiet -- -D warnings

step "native: cargo test"
cargo test --workspace

step "wasm in headless Chromium: cargo test --target wasm32-unknown-unknown"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm

step "devstack: its own tests, driven by boto3/botocore and raw HTTP (pytest)"
.venv/bin/pytest tests/devstack -q

step "build pkg/"
bash scripts/build.sh

step "pkg/ types: tsc, in an app that installed the packed package (strict, no @types/node)"
node tests/types/check.mjs

step "pkg/ in Node (against a real moto for the credentials): node --test"
node --test tests/js/

step "pkg/ and the playground in Chromium: node --test tests/browser/"
bash scripts/bundle-demo.sh
node --test tests/browser/
