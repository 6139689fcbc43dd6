// The demo page (webpack bundle of www/, with the package installed from its
// npm tarball) in Chromium against a real devstack: sign in, credentials, the
// IAM-authorized API (S1), CustomRoleArn (S2), S3Client under the user's own
// prefix and another's, presigned GET and PUT, a 5 MB upload (S3), the JWT
// route (S4), client credentials refused in a page (S5), and the typed errors
// of a pool without roles and a bad IdToken (S6); nothing in the console but
// the denials asked for, no request aborted after its answer. Saves
// test-results/demo.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, cpSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";
import { startDevstack } from "../js/devstack.mjs";

let browser, server, stack;
before(async () => {
  stack = await startDevstack();
  // The page as `npm run demo` serves it: www/dist plus devstack.json without the M2M secret.
  const site = mkdtempSync(join(tmpdir(), "demo-"));
  cpSync(join(repoRoot, "www/dist"), site, { recursive: true });
  const { m2mClientSecret, jwks, ...pageConfig } = stack.config;
  writeFileSync(join(site, "devstack.json"), JSON.stringify(pageConfig));
  [browser, server] = await Promise.all([launch(), serve(site)]);
});
after(async () => {
  await browser?.close();
  server?.close();
  stack?.stop();
});

/** Clicks and returns the newest log line, once `lines` new ones are there (presign logs the URL, then the GET). */
async function run(page, action, lines = 1) {
  const n = await page.locator("#log li").count();
  await page.click(action.startsWith("#") ? action : `[data-action=${action}]`);
  await page.waitForFunction(([n, lines]) => document.querySelectorAll("#log li").length >= n + lines, [n, lines], { timeout: 60_000 });
  return page.locator("#log li").first().textContent();
}

async function signIn(page, username) {
  await page.selectOption("#user", username);
  await run(page, "#signin");
  await page.waitForFunction(() => document.querySelector("#identityId").textContent.startsWith("us-east-1:"));
}

test("scenarios S1–S6 from the demo page, its console quiet (only the denials asked for, no request aborted after its answer)", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  // Every console error or warning and failed request, but the answers the
  // scenarios ask for on purpose (403s, 400s: Chromium logs each as a failed
  // resource); a request aborted after its answer is a defect (issue 20, 17).
  const noise = [];
  page.on("console", (m) => ["error", "warning"].includes(m.type()) && noise.push(`console ${m.type()}: ${m.text()} (${m.location().url})`));
  page.on("requestfailed", (r) => noise.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector("body[data-ready=true]");

  // S1: each group reaches its own route only.
  await signIn(page, "admin@example.com");
  assert.match(await run(page, "admin"), /^200 GET \/v1\/admin/);
  assert.match(await run(page, "user"), /^403 GET \/v1\/user .*not authorized to perform: execute-api:Invoke/);
  await signIn(page, "user@example.com");
  assert.match(await run(page, "user"), /^200 GET \/v1\/user/);
  assert.match(await run(page, "admin"), /^403 GET \/v1\/admin/);

  // S2: a user in both groups picks the user role with CustomRoleArn.
  await signIn(page, "both@example.com");
  assert.match(await page.locator("#roles").textContent(), /role\/cognito-sigv4-admin.*role\/cognito-sigv4-user|role\/cognito-sigv4-user.*role\/cognito-sigv4-admin/);
  assert.match(await run(page, "admin"), /^200/, "rules: admin first");
  await page.selectOption("#role", stack.config.roles.user);
  await page.waitForFunction(() => document.querySelector("#credentials").textContent.includes("cognito-sigv4-user"));
  assert.match(await run(page, "admin"), /^403/);
  assert.match(await run(page, "user"), /^200/);

  // S3: own prefix read/write, another user's prefix denied, presigned links, 5 MB.
  assert.match(await run(page, "put"), /^200 S3: write data\.txt\s+written, ETag "[0-9a-f]{32}"/);
  assert.match(await run(page, "get"), /^200 S3: read data\.txt\s+hello from both@example\.com/);
  assert.match(await run(page, "other"), /^AccessDenied \(403\) S3: another user's prefix\s+GetObject: the role's policy does not allow/);
  assert.match(await run(page, "presign", 2), /^200 S3: presigned link\s+hello from both@example\.com/);
  assert.match(await run(page, "presignPut"), /^200 S3: upload via presigned PUT\s+uploaded by both@example\.com through a presigned PUT/);
  assert.match(await run(page, "big"), /^200 S3: 5 MB upload\s+5 MB up and back identical/);
  assert.match(await run(page, "upload"), /^200 S3: upload the file.*\s+test-24MiB\.bin: 25165824 B in 5 part\(s\) in \d+ ms, ETag "[0-9a-f]{32}-5"/);
  assert.equal(await page.locator("#upload-progress").evaluate((bar) => bar.value), 1);
  assert.match(await run(page, "list"), /^OK S3: list my prefix\s+.*big\.bin \(5242880 B\).*data\.txt.*uploaded\.txt/);

  // S4: the JWT-authorized route with the IdToken.
  assert.match(await run(page, "jwt"), /^200 JWT route \/me/);

  // S5: a client secret in a page is refused before anything is sent.
  assert.match(await run(page, "m2m"), /^SecretInBrowser M2M: client credentials here/);

  // S6: misconfiguration and bad tokens as typed errors that say what to fix.
  assert.match(await run(page, "misconfigured"), /^InvalidIdentityPoolConfigurationException \(400\) Pool without roles\s+.*set roles on the identity pool/);
  assert.match(await run(page, "tampered"), /^NotAuthorizedException \(400\) Tampered IdToken/);

  assert.deepEqual(errors, []);
  // Past the collection of every finished answer (an unread one is aborted then).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.detach();
  await page.waitForTimeout(500);
  // The denials S1, S2, S3 and S6 ask for: API Gateway's 403s, S3's AccessDenied, the identity pool's 400s.
  const asked = /^console error: Failed to load resource: the server responded with a status of (403 \(Forbidden\) \(http:[^)]*(\/v1\/admin|\/v1\/user|\/us-east-1%3A00000000-0000-4000-8000-000000000000\/data\.txt)|400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/)\)$/;
  assert.deepEqual(noise.filter((line) => !asked.test(line)), [], "no console error or warning, no failed request, but the denials asked for");
  assert.equal(noise.length, 6, `the denials asked for: ${noise.join("\n")}`);
  mkdirSync(join(repoRoot, "test-results"), { recursive: true });
  await page.screenshot({ path: join(repoRoot, "test-results/demo.png"), fullPage: true });
  await page.close();
});

