// One page, two users in turn, against the devstack (which validates IdTokens,
// maps groups to roles and checks execute-api:Invoke) in real Chromium: each
// user's credentials and IdentityId stay theirs, with and without clear(), and
// when clear() lands while a slow async idToken function is still pending.
// Also: a large POST through AwsClient passes an API's CORS preflight, whose
// AllowHeaders (as API Gateway's) lists no x-amz-content-sha256.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve } from "../../scripts/serve.mjs";
import { launch, sdkPage } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";
import { startDevstack } from "../js/devstack.mjs";

const { default: init, UserPool, decodeJwt } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

let browser, server, stack, page, c;
const tokens = {};
before(async () => {
  [browser, server, stack] = await Promise.all([launch(), serve(repoRoot), startDevstack()]);
  c = stack.config;
  const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  for (const u of ["admin@example.com", "user@example.com"]) tokens[u] = (await pool.signIn(u, c.users.find((x) => x.username === u).password)).idToken;
  page = await sdkPage(browser, server);
});
after(async () => {
  await browser?.close();
  server?.close();
  stack?.stop();
});

const sub = (username) => decodeJwt(tokens[username]).payload.sub;
const args = () => ({ c, tokens, admin: "admin@example.com", user: "user@example.com" });

test("two users in turn on one page, no clear(): each gets their own role and IdentityId", async () => {
  const out = await page.evaluate(async ({ c, tokens, admin, user }) => {
    localStorage.clear();
    let current = admin;
    const creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: () => tokens[current] });
    const aws = new sdk.AwsClient({ credentials: creds, region: c.region, service: "execute-api" });
    const status = async (route) => (await aws.fetch(`${c.apiUrl}/${route}`)).status;
    const a = { id: await creds.identityId(), key: (await creds.get()).accessKeyId, admin: await status("admin"), user: await status("user") };
    current = user; // the app's token function now answers for the next user
    const u = { id: await creds.identityId(), key: (await creds.get()).accessKeyId, admin: await status("admin"), user: await status("user") };
    return { a, u, stored: { ...localStorage } };
  }, args());
  assert.deepEqual([out.a.admin, out.a.user], [200, 403]);
  assert.deepEqual([out.u.admin, out.u.user], [403, 200], "the second user never signs with the first user's role");
  assert.notEqual(out.u.id, out.a.id);
  assert.notEqual(out.u.key, out.a.key);
  assert.equal(out.stored[`cognito-sigv4:identity:${c.identityPoolId}:${sub("admin@example.com")}`], out.a.id);
  assert.equal(out.stored[`cognito-sigv4:identity:${c.identityPoolId}:${sub("user@example.com")}`], out.u.id);
});

test("sign-out with clear(), then the next user: nothing of the first is kept or reused", async () => {
  const out = await page.evaluate(async ({ c, tokens, admin, user }) => {
    localStorage.clear();
    let current = admin;
    const creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: () => tokens[current] });
    const aws = new sdk.AwsClient({ credentials: creds, region: c.region, service: "execute-api" });
    const first = await creds.get();
    creds.clear();
    const afterClear = { ...localStorage };
    current = user;
    const second = await creds.get();
    return { first: first.identityId, second: second.identityId, afterClear, admin: (await aws.fetch(`${c.apiUrl}/admin`)).status, stored: { ...localStorage } };
  }, args());
  assert.notEqual(out.second, out.first);
  assert.deepEqual(out.afterClear, {}, "clear() removed the first user's IdentityId");
  assert.equal(out.admin, 403);
  assert.deepEqual(Object.keys(out.stored), [`cognito-sigv4:identity:${c.identityPoolId}:${sub("user@example.com")}`]);
});

test("clear() while a slow async idToken is pending: the late exchange is dropped, the next user is served", async () => {
  const out = await page.evaluate(async ({ c, tokens, admin, user }) => {
    localStorage.clear();
    let current = admin;
    const slowToken = async () => {
      const who = current;
      await new Promise((r) => setTimeout(r, 300));
      return tokens[who];
    };
    const creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: slowToken });
    const pending = creds.get().then((r) => ({ ok: r.identityId }), (e) => ({ error: e.name }));
    await new Promise((r) => setTimeout(r, 50));
    creds.clear(); // the first user signs out before their token arrived
    current = user;
    const next = await creds.get();
    const late = await pending;
    await new Promise((r) => setTimeout(r, 400)); // anything late has landed by now
    const aws = new sdk.AwsClient({ credentials: creds, region: c.region, service: "execute-api" });
    return { late, next: next.identityId, admin: (await aws.fetch(`${c.apiUrl}/admin`)).status, user: (await aws.fetch(`${c.apiUrl}/user`)).status, stored: { ...localStorage } };
  }, args());
  assert.deepEqual(out.late, { error: "Cancelled" });
  assert.deepEqual([out.admin, out.user], [403, 200]);
  assert.deepEqual(out.stored, { [`cognito-sigv4:identity:${c.identityPoolId}:${sub("user@example.com")}`]: out.next });
});

test("a large POST through AwsClient passes the API's CORS preflight, like a small one", async () => {
  const out = await page.evaluate(async ({ c, tokens, user }) => {
    const creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: tokens[user], storage: "memory" });
    const aws = new sdk.AwsClient({ credentials: creds, region: c.region, service: "execute-api", retries: 0 });
    const post = (size) => aws.fetch(`${c.apiUrl}/user`, { method: "POST", body: "x".repeat(size) }).then((r) => r.status, (e) => e.name);
    // 200 KB is hashed by WebCrypto (from 64 KB), 1 KB by the wasm module: same headers either way.
    return { small: await post(1024), large: await post(200 * 1024) };
  }, args());
  assert.equal(typeof out.small, "number", `small: ${out.small}`);
  assert.equal(out.large, out.small, "the large body's request passed the preflight too");
});
