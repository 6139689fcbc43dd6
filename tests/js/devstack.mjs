// Starts the devstack (moto + the local AWS stand-in) for browser and Node
// tests: launch.py in a temporary state directory; resolves to its config.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";

/**
 * `env` adds to the devstack's environment (DEVSTACK_CLOCK_OFFSET_SECS, say);
 * `quiet` drops its per-request log (the bench's thousands of requests).
 */
export function startDevstack(args = [], env = {}, { quiet = false } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "devstack-"));
  const child = spawn(join(repoRoot, ".venv/bin/python"), [join(repoRoot, "tests/devstack/launch.py"), "--state-dir", stateDir, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", quiet ? "ignore" : "inherit"],
  });
  const stop = () => {
    child.kill("SIGTERM");
    setTimeout(() => rmSync(stateDir, { recursive: true, force: true }), 2000).unref();
  };
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("the devstack did not start within 60 s")), 60_000);
    child.on("exit", (code) => reject(new Error(`the devstack exited (${code}) before it was ready`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /DEVSTACK_CONFIG (.+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ config: JSON.parse(readFileSync(m[1].trim(), "utf8")), stop });
      }
    });
  });
}
