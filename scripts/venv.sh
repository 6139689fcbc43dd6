#!/usr/bin/env bash
# Creates .venv with the pinned Python packages of tests/devstack/requirements.txt
# (moto, boto3, pytest), once: it does nothing when the venv already matches.
set -euo pipefail
cd "$(dirname "$0")/.."
req=tests/devstack/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
printf '\033[1m[setup]\033[0m %s\n' "creating .venv with moto, boto3 and pytest (about a minute, once)" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
