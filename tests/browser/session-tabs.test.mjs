// Across tabs (#23), UserPoolSession's part, in real Chromium against the
// devstack, whose app client rotates refresh tokens (each refresh spends the
// one it was given): several pages of one browser context holding one
// sign-in refresh once and all take the new refresh token, a sign-out in one
// signs out all, and a tab that switched user never sends the other's tokens.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";
import { startDevstack } from "../js/devstack.mjs";

const { default: init, UserPool, decodeJwt } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

const ADMIN = "admin@example.com";
const USER = "user@example.com";
let browser, server, stack, c, pool;
before(async () => {
  [browser, server, stack] = await Promise.all([launch(), serve(repoRoot), startDevstack()]);
  c = stack.config;
  pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
});
after(async () => {
  await browser?.close();
  server?.close();
  stack?.stop();
});

const signIn = (u) => pool.signIn(u, c.users.find((x) => x.username === u).password, { flow: "password" });

/**
 * `n` pages of one new context with the user-pool entry loaded; every
 * request body any of them sends to the user pool is kept in `sent`
 * (`{ page, target, body }`), console errors in `errors`.
 */
async function tabs(n) {
  const context = await browser.newContext();
  const sent = [];
  const errors = [];
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => {
      const target = r.headers()["x-amz-target"] ?? "";
      if (target.startsWith("AWSCognitoIdentityProviderService.")) sent.push({ page: i, target: target.split(".").pop(), body: r.postData() ?? "" });
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
    await page.evaluate(async (c) => {
      const sdk = await import("/pkg/user-pool/index.js");
      await sdk.default();
      window.sdk = sdk;
      window.pool = new sdk.UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
      window.tabEvents = [];
    }, c);
    pages.push(page);
  }
  return { context, pages, sent, errors };
}

/** In `page`: `window.session` of `tokens`, refreshing when less than `margin` seconds are left. */
const startSession = (page, tokens, margin) =>
  page.evaluate(
    ({ tokens, margin }) => {
      window.session = window.pool.session(tokens, { refreshBeforeSeconds: margin, onTabEvent: (e) => window.tabEvents.push(e.type) });
    },
    { tokens, margin },
  );

/** Seconds a token has left. */
const left = (token) => decodeJwt(token).payload.exp - Date.now() / 1000;

/** Waits until `token` has less than `margin` seconds left (then a session refreshes it). */
const untilDue = (token, margin) => new Promise((r) => setTimeout(r, Math.max(0, (left(token) - margin) * 1000 + 300)));

