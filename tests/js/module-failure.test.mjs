// A trap anywhere (a sync call, an async task, an out-of-memory abort, which
// runs no panic hook) settles every pending promise with ModuleFailed, lets
// nothing escape uncaught, and leaves every later call answering ModuleFailed.
// Each case runs in its own Node process: the module is dead afterwards, and
// an uncaught exception there would end that process, not this test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./suite-files.mjs";

const pkg = pathToFileURL(join(repoRoot, "pkg/index.js")).href;
const glue = pathToFileURL(join(repoRoot, "pkg/cognito_sigv4_wasm.js")).href;

/** Runs `body` (an async module body with `sdk`, `wasm`, `report`) in a fresh Node; its report. */
function run(body) {
  const dir = mkdtempSync(join(tmpdir(), "module-failure-"));
  const file = join(dir, "case.mjs");
  writeFileSync(
    file,
    `import { createServer } from "node:http";
const sdk = await import(${JSON.stringify(pkg)});
await sdk.default();
const wasm = await (await import(${JSON.stringify(glue)})).default();
const escaped = [];
process.on("uncaughtException", (e) => escaped.push("uncaught " + e?.name + ": " + e?.message));
process.on("unhandledRejection", (e) => escaped.push("unhandled " + e?.name + ": " + e?.message));
const outcome = (p) => Promise.race([p.then(() => "resolved", (e) => e?.name ?? String(e)), new Promise((r) => setTimeout(() => r("pending"), 3000))]);
const report = (r) => { console.log("REPORT " + JSON.stringify({ ...r, escaped })); process.exit(0); };
// A server that never answers: a get() on it stays pending until something settles it.
const silent = createServer(() => {});
await new Promise((r) => silent.listen(0, "127.0.0.1", r));
const silentUrl = "http://127.0.0.1:" + silent.address().port;
${body}
`,
  );
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { timeout: 60_000 }, (err, stdout, stderr) => {
      const line = stdout.split("\n").find((l) => l.startsWith("REPORT "));
      resolve(line ? JSON.parse(line.slice(7)) : { died: true, code: err?.code, stderr: stderr.slice(-2000) });
    });
  });
}

/** Grows the module's memory to the most wasm32 takes, so that its next large allocation fails. */
const exhaust = `
const pages = () => wasm.memory.buffer.byteLength / 65536;
for (let step = 65536; step >= 1; step >>= 1) { try { while (pages() + step <= 65536) wasm.memory.grow(step); } catch {} }
`;

test("an out-of-memory abort inside an async task settles every pending promise with ModuleFailed, and nothing escapes", async () => {
  const r = await run(`
const creds = new sdk.CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "us-east-1:00000000-0000-0000-0000-000000000000", idToken: "t", endpoint: silentUrl, storage: "memory" });
const waiting = creds.get();
${exhaust}
const aws = new sdk.AwsClient({ credentials: { accessKeyId: "A", secretAccessKey: "S" }, region: "us-east-1", service: "execute-api" });
// Read inside the async task: 64 MiB of URL copied into wasm memory, which cannot grow.
const failing = aws.fetch("https://abc.execute-api.us-east-1.amazonaws.com/" + "a".repeat(64 << 20));
const [fetchOutcome, pendingOutcome] = await Promise.all([outcome(failing), outcome(waiting)]);
let later;
try { new sdk.AwsClient({ credentials: { accessKeyId: "A", secretAccessKey: "S" }, region: "us-east-1", service: "s3" }); later = "constructed"; } catch (e) { later = e.name; }
const laterAsync = await outcome(creds.get());
let signer;
try { new sdk.Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" }).sign({ url: "https://b.s3.amazonaws.com/k" }); signer = "signed"; } catch (e) { signer = e.name; }
await new Promise((r) => setTimeout(r, 200));
report({ fetchOutcome, pendingOutcome, later, laterAsync, signer });
`);
  assert.ok(!r.died, `the process died: ${r.stderr}`);
  assert.deepEqual(r, {
    fetchOutcome: "ModuleFailed",
    pendingOutcome: "ModuleFailed",
    later: "ModuleFailed",
    laterAsync: "ModuleFailed",
    signer: "ModuleFailed",
    escaped: [],
  });
});

test("an out-of-memory abort in a sync call fails the module too, and pending promises settle", async () => {
  const r = await run(`
const creds = new sdk.CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "us-east-1:00000000-0000-0000-0000-000000000000", idToken: "t", endpoint: silentUrl, storage: "memory" });
const waiting = creds.get();
${exhaust}
let sync;
try { sdk.decodeJwt("a".repeat(64 << 20)); sync = "returned"; } catch (e) { sync = e.name; }
report({ sync, pendingOutcome: await outcome(waiting), laterAsync: await outcome(creds.get()) });
`);
  assert.ok(!r.died, `the process died: ${r.stderr}`);
  assert.deepEqual(r, { sync: "ModuleFailed", pendingOutcome: "ModuleFailed", laterAsync: "ModuleFailed", escaped: [] });
});

test("the signer entry: an out-of-memory abort answers ModuleFailed, and so does every later call", async () => {
  const entry = pathToFileURL(join(repoRoot, "pkg/signer/index.js")).href;
  const entryGlue = pathToFileURL(join(repoRoot, "pkg/signer/cognito_sigv4_signer.js")).href;
  const r = await run(`
const signerEntry = await import(${JSON.stringify(entry)});
await signerEntry.default();
const signer = new signerEntry.Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" });
{
  const wasm = await (await import(${JSON.stringify(entryGlue)})).default();
  ${exhaust}
}
const attempt = (f) => { try { f(); return "returned"; } catch (e) { return e.name; } };
// 64 MiB of URL copied into wasm memory, which cannot grow.
const first = attempt(() => signer.sign({ url: "https://b.s3.amazonaws.com/" + "a".repeat(64 << 20) }));
report({
  first,
  later: attempt(() => signer.sign({ url: "https://b.s3.amazonaws.com/k" })),
  hash: attempt(() => signerEntry.sha256("x")),
  constructed: attempt(() => new signerEntry.Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" })),
});
`);
  assert.ok(!r.died, `the process died: ${r.stderr}`);
  assert.deepEqual(r, { first: "ModuleFailed", later: "ModuleFailed", hash: "ModuleFailed", constructed: "ModuleFailed", escaped: [] });
});
