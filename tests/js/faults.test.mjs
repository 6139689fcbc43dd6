// The SDK when the network and the services fail: the devstack's
// fault-injecting proxy (tests/devstack/fault-proxy.mjs) between the SDK and
// the identity pool, API Gateway and S3 injects latency, resets, cut-off and
// close-delimited truncated answers, 500/502/503, 429 with and without
// Retry-After and stalled answers; a devstack whose clock is 20 minutes off
// serves the skew. Every failure must be a typed error (never a trap), within
// the configured retries and time, with no secret in it, and nothing cached
// from a failed answer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { repoRoot } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";
import { startFaultProxy } from "../devstack/fault-proxy.mjs";

const sdk = await import(join(repoRoot, "pkg/user-pool/index.js"));
const { default: init, UserPool, CognitoIdentityCredentials, AwsClient, S3Client } = sdk;
await init();

const TYPED = new Set(["Malformed", "Network", "Timeout", "ClockSkew", "ServiceError", "InternalErrorException", "ServiceUnavailableException", "TooManyRequestsException", "InternalError", "SlowDown"]);
let stack, c, idToken, proxies, keys, secrets = [];
before(async () => {
  stack = await startDevstack();
  c = stack.config;
  const user = c.users.find((u) => u.username.startsWith("admin@"));
  idToken = (await new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint }).signIn(user.username, user.password)).idToken;
  // Keys of this user from the devstack directly, for calls that need no exchange.
  keys = await new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, storage: "memory" }).get();
  secrets.push(idToken, keys.secretAccessKey, keys.sessionToken);
  proxies = {
    identity: await startFaultProxy(c.identityEndpoint, "json"),
    api: await startFaultProxy(new URL(c.apiUrl).origin, "apigw"),
    s3: await startFaultProxy(c.s3Endpoint, "xml"),
  };
});
after(async () => {
  await Promise.all(Object.values(proxies ?? {}).map((p) => p.close()));
  stack?.stop();
});

/** A fresh proxy state and rule for each test. */
function through(name, rule) {
  const p = proxies[name];
  p.rule = rule;
  for (const k of Object.keys(p.stats)) p.stats[k] = k === "requests" ? 0 : {};
  return p.stats;
}
const clean = () => Object.values(proxies).forEach((p) => (p.rule = () => null));

const memory = () => {
  const m = new Map();
  return { map: m, getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) };
};
const credentials = (extra = {}) =>
  new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: proxies.identity.url, storage: "memory", ...extra });
const apiUrl = (route) => `${proxies.api.url}${new URL(c.apiUrl).pathname}/${route}`;

/** The error `promise` rejects with: typed, and carrying no secret. */
async function typedError(promise) {
  const e = await promise.then(() => assert.fail("expected an error"), (e) => e);
  assert.ok(TYPED.has(e.name), `a typed error, not ${e.name}: ${e.message}`);
  noSecretIn(e);
  return e;
}
function noSecretIn(e) {
  const text = [e.name, e.message, e.stack, JSON.stringify(e), String(e.cause ?? "")].join("\n");
  for (const s of secrets) assert.ok(!text.includes(s), "no secret in the error");
}

test("latency: answers 300 ms late on every hop still succeed", async () => {
  const ms = 300;
  through("identity", () => ({ kind: "latency", ms }));
  through("api", () => ({ kind: "latency", ms }));
  const t0 = Date.now();
  const res = await new AwsClient({ credentials: credentials(), region: c.region, service: "execute-api" }).fetch(apiUrl("admin"));
  assert.equal(res.status, 200);
  assert.ok(Date.now() - t0 >= 3 * ms, "GetId, GetCredentialsForIdentity and the call each waited");
  clean();
});

test("a reset during the exchange is retried without a second GetId", async () => {
  const stats = through("identity", ({ target }) => (target === "GetCredentialsForIdentity" && !stats.injected.reset ? { kind: "reset" } : null));
  const keys = await credentials().get();
  assert.match(keys.accessKeyId, /^ASIA/);
  assert.equal(stats.targets.GetId, 1, "one GetId");
  assert.equal(stats.targets.GetCredentialsForIdentity, 2, "the reset one, then its retry");
  clean();
});

