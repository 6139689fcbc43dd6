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
