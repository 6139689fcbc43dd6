// The package as its users take it, by its name and with their tools'
// defaults: esbuild for the browser resolves everything (no Node module in the
// browser entry) and fetches the wasm beside the bundle; Node's plain `import`
// gets the entry that reads the wasm from disk. webpack 5 is exercised by the
// demo and by tests/browser/bundlers.test.mjs, with Vite, Rollup and this esbuild
// bundle run in Chromium; Deno, Bun and workerd in tests/js/runtimes.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { repoRoot } from "./suite-files.mjs";

let app;
before(() => {
  // An app with the package installed under its name.
  app = mkdtempSync(join(tmpdir(), "app-"));
  mkdirSync(join(app, "node_modules"));
  symlinkSync(join(repoRoot, "pkg"), join(app, "node_modules/cognito-sigv4"), "dir");
  writeFileSync(join(app, "main.mjs"), 'import init, { Signer } from "cognito-sigv4";\nawait init();\nconsole.log(new Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" }).sign({ url: "https://b.s3.amazonaws.com/k", date: 0 }).headers.authorization);\n');
});
after(() => rmSync(app, { recursive: true, force: true }));

test("esbuild --bundle --platform=browser takes the package with no configuration", async () => {
  const result = await build({ entryPoints: [join(app, "main.mjs")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
  const code = result.outputFiles[0].text;
  assert.ok(!code.includes("node:"), "the browser bundle imports no Node module");
  assert.match(code, /cognito_sigv4_wasm_bg\.wasm/, "the wasm is fetched beside the bundle");
});

test("Node: a plain import of the package name signs", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(app, "main.mjs")], { cwd: app });
  assert.match(stdout, /^AWS4-HMAC-SHA256 Credential=A\/19700101\/us-east-1\/s3\/aws4_request/);
});

test("cognito-sigv4 and cognito-sigv4/user-pool: the main entry has no user pool, the user-pool entry has everything", async () => {
  const names = (spec) =>
    promisify(execFile)(process.execPath, ["--input-type=module", "-e", `import init, * as m from "${spec}"; await init(); console.log(JSON.stringify(Object.keys(m).sort()));`], { cwd: app }).then(({ stdout }) => JSON.parse(stdout));
  const main = await names("cognito-sigv4");
  const pool = await names("cognito-sigv4/user-pool");
  const sdk = ["AwsClient", "CognitoIdentityCredentials", "S3Client", "Signer", "decodeJwt", "default", "initSync", "sdkError", "sha256"];
  assert.deepEqual(main, sdk);
  assert.deepEqual(pool, [...sdk, "UserPool", "UserPoolSession", "clientCredentials"].sort());
  // The browser bundle of the user-pool entry: no Node module, its own wasm.
  writeFileSync(join(app, "pool.mjs"), 'import init, { UserPool } from "cognito-sigv4/user-pool";\nawait init();\nexport { UserPool };\n');
  const result = await build({ entryPoints: [join(app, "pool.mjs")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
  assert.ok(!result.outputFiles[0].text.includes("node:"), "the browser bundle imports no Node module");
});

test("cognito-sigv4/signer: Node imports it by name, esbuild bundles it for the browser", async () => {
  writeFileSync(join(app, "signer.mjs"), 'import init, { Signer } from "cognito-sigv4/signer";\nawait init();\nconsole.log(new Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" }).sign({ url: "https://b.s3.amazonaws.com/k", date: 0 }).headers.authorization);\n');
  const { stdout } = await promisify(execFile)(process.execPath, [join(app, "signer.mjs")], { cwd: app });
  const { stdout: whole } = await promisify(execFile)(process.execPath, [join(app, "main.mjs")], { cwd: app });
  assert.equal(stdout, whole, "the same signature as the whole package");
  const result = await build({ entryPoints: [join(app, "signer.mjs")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
  assert.ok(!result.outputFiles[0].text.includes("node:"));
  assert.match(result.outputFiles[0].text, /cognito_sigv4_signer_bg\.wasm/);
});
