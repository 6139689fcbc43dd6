// CognitoIdentityCredentials, UserPool, AwsClient and decodeJwt through the
// built package in Node, against a real moto server (user pool, identity pool
// and STS with AWS's wire formats). moto does not validate tokens nor map
// roles; the devstack tests cover those semantics.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";
import { parseAmzDate } from "./suite.mjs";
import { startMoto } from "./moto.mjs";

const pkg = await import(join(repoRoot, "pkg/user-pool/index.js"));
const { default: init, UserPool, CognitoIdentityCredentials, AwsClient, Signer, decodeJwt, clientCredentials } = pkg;
await init();

let moto, pool, tokens;
before(async () => {
  moto = await startMoto();
  pool = new UserPool({ region: moto.region, userPoolId: moto.userPoolId, clientId: moto.clientId, endpoint: moto.endpoint });
  tokens = await pool.signIn(moto.user.username, moto.user.password);
});
after(() => moto?.stop());

/** Counts the fetches made while `fn` runs. */
async function countingFetches(fn) {
  const real = globalThis.fetch;
  const targets = [];
  globalThis.fetch = async (input, init) => {
    // The SDK fetches a Request; read its target (JSON 1.1) or Action (STS query).
    const request = new Request(input, init);
    const target = request.headers.get("x-amz-target")?.split(".").pop();
    targets.push(target ?? new URLSearchParams(await request.clone().text()).get("Action"));
    return real(request);
  };
  try {
    return { result: await fn(), targets };
  } finally {
    globalThis.fetch = real;
  }
}

const options = (extra = {}) => ({ region: moto.region, identityPoolId: moto.identityPoolId, endpoint: moto.endpoint, stsEndpoint: moto.endpoint, storage: "memory", ...extra });

test("UserPool.signIn returns the tokens; refresh renews them; decodeJwt reads them", async () => {
  assert.equal(typeof tokens.idToken, "string");
  assert.equal(typeof tokens.refreshToken, "string");
  assert.equal(tokens.expiresIn, 3600);
  const { header, payload } = decodeJwt(tokens.idToken);
  assert.equal(header.alg, "RS256");
  assert.equal(payload.token_use, "id");
  assert.equal(payload.iss, `https://cognito-idp.us-east-1.amazonaws.com/${moto.userPoolId}`);
  const renewed = await pool.refresh(tokens.refreshToken);
  assert.equal(decodeJwt(renewed.idToken).payload.sub, payload.sub);
});

test("UserPool errors are typed: wrong password, unknown user, bad options", async () => {
  // moto checks passwords in USER_PASSWORD_AUTH only (it signs in any SRP claim).
  await assert.rejects(pool.signIn(moto.user.username, "wrong-password", { flow: "password" }), (e) => e.name === "NotAuthorizedException" && /wrong username or password/.test(e.message) && !e.message.includes("wrong-password"));
  await assert.rejects(pool.signIn("nobody@example.com", "x"), { name: "UserNotFoundException" });
  assert.throws(() => new UserPool({ region: "us-east-1", userPoolId: "p" }), { name: "InvalidConfig" });
  assert.throws(() => decodeJwt("not.a.jwt!"), { name: "Malformed" });
});

test("enhanced flow: concurrent first calls share one exchange of exactly 2 requests", async () => {
  const creds = new CognitoIdentityCredentials(options({ idToken: tokens.idToken, refreshMarginMs: 0 }));
  const { result, targets } = await countingFetches(() => Promise.all(Array.from({ length: 8 }, () => creds.get())));
  assert.deepEqual(targets, ["GetId", "GetCredentialsForIdentity"]);
  assert.equal(new Set(result.map((c) => c.accessKeyId)).size, 1);
  const c = result[0];
  assert.ok(c.expiration instanceof Date);
  assert.match(c.identityId, /^us-east-1:/);
  assert.equal(await creds.identityId(), c.identityId);
});

test("basic flow: GetId, GetOpenIdToken, then STS AssumeRoleWithWebIdentity", async () => {
  const creds = new CognitoIdentityCredentials(options({ idToken: () => Promise.resolve(tokens.idToken), flow: "basic", roleArn: "arn:aws:iam::123456789012:role/web" }));
  const { result, targets } = await countingFetches(() => creds.get());
  assert.deepEqual(targets, ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);
  assert.match(result.accessKeyId, /^ASIA/);
  assert.ok(result.expiration.getTime() > Date.now());
  assert.throws(() => new CognitoIdentityCredentials(options({ flow: "basic" })), { name: "InvalidConfig", message: /roleArn/ });
});

