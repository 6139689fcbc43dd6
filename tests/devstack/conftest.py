"""The devstack tests start and stop the devstack themselves: one launch.py per
session, in a temporary state dir (so a developer's running `npm run devstack`
and its .devstack/config.json are left alone), with a short credential
lifetime so that expiry can be tested."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LAUNCH = HERE / "launch.py"

# Lifetime of the credentials the devstack under test issues (seconds).
CREDENTIAL_LIFETIME = 30
# The acceptance bound, from launch to config.json, once the binary is built.
START_BUDGET = 10.0


@dataclass
class Devstack:
    config: dict
    startup_seconds: float
    state_dir: Path
    proc: subprocess.Popen
    stdout_lines: list = field(default_factory=list)

    def __getitem__(self, key):
        return self.config[key]


def build_binary() -> None:
    """`cargo build -p devstack` (a no-op when up to date) unless DEVSTACK_BIN is set."""
    if os.environ.get("DEVSTACK_BIN"):
        return
    env = dict(os.environ)
    env["PATH"] = f"{Path.home() / '.cargo' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    r = subprocess.run(["cargo", "build", "--quiet", "-p", "devstack"], cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        pytest.fail(f"cargo build -p devstack failed:\n{r.stdout[-4000:]}", pytrace=False)


def start_launch(state_dir: Path, *extra: str, env: dict | None = None, timeout: float = 60.0):
    """Starts launch.py; returns (proc, stdout lines so far, seconds to the
    DEVSTACK_CONFIG line, config path) or raises with launch.py's stderr."""
    err = open(state_dir / "launch.stderr", "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(LAUNCH), "--state-dir", str(state_dir), *extra],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
        env=env,
    )
    lines: list[str] = []
    found = threading.Event()
    config_path: list[str] = []

    def pump():
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("DEVSTACK_CONFIG ") and not found.is_set():
                config_path.append(line.split(" ", 1)[1].strip())
                found.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = t0 + timeout
    while not found.wait(0.02):
        if proc.poll() is not None or time.monotonic() > deadline:
            break
    elapsed = time.monotonic() - t0
    err.close()
    return proc, lines, (elapsed if found.is_set() else None), (config_path[0] if config_path else None)


def stop_launch(proc: subprocess.Popen, timeout: float = 15.0) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


@pytest.fixture(scope="session")
def devstack(tmp_path_factory) -> Devstack:
    build_binary()
    state_dir = tmp_path_factory.mktemp("devstack-state")
    proc, lines, elapsed, config_path = start_launch(
        state_dir, "--credential-lifetime", str(CREDENTIAL_LIFETIME))
    if elapsed is None:
        stop_launch(proc)
        stderr = (state_dir / "launch.stderr").read_text()
        pytest.fail(f"launch.py did not reach DEVSTACK_CONFIG (exit {proc.returncode}):\n"
                    f"stdout:\n" + "\n".join(lines) + f"\nstderr:\n{stderr[-6000:]}", pytrace=False)
    with open(config_path) as f:
        config = json.load(f)
    stack = Devstack(config=config, startup_seconds=elapsed, state_dir=state_dir, proc=proc,
                     stdout_lines=lines)
    yield stack
    rc = stop_launch(proc)
    assert rc == 0, f"launch.py exited {rc} on SIGTERM:\n{(state_dir / 'launch.stderr').read_text()[-4000:]}"
    assert not Path(config_path).exists(), "launch.py left a stale config.json behind"
