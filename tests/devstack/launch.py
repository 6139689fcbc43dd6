"""Starts the devstack: moto (the Cognito User Pool), seeds it from
devstack.toml, starts the `devstack` binary (Identity Pool, STS, API Gateway,
OAuth2 token endpoint, S3), writes <state-dir>/config.json, and runs until
SIGINT/SIGTERM. See tests/devstack/README.md.

    python tests/devstack/launch.py [--credential-lifetime N] [--state-dir .devstack]

The last line it prints once everything answers is `DEVSTACK_CONFIG <path>`.
Exits 0 when stopped by a signal, non-zero if moto or the binary dies.
Env: DEVSTACK_BIN overrides the binary (default target/debug/devstack).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import seed as seeding  # noqa: E402

READY_PREFIX = "DEVSTACK_READY "
READY_TIMEOUT = 30.0  # seconds to wait for each child; the target is < 10 s in all
STOP_GRACE = 5.0

# Which config.json keys come from where (README: "config.json = seed.json + the ready line").
SEED_KEYS = ("region", "accountId", "userPoolId", "userPoolEndpoint", "issuer", "clientId",
             "m2mClientId", "m2mClientSecret", "m2mScope", "jwks", "users")
READY_KEYS = ("identityEndpoint", "stsEndpoint", "apiUrl", "jwtApiUrl", "tokenEndpoint",
              "s3Endpoint", "identityPoolId", "misconfiguredIdentityPoolId", "bucket",
              "s3Prefix", "roles")


class LaunchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[devstack] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _set_parent_death_signal(signum: int) -> None:
    """Linux: this process gets `signum` when its parent dies (PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signum)
    except (OSError, AttributeError):
        pass