test("the demo explains itself: scenarios described, log lines name the user and role, presigned URLs are links, a cancelled upload resets its bar", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  const notFound = [];
  page.on("response", (r) => r.status() === 404 && notFound.push(r.url()));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector("body[data-ready=true]");
  const scenarios = await page.locator(".scenario h3").allTextContents();
  assert.deepEqual(scenarios.map((t) => t.slice(0, 2)), ["S1", "S2", "S3", "S4", "S5", "S6"]);
  for (const p of await page.locator(".scenario p").allTextContents()) assert.ok(p.length > 60, `a scenario's description: ${p}`);
  assert.match(await page.locator(".about").textContent(), /admin@example\.com.*cognito-sigv4-admin/s);

  await signIn(page, "both@example.com");
  assert.match(await page.locator("#who").textContent(), /^both@example\.com, as cognito-sigv4-admin \(by the pool's rules\)/);
  assert.match(await run(page, "user"), /^403 GET \/v1\/user.*· both@example\.com as cognito-sigv4-admin$/s);
  await page.selectOption("#role", stack.config.roles.user);
  await page.waitForFunction(() => document.querySelector("#credentials").textContent.includes("cognito-sigv4-user"));
  assert.match(await run(page, "user"), /^200 GET \/v1\/user.*· both@example\.com as cognito-sigv4-user$/s);

  await run(page, "put");
  await run(page, "presign", 2);
  const href = await page.locator("#log li a").first().getAttribute("href");
  assert.match(href, /X-Amz-Signature=/, "the presigned URL is a link");
  assert.equal((await fetch(href)).status, 200);

  // Cancel a multipart upload once bytes are going.
  await page.click("[data-action=upload]");
  await page.waitForFunction(() => document.querySelector("#upload-progress").value > 0, null, { timeout: 60_000 });
  await page.click("#upload-cancel");
  await page.waitForFunction(() => document.querySelector("#upload-status").textContent === "cancelled", null, { timeout: 30_000 });
  assert.equal(await page.locator("#upload-progress").evaluate((bar) => bar.value), 0, "the bar starts over");
  assert.match(await page.locator("#log li").first().textContent(), /^Cancelled test-24MiB\.bin\s+the upload was aborted, on S3 too/);
  assert.deepEqual(errors, []);
  assert.deepEqual(notFound, [], "nothing the page asks for is missing (favicon included)");
  await page.close();
});

test("screenshots at desktop and phone width: nothing wider than the screen, every scenario on the page", async () => {
  mkdirSync(join(repoRoot, "test-results"), { recursive: true });
  for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
    const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForSelector("body[data-ready=true]");
    await signIn(page, "user@example.com");
    await run(page, "user");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: the page is ${overflow} px wider than the screen`);
    for (const id of ["s1", "s3", "s6", "log", "form"]) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= viewport.width + 1, `${name}: #${id} within the screen`);
    }
    await page.screenshot({ path: join(repoRoot, `test-results/demo-${name}.png`), fullPage: true });
    await page.close();
  }
});