test("an answer cut off mid-body is retried; one that looks whole is Malformed and caches nothing", async () => {
  let stats = through("identity", ({ target }) => (target === "GetCredentialsForIdentity" && !stats.injected.truncate ? { kind: "truncate" } : null));
  assert.match((await credentials().get()).accessKeyId, /^ASIA/);
  assert.equal(stats.targets.GetCredentialsForIdentity, 2, JSON.stringify(stats));

  // GetId's answer cut to half, delimited by the connection's close: no IdentityId is kept.
  const store = memory();
  const creds = credentials({ storage: store });
  stats = through("identity", ({ target }) => (target === "GetId" && !stats.injected["truncate-close"] ? { kind: "truncate-close" } : null));
  const e = await typedError(creds.get());
  assert.equal(e.name, "Malformed");
  assert.equal(store.map.size, 0, "nothing stored from the broken answer");
  assert.match((await creds.get()).accessKeyId, /^ASIA/, "the next call exchanges afresh");
  assert.equal(stats.targets.GetId, 2, JSON.stringify(stats));
  assert.equal(store.map.size, 1);

  // S3's XML listing, likewise.
  const s3 = new S3Client({ credentials: keys, region: c.region, bucket: c.bucket, endpoint: proxies.s3.url, forcePathStyle: true, retries: 0 });
  const prefix = `${c.s3Prefix}/${keys.identityId}/`;
  through("s3", () => ({ kind: "truncate-close" }));
  const listing = await typedError(s3.listObjects({ prefix }));
  assert.equal(listing.name, "Malformed");
  clean();
});

test("500/502/503: retried within the count, then the answer or a typed error", async () => {
  const client = (retries) => new AwsClient({ credentials: keys, region: c.region, service: "execute-api", retries });
  for (const status of [500, 502, 503]) {
    let stats = through("api", ({ n }) => (n === 1 ? { kind: "status", status } : null));
    assert.equal((await client(2).fetch(apiUrl("admin"))).status, 200, `one ${status}, then through`);
    assert.equal(stats.requests, 2);
    stats = through("api", () => ({ kind: "status", status }));
    const t0 = Date.now();
    const res = await client(2).fetch(apiUrl("admin"));
    assert.equal(res.status, status, "out of retries: the answer as it came");
    assert.equal(stats.requests, 3, "the first try and 2 retries");
    assert.ok(Date.now() - t0 < 100 + 200 + 1000, "within the backoff's bound");
  }
  // The exchange: every answer a 503, 3 retries, then the service's typed error; nothing cached.
  const stats = through("identity", () => ({ kind: "status", status: 503 }));
  const creds = credentials();
  const e = await typedError(creds.get());
  assert.equal(e.name, "ServiceUnavailableException");
  assert.equal(e.status, 503);
  assert.equal(stats.requests, 4);
  clean();
  assert.match((await creds.get()).accessKeyId, /^ASIA/, "the failure was not cached");
});

test("429: backoff without Retry-After, Retry-After waited out, a long one returned at once", async () => {
  const client = new AwsClient({ credentials: keys, region: c.region, service: "execute-api" });
  let stats = through("api", ({ n }) => (n === 1 ? { kind: "status", status: 429 } : null));
  let t0 = Date.now();
  assert.equal((await client.fetch(apiUrl("admin"))).status, 200);
  assert.ok(Date.now() - t0 < 1000, "the usual backoff");
  stats = through("api", ({ n }) => (n === 1 ? { kind: "status", status: 429, retryAfter: 1 } : null));
  t0 = Date.now();
  assert.equal((await client.fetch(apiUrl("admin"))).status, 200);
  assert.ok(Date.now() - t0 >= 1000, "not before Retry-After");
  stats = through("api", () => ({ kind: "status", status: 429, retryAfter: 3600 }));
  t0 = Date.now();
  const res = await client.fetch(apiUrl("admin"));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3600", "the caller sees how long to wait");
  assert.equal(stats.requests, 1, "no retry would be in time");
  // The exchange is retried through throttling.
  stats = through("identity", ({ n }) => (n <= 2 ? { kind: "status", status: 429 } : null));
  assert.match((await credentials().get()).accessKeyId, /^ASIA/);
  clean();
});

