// Across tabs (#23), in real Chromium against the devstack: several pages of
// one browser context (one origin) share one credential exchange per user
// through a BroadcastChannel and a Web Lock, a user's credentials never reach
// a tab signed in as someone else, sign-out in one tab signs out all, and a
// dedicated worker of the origin takes a page's credentials.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";
import { startDevstack } from "../js/devstack.mjs";

const { default: init, UserPool } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

const ADMIN = "admin@example.com";
const USER = "user@example.com";
let browser, server, stack, c;
const tokens = {};
before(async () => {
  [browser, server, stack] = await Promise.all([launch(), serve(repoRoot), startDevstack()]);
  c = stack.config;
  const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  for (const u of [ADMIN, USER]) tokens[u] = (await pool.signIn(u, c.users.find((x) => x.username === u).password)).idToken;
});
after(async () => {
  await browser?.close();
  server?.close();
  stack?.stop();
});

/**
 * `n` pages of one new context with the SDK loaded, counting the identity
 * pool requests of all of them by operation, and collecting console errors.
 */
async function tabs(n) {
  const context = await browser.newContext();
  const calls = {};
  const errors = [];
  const pages = [];
  for (let i = 0; i < n; i++) pages.push(await openTab(context, calls, errors));
  return { context, pages, calls, errors };
}

/** A new page of `context` with the SDK loaded, its identity pool requests counted into `calls`. */
async function openTab(context, calls, errors) {
  const page = await context.newPage();
  countCalls(page, calls);
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
  await page.evaluate(async () => {
    const sdk = await import("/pkg/index.js");
    await sdk.default();
    window.sdk = sdk;
  });
  return page;
}

/** Counts the identity pool operations `page` sends into `calls`, by name: `{ GetId: 1, … }`. */
function countCalls(page, calls) {
  page.on("request", (r) => {
    const target = r.headers()["x-amz-target"] ?? "";
    if (target.startsWith("AWSCognitoIdentityService.")) {
      const op = target.slice(target.indexOf(".") + 1);
      calls[op] = (calls[op] ?? 0) + 1;
    }
  });
}

/** In each page: credentials for `token` (the page's `window.creds`), and one signed API call. */
function signIn(page, token) {
  return page.evaluate(
    async ({ c, token }) => {
      window.token = token;
      window.tabEvents ??= [];
      window.creds ??= new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: () => window.token, storage: "memory", onTabEvent: (e) => window.tabEvents.push(e.type) });
      const got = await window.creds.get();
      const aws = new sdk.AwsClient({ credentials: window.creds, region: c.region, service: "execute-api" });
      const status = (await aws.fetch(`${c.apiUrl}/user`)).status;
      return { key: got.accessKeyId, identityId: got.identityId, status };
    },
    { c, token },
  );
}

