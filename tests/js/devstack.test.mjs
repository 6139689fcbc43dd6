// The SDK in Node against the devstack, which (unlike moto) validates tokens,
// maps roles, verifies signatures and answers AWS's errors: the credential
// provider's error paths and recovery against a real server, and S1, S2, S5, S6.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";

const { default: init, UserPool, CognitoIdentityCredentials, AwsClient, decodeJwt, clientCredentials } = await import(join(repoRoot, "pkg/index.js"));
await init();

let stack, c, tokens = {};
before(async () => {
  stack = await startDevstack();
  c = stack.config;
  const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  for (const u of c.users) tokens[u.username] = (await pool.signIn(u.username, u.password)).idToken;
});
after(() => stack?.stop());

const credentials = (username, extra = {}) =>
  new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken: tokens[username], endpoint: c.identityEndpoint, stsEndpoint: c.stsEndpoint, storage: "memory", ...extra });

async function status(creds, route) {
  const res = await new AwsClient({ credentials: creds, region: c.region, service: "execute-api" }).fetch(`${c.apiUrl}/${route}`);
  return res.status;
}

test("S1: each group's role reaches its own route only", async () => {
  assert.deepEqual([await status(credentials("admin@example.com"), "admin"), await status(credentials("admin@example.com"), "user")], [200, 403]);
  assert.deepEqual([await status(credentials("user@example.com"), "user"), await status(credentials("user@example.com"), "admin")], [200, 403]);
});

test("S2: CustomRoleArn picks one of the token's roles; another is a typed error", async () => {
  const asUser = credentials("both@example.com", { customRoleArn: c.roles.user });
  assert.deepEqual([await status(asUser, "user"), await status(asUser, "admin")], [200, 403]);
  await assert.rejects(credentials("user@example.com", { customRoleArn: c.roles.admin }).get(), { name: "InvalidParameterException" });
});

test("classic flow through the devstack's STS", async () => {
  const basic = credentials("admin@example.com", { flow: "basic", roleArn: c.roles.admin });
  assert.equal(await status(basic, "admin"), 200);
});

test("S6: a pool without roles, and a tampered IdToken, are typed errors that say what to fix", async () => {
  const misconfigured = credentials("admin@example.com", { identityPoolId: c.misconfiguredIdentityPoolId });
  await assert.rejects(misconfigured.get(), (e) => e.name === "InvalidIdentityPoolConfigurationException" && /set roles on the identity pool/.test(e.message));
  const [h, p, s] = tokens["admin@example.com"].split(".");
  const tampered = `${h}.${p}.${s.slice(0, -4)}AAAA`;
  const err = await credentials("admin@example.com", { idToken: tampered }).get().catch((e) => e);
  assert.equal(err.name, "NotAuthorizedException");
  assert.ok(!err.message.includes(tampered), "the token is not echoed");
});

test("a stored IdentityId the pool does not know is dropped and GetId retried once", async () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k) };
  const sub = decodeJwt(tokens["user@example.com"]).payload.sub;
  const key = `cognito-sigv4:identity:${c.identityPoolId}:${sub}`;
  store.set(key, "us-east-1:00000000-0000-4000-8000-000000000000");
  const creds = credentials("user@example.com", { storage });
  const got = await creds.get();
  assert.notEqual(got.identityId, "us-east-1:00000000-0000-4000-8000-000000000000");
  assert.equal(store.get(key), got.identityId);
  assert.equal(await status(creds, "user"), 200);
});

test("S5: client credentials in Node, cached, accepted by the JWT authorizer", async () => {
  const options = { tokenEndpoint: c.tokenEndpoint, clientId: c.m2mClientId, clientSecret: c.m2mClientSecret, scope: c.m2mScope };
  const first = await clientCredentials(options);
  assert.equal(await clientCredentials(options), first, "cached until near expiry");
  assert.ok(first.expiresAt.getTime() > Date.now() + 50 * 60_000);
  const res = await fetch(`${c.jwtApiUrl}/m2m`, { headers: { authorization: `Bearer ${first.accessToken}` } });
  assert.equal(res.status, 200);
  await assert.rejects(clientCredentials({ ...options, clientSecret: "wrong" }), { name: "invalid_client" });
});