test("refresh with rotation: 5 tabs with tokens near expiry make one refresh, and every tab ends with the new refresh token", async () => {
  const first = await signIn(USER);
  const { context, pages, sent, errors } = await tabs(5);
  try {
    // Due in 6 s (when less than `margin` is left); fresh tokens then have
    // 6 s before they are due in turn: the test's window.
    const margin = Math.floor(left(first.idToken)) - 6;
    await Promise.all(pages.map((p) => startSession(p, first, margin)));
    await untilDue(first.idToken, margin);
    const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.session.idToken())));
    const refreshes = sent.filter((s) => s.target === "GetTokensFromRefreshToken");
    assert.equal(refreshes.length, 1, "one refresh for five tabs");
    assert.ok(refreshes[0].body.includes(first.refreshToken));
    assert.equal(new Set(ids).size, 1, "every tab has the new IdToken");
    assert.notEqual(ids[0], first.idToken);
    const held = await Promise.all(pages.map((p) => p.evaluate(() => window.session.tokens.refreshToken)));
    assert.equal(new Set(held).size, 1, "every tab holds the same refresh token");
    assert.notEqual(held[0], first.refreshToken, "the rotated one");
    const told = await Promise.all(pages.map((p) => p.evaluate(() => window.tabEvents.join())));
    assert.deepEqual(told.sort(), ["", "refreshed", "refreshed", "refreshed", "refreshed"]);
    // The old refresh token is spent (the pool refuses it) and never sent again.
    await assert.rejects(pool.refresh(first.refreshToken), { name: "RefreshTokenReuseException" });
    assert.equal(sent.filter((s) => s.body.includes(first.refreshToken)).length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("sign-out in one tab: within a second every tab's session and credentials need a new sign-in, and none sends with the old ones", async () => {
  const first = await signIn(USER);
  // The third tab signed in separately (its own refresh token): signed out and revoked too.
  const separate = await signIn(USER);
  const { context, pages, errors } = await tabs(3);
  try {
    await Promise.all(pages.map((p, i) => startSession(p, i === 2 ? separate : first, undefined)));
    const keys = await Promise.all(
      pages.map((p) =>
        p.evaluate(async (c) => {
          window.creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: window.session.idToken, storage: "memory" });
          window.aws = new sdk.AwsClient({ credentials: window.creds, region: c.region, service: "execute-api" });
          const status = (await window.aws.fetch(`${c.apiUrl}/user`)).status;
          return { status, key: (await window.creds.get()).accessKeyId };
        }, c),
      ),
    );
    assert.deepEqual(keys.map((k) => k.status), [200, 200, 200]);
    await pages[0].evaluate(() => window.session.signOut(window.creds));
    await new Promise((r) => setTimeout(r, 1000));
    const after = await Promise.all(
      pages.map((p) =>
        p.evaluate(async (c) => {
          let apiRequests = 0;
          const realFetch = window.fetch;
          window.fetch = (...args) => (apiRequests++, realFetch(...args));
          const outcome = await window.aws.fetch(`${c.apiUrl}/user`).then(
            (r) => `sent (${r.status})`,
            (e) => e.message,
          );
          window.fetch = realFetch;
          return { tokens: window.session.tokens, events: window.tabEvents.join(), outcome, apiRequests };
        }, c),
      ),
    );
    for (const [i, a] of after.entries()) {
      assert.equal(a.tokens, null, `tab ${i} forgot the tokens`);
      assert.match(a.outcome, /signed out: sign in again/, `tab ${i}: ${a.outcome}`);
      assert.equal(a.apiRequests, 0, `tab ${i} sent nothing`);
    }
    assert.deepEqual(after.map((a) => a.events), ["", "signedOut", "signedOut"]);
    // The pool revoked both sign-ins' refresh tokens.
    await assert.rejects(pool.refresh(first.refreshToken), { name: "NotAuthorizedException" });
    await assert.rejects(pool.refresh(separate.refreshToken), { name: "NotAuthorizedException" });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a tab that switches user while another is still signed in as the first never sends the first's tokens", async () => {
  const alice = await signIn(USER);
  const { context, pages, sent, errors } = await tabs(2);
  try {
    await Promise.all(pages.map((p) => startSession(p, alice, undefined)));
    // Tab 1 signs in as another user (a new session), tab 0 stays.
    const bob = await signIn(ADMIN);
    const margin = Math.floor(left(bob.idToken)) - 4;
    await pages[1].evaluate(({ tokens, margin }) => (window.bob = window.pool.session(tokens, { refreshBeforeSeconds: margin })), { tokens: bob, margin });
    await pages[0].evaluate((margin) => (window.session = window.pool.session(window.session.tokens, { refreshBeforeSeconds: margin })), margin);
    await untilDue(bob.idToken, margin);
    // Both refresh, each their own user, at once.
    const [a, b] = await Promise.all([pages[0].evaluate(() => window.session.idToken()), pages[1].evaluate(() => window.bob.idToken())]);
    assert.equal(decodeJwt(a).payload["cognito:username"], USER);
    assert.equal(decodeJwt(b).payload["cognito:username"], ADMIN);
    const aliceNow = await pages[0].evaluate(() => window.session.tokens);
    const bobNow = await pages[1].evaluate(() => window.bob.tokens);
    for (const secret of [alice.refreshToken, aliceNow.refreshToken, aliceNow.idToken, aliceNow.accessToken]) {
      assert.ok(!JSON.stringify(bobNow).includes(secret), "bob's session holds none of alice's tokens");
    }
    // Tab 1 still hears alice's tab: its old alice session took her new tokens…
    assert.equal(await pages[1].evaluate(() => window.session.tokens.refreshToken), aliceNow.refreshToken);
    // …and bob's session, on another channel, none of them.
    const fromTab1 = sent.filter((s) => s.page === 1);
    assert.ok(fromTab1.length >= 1);
    for (const s of fromTab1) assert.ok(!s.body.includes(alice.refreshToken) && !s.body.includes(aliceNow.refreshToken), "tab 1 sent alice's refresh token");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("shareAcrossTabs: false refreshes in every tab, as before (with its own sign-in each: rotation spends a shared one)", async () => {
  const { context, pages, sent, errors } = await tabs(2);
  try {
    const own = [await signIn(USER), await signIn(USER)];
    const margin = Math.floor(left(own[0].idToken)) - 3;
    await Promise.all(pages.map((p, i) => p.evaluate(({ tokens, margin }) => (window.session = window.pool.session(tokens, { refreshBeforeSeconds: margin, shareAcrossTabs: false })), { tokens: own[i], margin })));
    await untilDue(own[1].idToken, margin);
    await Promise.all(pages.map((p) => p.evaluate(() => window.session.idToken())));
    assert.equal(sent.filter((s) => s.target === "GetTokensFromRefreshToken").length, 2);
    await assert.rejects(pages[0].evaluate(() => window.pool.session({ idToken: "a", accessToken: "b" }, { shareAcrossTabs: "yes" })), /shareAcrossTabs must be true or false/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
