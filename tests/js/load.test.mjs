// Load on one provider, against the devstack through its proxy (which counts
// what reaches the identity pool): 1,000 concurrent first calls make exactly
// one exchange (GetId + GetCredentialsForIdentity: 2 requests), whether they
// ask the provider or sign API calls with it. The 10,000-request run with
// memory figures is bench/soak.mjs (printed, not asserted as timings).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { repoRoot } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";
import { startFaultProxy } from "../devstack/fault-proxy.mjs";

const { default: init, UserPool, CognitoIdentityCredentials, AwsClient } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

let stack, c, idToken, identity;
before(async () => {
  stack = await startDevstack();
  c = stack.config;
  const u = c.users.find((u) => u.username.startsWith("user@"));
  idToken = (await new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint }).signIn(u.username, u.password)).idToken;
  identity = await startFaultProxy(c.identityEndpoint);
});
after(async () => {
  await identity?.close();
  stack?.stop();
});

const fresh = () => {
  for (const k of Object.keys(identity.stats)) identity.stats[k] = k === "requests" ? 0 : {};
  return new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: identity.url, storage: "memory" });
};

test("1,000 concurrent first get() calls: exactly 2 exchange requests, one set of keys", async () => {
  const creds = fresh();
  const all = await Promise.all(Array.from({ length: 1000 }, () => creds.get()));
  assert.equal(identity.stats.requests, 2);
  assert.deepEqual(identity.stats.targets, { GetId: 1, GetCredentialsForIdentity: 1 });
  assert.equal(new Set(all.map((k) => k.accessKeyId)).size, 1);
});

test("1,000 concurrent first signed API calls: exactly 2 exchange requests, 1,000 answers of 200", async () => {
  const aws = new AwsClient({ credentials: fresh(), region: c.region, service: "execute-api" });
  const statuses = await Promise.all(Array.from({ length: 1000 }, () => aws.fetch(`${c.apiUrl}/user`).then(async (r) => (await r.arrayBuffer(), r.status))));
  assert.equal(identity.stats.requests, 2);
  assert.deepEqual([...new Set(statuses)], [200]);
});

test("the SDK keeps nothing of a settled call: its Responses and keys are collected", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const creds = fresh();
  const aws = new AwsClient({ credentials: creds, region: c.region, service: "execute-api" });
  const refs = [];
  for (let i = 0; i < 20; i++) {
    const res = await aws.fetch(`${c.apiUrl}/user`);
    await res.arrayBuffer();
    refs.push(new WeakRef(res), new WeakRef(await creds.get()));
  }
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
  }
  // (The platform may hold the latest Response a little longer.)
  const kept = refs.filter((r) => r.deref() !== undefined).length;
  assert.ok(kept <= 1, `${kept} of ${refs.length} results still held`);
});
