// The package on a page whose Content-Security-Policy does not allow
// WebAssembly (no 'wasm-unsafe-eval' in script-src), in real Chromium:
// init() of the whole package and of the signer entry, and initSync, reject
// with a typed error (WasmBlocked) that names the directive to add, not the
// browser's raw CompileError; with the directive, the same page works.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { devstackBlock } from "../fixtures/docs.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html; charset=utf-8", ".json": "application/json" };

// pkg/ under each policy: /strict/… without 'wasm-unsafe-eval', /allowed/… with it.
// `allowed` is the policy docs/deploying.md tells users to set.
const POLICIES = { strict: "script-src 'self'", allowed: devstackBlock("csp") };
let browser, server, origin;
before(async () => {
  browser = await launch();
  server = createServer(async (req, res) => {
    const [, policy, ...rest] = new URL(req.url, "http://x").pathname.split("/");
    const path = normalize(rest.join("/")).replace(/^(\.\.[/\\])+/, "");
    const headers = { "content-security-policy": `default-src 'self'; ${POLICIES[policy]}`, "cache-control": "no-store" };
    if (!POLICIES[policy]) return res.writeHead(404).end();
    if (path === "index.html") return res.writeHead(200, { ...headers, "content-type": TYPES[".html"] }).end("<!doctype html><title>csp</title>");
    try {
      const body = await readFile(join(repoRoot, path));
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** What init() of each entry, and initSync, do on a page under `policy`. */
async function underPolicy(policy) {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/${policy}/index.html`);
    return await page.evaluate(async (base) => {
      const outcome = async (f) => {
        try {
          await f();
          return "ok";
        } catch (e) {
          return { name: e.name, code: e.code, message: e.message, raw: e instanceof WebAssembly.CompileError };
        }
      };
      const sdk = await import(`${base}/pkg/index.js`);
      const signer = await import(`${base}/pkg/signer/index.js`);
      const bytes = await (await fetch(`${base}/pkg/cognito_sigv4_wasm_bg.wasm`)).arrayBuffer();
      return {
        init: await outcome(() => sdk.default()),
        initSync: await outcome(() => sdk.initSync(bytes)),
        signerInit: await outcome(() => signer.default()),
      };
    }, `/${policy}`);
  } finally {
    await page.close();
  }
}

test("under a CSP without 'wasm-unsafe-eval', init() rejects with WasmBlocked naming the directive, not a raw CompileError", async () => {
  const out = await underPolicy("strict");
  for (const [call, result] of Object.entries(out)) {
    assert.equal(typeof result, "object", `${call} succeeded under script-src 'self'`);
    assert.equal(result.raw, false, `${call}: a raw CompileError: ${result.message}`);
    assert.equal(result.name, "WasmBlocked", `${call}: ${result.name}: ${result.message}`);
    assert.equal(result.code, "WasmBlocked");
    assert.match(result.message, /script-src/, call);
    assert.match(result.message, /'wasm-unsafe-eval'/, call);
  }
});

test("with script-src 'wasm-unsafe-eval' the same page loads the package", async () => {
  assert.deepEqual(await underPolicy("allowed"), { init: "ok", initSync: "ok", signerInit: "ok" });
});