def _die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM if launch.py dies (even by SIGKILL), and
    gets no terminal signals of its own (new session): launch.py stops it."""
    os.setsid()
    _set_parent_death_signal(signal.SIGTERM)


def http_answers(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer counts
    except (OSError, ValueError):
        return False


def tcp_answers(url: str, timeout: float = 1.0) -> bool:
    u = urllib.parse.urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    try:
        with socket.create_connection((u.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def write_json_atomic(path: Path, doc: dict) -> None:
    seeding.write_json_atomic(path, doc)


class Stack:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.state_dir = Path(args.state_dir).resolve()
        self.config_path = self.state_dir / "config.json"
        self.seed_path = self.state_dir / "seed.json"
        self.moto: subprocess.Popen | None = None
        self.dev: subprocess.Popen | None = None
        self.moto_log = None
        self.stopping = False
        self.ready_line: str | None = None
        self.ready_event = threading.Event()

    # -- children ---------------------------------------------------------

    def start_moto(self) -> str:
        moto_bin = Path(sys.executable).with_name("moto_server")
        if not moto_bin.exists():
            raise LaunchError(f"{moto_bin} not found: run `bash scripts/venv.sh`")
        port = free_port()
        self.moto_log = open(self.state_dir / "moto.log", "wb")
        # moto_server.py: moto's own server, plus the RevokeToken moto lacks.
        self.moto = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("moto_server.py")), "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=self.moto_log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent, cwd=ROOT,
        )
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_TIMEOUT
        while not http_answers(f"{endpoint}/moto-api/", timeout=0.5):
            if self.moto.poll() is not None:
                raise LaunchError(f"moto_server exited with {self.moto.returncode} (see {self.state_dir / 'moto.log'})")
            if time.monotonic() > deadline:
                raise LaunchError(f"moto_server did not answer on {endpoint} within {READY_TIMEOUT:.0f} s")
            time.sleep(0.05)
        return endpoint

    def start_devstack(self) -> dict:
        binary = Path(os.environ.get("DEVSTACK_BIN") or ROOT / "target" / "debug" / "devstack")
        if not binary.is_absolute():
            binary = (Path.cwd() / binary).resolve()
        if not binary.exists():
            raise LaunchError(f"{binary} not found: run `cargo build -p devstack` (or set DEVSTACK_BIN)")
        data_dir = self.state_dir / "s3"
        cmd = [str(binary), "--config", str(Path(self.args.config).resolve()),
               "--seed", str(self.seed_path), "--data-dir", str(data_dir)]
        if self.args.credential_lifetime is not None:
            cmd += ["--credential-lifetime", str(self.args.credential_lifetime)]
        self.dev = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=None,
            preexec_fn=_die_with_parent, cwd=ROOT, text=True, bufsize=1,
        )
        threading.Thread(target=self._pump_stdout, args=(self.dev,), daemon=True).start()
        deadline = time.monotonic() + READY_TIMEOUT
        while not self.ready_event.wait(0.05):
            if self.dev.poll() is not None:
                raise LaunchError(f"{binary.name} exited with {self.dev.returncode} before printing DEVSTACK_READY")
            if time.monotonic() > deadline:
                raise LaunchError(f"{binary.name} printed no DEVSTACK_READY line within {READY_TIMEOUT:.0f} s")
        try:
            ready = json.loads(self.ready_line)
        except json.JSONDecodeError as e:
            raise LaunchError(f"bad DEVSTACK_READY line ({e}): {self.ready_line!r}") from None
        missing = [k for k in READY_KEYS if k not in ready]
        if missing:
            raise LaunchError(f"DEVSTACK_READY line lacks {missing}: {self.ready_line!r}")
        return ready

    def _pump_stdout(self, proc: subprocess.Popen) -> None:
        """Reads the binary's stdout: catches the ready line, forwards the rest to stderr."""
        assert proc.stdout is not None
        for line in proc.stdout:
            if self.ready_line is None and line.startswith(READY_PREFIX):
                self.ready_line = line[len(READY_PREFIX):].strip()
                self.ready_event.set()
            else:
                sys.stderr.write(line)
                sys.stderr.flush()

    def stop(self) -> None:
        self.stopping = True
        procs = [p for p in (self.dev, self.moto) if p is not None]
        for p in procs:
            if p.poll() is None:
                try:
                    p.terminate()
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE
        for p in procs:
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"pid {p.pid} ignored SIGTERM for {STOP_GRACE:.0f} s: killing it")
                p.kill()
                p.wait()
        if self.moto_log:
            self.moto_log.close()
        try:
            self.config_path.unlink()
        except FileNotFoundError:
            pass

    # -- the whole ---------------------------------------------------------

    def start(self) -> dict:
        t0 = time.monotonic()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for stale in (self.config_path, self.seed_path):
            try:
                stale.unlink()
            except FileNotFoundError:
                pass
        # Identities (moto's `sub`s) are new on every start: so is the S3 data.
        shutil.rmtree(self.state_dir / "s3", ignore_errors=True)
        (self.state_dir / "s3").mkdir()

        endpoint = self.start_moto()
        t_moto = time.monotonic()
        seed_doc, facts = seeding.seed(endpoint, self.args.config)
        write_json_atomic(self.seed_path, seed_doc)
        if not facts["hasCognitoRoles"]:
            log("note: moto's IdTokens carry cognito:groups but no cognito:roles")
        t_seed = time.monotonic()
        ready = self.start_devstack()
        for key in ("identityEndpoint", "stsEndpoint", "apiUrl", "jwtApiUrl", "tokenEndpoint", "s3Endpoint"):
            if not tcp_answers(ready[key]):
                raise LaunchError(f"{key} {ready[key]} does not answer")
        config = {**seed_doc, **ready}
        write_json_atomic(self.config_path, config)
        t_ready = time.monotonic()
        log(f"ready in {t_ready - t0:.2f} s (moto {t_moto - t0:.2f} s, seeding {t_seed - t_moto:.2f} s, "
            f"devstack {t_ready - t_seed:.2f} s)")
        return config

    def summary(self, c: dict) -> str:
        lines = [
            "devstack is up (127.0.0.1 only; Ctrl-C stops it)",
            f"  region            {c['region']}  account {c['accountId']}",
            f"  user pool (moto)  {c['userPoolEndpoint']}  pool {c['userPoolId']}  client {c['clientId']}",
            f"  identity pool     {c['identityEndpoint']}  {c['identityPoolId']}",
            f"  sts               {c['stsEndpoint']}",
            f"  api (IAM)         {c['apiUrl']}/admin  {c['apiUrl']}/user",
            f"  api (JWT)         {c['jwtApiUrl']}/me  {c['jwtApiUrl']}/m2m",
            f"  oauth2 token      {c['tokenEndpoint']}  client {c['m2mClientId']}  scope {c['m2mScope']}",
            f"  s3                {c['s3Endpoint']}/{c['bucket']}/{c['s3Prefix']}/<identityId>/",
            "  users:",
        ]
        for u in c["users"]:
            groups = ",".join(u["groups"]) or "-"
            lines.append(f"    {u['username']:<22} {u['password']:<18} groups: {groups}")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--credential-lifetime", type=int, default=None, metavar="SECONDS",
                    help="lifetime of issued temporary credentials (default: devstack.toml's)")
    ap.add_argument("--state-dir", default=".devstack", help="where seed.json, config.json, moto.log and s3/ go")
    ap.add_argument("--config", default=str(HERE / "devstack.toml"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    stack = Stack(args)
    stop_signal: list[int] = []

    def on_signal(signum, _frame):
        stop_signal.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    # Stop too when whoever started us goes away (`npm run` killed: its `sh -c`
    # dies and would leave us running).
    parent = os.getppid()
    _set_parent_death_signal(signal.SIGTERM)

    code = 0
    try:
        config = stack.start()
        print(stack.summary(config), flush=True)
        print(f"DEVSTACK_CONFIG {stack.config_path}", flush=True)
        while True:
            if os.getppid() != parent:
                log("parent process gone: stopping")
                break
            for name, p in (("moto_server", stack.moto), ("devstack", stack.dev)):
                if p is not None and p.poll() is not None:
                    raise LaunchError(f"{name} exited unexpectedly with {p.returncode}")
            time.sleep(0.2)
    except KeyboardInterrupt:
        code = 0
    except LaunchError as e:
        log(f"error: {e}")
        code = 1
    except Exception as e:  # seeding errors etc.
        log(f"error: {type(e).__name__}: {e}")
        code = 1
    finally:
        # No second signal may interrupt the cleanup.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