test("5 tabs opened at once, one user: one GetId and one GetCredentialsForIdentity in all, and each tab's call passes", async () => {
  const { context, pages, calls, errors } = await tabs(5);
  try {
    const out = await Promise.all(pages.map((p) => signIn(p, tokens[USER])));
    assert.deepEqual(calls, { GetId: 1, GetCredentialsForIdentity: 1 });
    assert.deepEqual(out.map((o) => o.status), [200, 200, 200, 200, 200]);
    assert.equal(new Set(out.map((o) => o.key)).size, 1, "one set of credentials");
    // Every tab but the one that exchanged was told another signed it in.
    const events = await Promise.all(pages.map((p) => p.evaluate(() => window.tabEvents)));
    assert.deepEqual(events.map((e) => e.join()).sort(), ["", "signedIn", "signedIn", "signedIn", "signedIn"]);
    // A tab opened later asks the others and exchanges nothing.
    const late = {};
    const page = await openTab(context, late, errors);
    assert.equal((await signIn(page, tokens[USER])).key, out[0].key);
    assert.deepEqual(late, {}, "the late tab sent nothing to the identity pool");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("sign-out in one tab: within a second every tab forgets the user, and none signs with the old credentials", async () => {
  const { context, pages, errors } = await tabs(3);
  try {
    const before = await Promise.all(pages.map((p) => signIn(p, tokens[USER])));
    await pages[0].evaluate(() => window.creds.clear());
    await new Promise((r) => setTimeout(r, 1000));
    const told = await Promise.all(pages.map((p) => p.evaluate(() => window.tabEvents.includes("signedOut"))));
    assert.deepEqual(told, [false, true, true], "the other tabs were told");
    const after = await Promise.all(pages.map((p) => signIn(p, tokens[USER])));
    for (let i = 0; i < 3; i++) assert.notEqual(after[i].key, before[i].key, `tab ${i} kept the signed-out credentials`);
    assert.deepEqual(after.map((o) => o.status), [200, 200, 200]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("two users in two tabs of one origin: neither ever gets the other's credentials", async () => {
  const { context, pages, calls, errors } = await tabs(2);
  try {
    const [a, u] = await Promise.all([signIn(pages[0], tokens[ADMIN]), signIn(pages[1], tokens[USER])]);
    assert.notEqual(a.key, u.key);
    assert.notEqual(a.identityId, u.identityId);
    assert.deepEqual(calls, { GetId: 2, GetCredentialsForIdentity: 2 });
    // The first tab switches to the second user while the second is signed in as them: it takes theirs.
    const switched = await signIn(pages[0], tokens[USER]);
    assert.equal(switched.key, u.key);
    assert.equal(switched.status, 200);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("shareAcrossTabs: false exchanges in every tab, as before", async () => {
  const { context, pages, calls } = await tabs(3);
  try {
    await Promise.all(
      pages.map((p) =>
        p.evaluate(
          async ({ c, token }) => {
            const creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: token, storage: "memory", shareAcrossTabs: false });
            await creds.get();
          },
          { c, token: tokens[USER] },
        ),
      ),
    );
    assert.deepEqual(calls, { GetId: 3, GetCredentialsForIdentity: 3 });
  } finally {
    await context.close();
  }
});

test("a tab closed while it holds the lock mid-exchange blocks nobody: the next one exchanges", async () => {
  const { context, pages, errors } = await tabs(4);
  try {
    // The first tab's identity-pool requests get no answer: it holds the lock, mid-exchange.
    let hung = 0;
    await pages[0].route(`${c.identityEndpoint}**`, (route) => {
      if (route.request().method() === "POST") hung++;
      else route.continue();
    });
    const first = signIn(pages[0], tokens[USER]).catch(() => "closed");
    const deadline = Date.now() + 5000;
    while (hung === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(hung, 1, "the first tab sent its GetId under the lock");
    const calls = {};
    for (const p of pages.slice(1)) countCalls(p, calls);
    const rest = Promise.all(pages.slice(1).map((p) => signIn(p, tokens[USER])));
    await new Promise((r) => setTimeout(r, 300)); // they asked, nobody answered: queued for the lock
    await pages[0].close(); // the browser releases its lock
    const out = await rest;
    assert.equal(await first, "closed");
    assert.deepEqual(out.map((o) => o.status), [200, 200, 200]);
    assert.equal(new Set(out.map((o) => o.key)).size, 1);
    assert.deepEqual(calls, { GetId: 1, GetCredentialsForIdentity: 1 }, "one of them exchanged, for all");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a dedicated worker of the origin takes the page's credentials: it sends nothing to the identity pool", async () => {
  const { context, pages, calls, errors } = await tabs(1);
  try {
    const page = await signIn(pages[0], tokens[USER]);
    // In a module worker: credentials for the same user, sharing (the
    // default) or not, counting what it sends to the identity pool itself.
    const inWorker = (share) =>
      pages[0].evaluate(
        async ({ c, token, share }) => {
          const code = `onmessage = async ({ data: { c, token, share, origin } }) => {
            const sdk = await import(origin + "/pkg/index.js");
            await sdk.default();
            let sent = 0;
            const realFetch = fetch;
            self.fetch = (...args) => (sent++, realFetch(...args));
            const creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, endpoint: c.identityEndpoint, idToken: token, storage: "memory", ...(share === false && { shareAcrossTabs: false }) });
            const got = await creds.get();
            postMessage({ key: got.accessKeyId, sent });
          };`;
          const worker = new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })), { type: "module" });
          const reply = new Promise((resolve, reject) => {
            worker.onmessage = (e) => resolve(e.data);
            worker.onerror = (e) => reject(new Error(e.message));
          });
          worker.postMessage({ c, token, share, origin: location.origin });
          const out = await reply;
          worker.terminate();
          return out;
        },
        { c, token: tokens[USER], share },
      );
    const shared = await inWorker(undefined);
    assert.equal(shared.key, page.key, "the worker has the page's credentials");
    assert.equal(shared.sent, 0, "and sent nothing");
    assert.deepEqual(calls, { GetId: 1, GetCredentialsForIdentity: 1 });
    // The same worker without sharing exchanges itself: the count above can fail.
    const alone = await inWorker(false);
    assert.notEqual(alone.key, page.key);
    assert.ok(alone.sent >= 1, `${alone.sent} requests`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