test("the IdentityId is stored per pool and user, reused after a reload, and forgotten by clear()", async () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k) };
  const first = new CognitoIdentityCredentials(options({ idToken: tokens.idToken, storage }));
  const id = await first.identityId();
  const sub = decodeJwt(tokens.idToken).payload.sub;
  assert.deepEqual([...store.entries()], [[`cognito-sigv4:identity:${moto.identityPoolId}:${sub}`, id]]);
  for (const value of store.values()) assert.ok(!value.includes(tokens.idToken));
  // "Reload": a new instance with the same storage skips GetId.
  const second = new CognitoIdentityCredentials(options({ idToken: tokens.idToken, storage }));
  const { targets } = await countingFetches(() => second.get());
  assert.deepEqual(targets, ["GetCredentialsForIdentity"]);
  second.clear();
  assert.equal(store.size, 0);
});

// moto answers unknown pools and stale IdentityIds with 500s or success, so
// those AWS errors are tested natively (src/credentials/tests.rs) and against the devstack.
test("typed errors: unreachable endpoint, bad options", async () => {
  const offline = new CognitoIdentityCredentials(options({ idToken: tokens.idToken, endpoint: "http://127.0.0.1:9/", timeoutMs: 2000 }));
  await assert.rejects(offline.get(), { name: "Network" });
  assert.throws(() => new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "nope" }), { name: "InvalidConfig" });
  // The Logins key comes from the IdToken's `iss`: no JWT, or no `iss`, is a typed error before any request.
  await assert.rejects(new CognitoIdentityCredentials(options({ idToken: "not-a-jwt" })).get(), { name: "Malformed" });
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const noIss = `${b64({ alg: "RS256" })}.${b64({ sub: "u" })}.sig`;
  await assert.rejects(new CognitoIdentityCredentials(options({ idToken: noIss })).get(), (e) => e.name === "Malformed" && /no `iss` claim/.test(e.message) && !e.message.includes(noIss));
  await assert.rejects(new CognitoIdentityCredentials(options({ idToken: "a.b\n.c" })).get(), { name: "InvalidConfig" });
});

test("AwsClient signs with the identity's credentials, inferring service and region from the host", async () => {
  const creds = new CognitoIdentityCredentials(options({ idToken: tokens.idToken }));
  const aws = new AwsClient({ credentials: creds });
  const request = await aws.sign("https://abc123.execute-api.eu-west-1.amazonaws.com/v1/items?x=1", { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } });
  const c = await creds.get();
  assert.match(request.headers.get("authorization"), new RegExp(`Credential=${c.accessKeyId}/\\d{8}/eu-west-1/execute-api/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token`));
  assert.equal(request.headers.get("x-amz-security-token"), c.sessionToken);
  // The same signature as Signer gives for that request and time.
  const date = request.headers.get("x-amz-date");
  const t = parseAmzDate(date);
  const expected = new Signer({ ...c, region: "eu-west-1", service: "execute-api" }).sign({ method: "POST", url: request.url, headers: { "content-type": "application/json" }, body: '{"a":1}', date: t });
  assert.equal(request.headers.get("authorization"), expected.headers.authorization);
  const s3 = await aws.sign("https://bucket.s3.us-west-2.amazonaws.com/k.txt");
  assert.match(s3.headers.get("authorization"), /\/us-west-2\/s3\/aws4_request/);
  assert.equal(s3.headers.get("x-amz-content-sha256"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const link = new URL(await aws.presign("https://bucket.s3.us-west-2.amazonaws.com/k.txt", { expiresIn: 60 }));
  assert.equal(link.searchParams.get("X-Amz-Expires"), "60");
  await assert.rejects(aws.sign("https://example.com/x"), { name: "InvalidConfig", message: /service and region/ });
  assert.throws(() => new AwsClient({}), { name: "MissingCredentials" });
});

test("clientCredentials validates its options (the grant itself runs against the devstack)", async () => {
  await assert.rejects(clientCredentials({ tokenEndpoint: "http://127.0.0.1:9/oauth2/token", clientId: "c" }), { name: "InvalidConfig" });
  await assert.rejects(clientCredentials({ tokenEndpoint: "http://127.0.0.1:9/oauth2/token", clientId: "c", clientSecret: "s" }), { name: "Network" });
});
