// The built package in real Chromium (playwright-core + Debian chromium):
// the official suite through pkg/ as a page loads it, and the playground demo
// bundled by webpack. Saves a screenshot to test-results/playground.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot, suiteCases } from "../js/suite-files.mjs";

const root = repoRoot;

let browser, repoServer, demoServer;
before(async () => {
  browser = await launch();
  // The repo root, so the page can import pkg/index.js and tests/js/suite.mjs as modules.
  repoServer = await serve(root);
  demoServer = await serve(join(root, "www/dist"));
});
after(async () => {
  await browser?.close();
  repoServer?.close();
  demoServer?.close();
});

test("official AWS SigV4 suite: all 31 cases through pkg/ in Chromium", async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${repoServer.address().port}/pkg/package.json`);
  const cases = suiteCases();
  assert.equal(cases.length, 31);
  const problems = await page.evaluate(async (cases) => {
    const pkg = await import("/pkg/index.js");
    await pkg.default();
    const { checkCase } = await import("/tests/js/suite.mjs");
    return cases.flatMap((c) => checkCase(pkg.Signer, c.name, c.files));
  }, cases);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the playground (webpack bundle) signs and presigns in the page, and shows typed errors", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`http://127.0.0.1:${demoServer.address().port}/`);
  await page.waitForSelector("body[data-ready=true]");
  assert.match(await page.textContent("#canonicalRequest"), /^GET\n\/v1\/items\nlimit=10&name=caf%C3%A9\ncontent-type:application\/json\n/);
  assert.match(await page.textContent("#signedHeaders"), /"authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);

  await page.click("#presign");
  assert.match(await page.textContent("#signedUrl"), /X-Amz-Expires=900&X-Amz-SignedHeaders=content-type%3Bhost%3Bx-request-id&X-Amz-Signature=[0-9a-f]{64}$/);

  await page.fill("#url", "ftp://example.com/file");
  await page.click("#sign");
  assert.match(await page.textContent("#error"), /^InvalidUrl: /);

  await page.fill("#url", "https://bucket.s3.us-east-1.amazonaws.com/photos/my cat.jpg");
  await page.fill("#service", "s3");
  await page.selectOption("#method", "PUT");
  await page.click("#sign");
  assert.equal(await page.isHidden("#error"), true);
  assert.match(await page.textContent("#canonicalRequest"), /^PUT\n\/photos\/my%20cat.jpg\n/);
  assert.deepEqual(errors, []);

  mkdirSync(join(root, "test-results"), { recursive: true });
  await page.screenshot({ path: join(root, "test-results/playground.png"), fullPage: true });
  await page.close();
});