test("a stalled answer ends in Timeout, retries included, for the exchange, API calls and S3", { timeout: 60_000 }, async () => {
  let stats = through("identity", () => ({ kind: "stall" }));
  let t0 = Date.now();
  const e = await typedError(credentials({ timeoutMs: 300 }).get());
  assert.equal(e.name, "Timeout");
  assert.ok(Date.now() - t0 < 20_000, "within the exchange's time budget");
  stats = through("identity", ({ target }) => (target === "GetId" ? { kind: "stall-body" } : null));
  assert.equal((await typedError(credentials({ timeoutMs: 300 }).get())).name, "Timeout", "a body that stops coming");

  stats = through("api", () => ({ kind: "stall" }));
  t0 = Date.now();
  const api = await typedError(new AwsClient({ credentials: keys, region: c.region, service: "execute-api", retries: 1, timeoutMs: 300 }).fetch(apiUrl("admin")));
  assert.equal(api.name, "Timeout");
  assert.equal(stats.requests, 2, "the first try and one retry");
  assert.ok(Date.now() - t0 >= 600 && Date.now() - t0 < 3000);

  const s3 = new S3Client({ credentials: keys, region: c.region, bucket: c.bucket, endpoint: proxies.s3.url, forcePathStyle: true, retries: 1, timeoutMs: 300 });
  through("s3", () => ({ kind: "stall-body" }));
  // Collected garbage while the body stalls must not take the timeout with it.
  setFlagsFromString("--expose-gc");
  const gc = setInterval(runInNewContext("gc"), 20);
  const listing = await typedError(s3.listObjects({ prefix: `${c.s3Prefix}/${keys.identityId}/` })).finally(() => clearInterval(gc));
  assert.equal(listing.name, "Timeout", `${listing.message} ${JSON.stringify(proxies.s3.stats)}`);
  // A caller's abort is the caller's, not a timeout.
  through("api", () => ({ kind: "stall" }));
  const abort = new AbortController();
  setTimeout(() => abort.abort(new Error("mine")), 100);
  await assert.rejects(new AwsClient({ credentials: keys, region: c.region, service: "execute-api", timeoutMs: 5000 }).fetch(apiUrl("admin"), { signal: abort.signal }), /mine/);
  clean();
});

test("a server clock 20 minutes ahead is learned once; the next request signs right", async () => {
  const skewed = await startDevstack([], { DEVSTACK_CLOCK_OFFSET_SECS: "1200" });
  const api = await startFaultProxy(new URL(skewed.config.apiUrl).origin, "apigw");
  try {
    const s = skewed.config;
    const user = s.users.find((u) => u.username.startsWith("admin@"));
    const token = (await new UserPool({ region: s.region, userPoolId: s.userPoolId, clientId: s.clientId, endpoint: s.userPoolEndpoint }).signIn(user.username, user.password)).idToken;
    const creds = new CognitoIdentityCredentials({ region: s.region, identityPoolId: s.identityPoolId, idToken: token, endpoint: s.identityEndpoint, storage: "memory" });
    const keys = await creds.get();
    assert.ok(Math.abs(creds.clockOffset - 1_200_000) < 5_000, `the provider learned the offset from the answers' Date (${creds.clockOffset})`);
    // A client with plain keys learns it from API Gateway's refusal, once.
    const client = new AwsClient({ credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken }, region: s.region, service: "execute-api" });
    const url = `${api.url}${new URL(s.apiUrl).pathname}/admin`;
    assert.equal((await client.fetch(url)).status, 200);
    assert.deepEqual(api.stats.statuses, { 403: 1, 200: 1 }, "refused once for its time, then signed with the server's");
    assert.equal((await client.fetch(url)).status, 200);
    assert.deepEqual(api.stats.statuses, { 403: 1, 200: 2 }, "the next request signs right at once");
    // With the provider, its offset is used from the start.
    const viaProvider = new AwsClient({ credentials: creds, region: s.region, service: "execute-api" });
    assert.equal((await viaProvider.fetch(url)).status, 200);
    assert.deepEqual(api.stats.statuses, { 403: 1, 200: 3 });
  } finally {
    await api.close();
    skewed.stop();
  }
});
