#!/usr/bin/env bash
# npm run devstack [-- --credential-lifetime N --state-dir DIR]
# Starts moto + the devstack binary on 127.0.0.1, writes .devstack/config.json,
# runs until Ctrl-C. See tests/devstack/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${DEVSTACK_BIN:-}" ]; then
  cargo build --quiet -p devstack
fi
exec .venv/bin/python tests/devstack/launch.py "$@"
