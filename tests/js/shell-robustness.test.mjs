// The Rust shell (src/wasm/) against what pages and libraries hand it: fetch
// polyfills, throwing getters, detached buffers and methods, thenables from
// other libraries. Each case must end in a typed error or a result, never in
// a trap (ModuleFailed for the whole page) or a promise that never settles.
// Each failed before its fix (a review of the shell, issue "the card's stack").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";

const { default: init, CognitoIdentityCredentials, AwsClient, S3Client, Signer, UserPool, clientCredentials } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

const POOL = "us-east-1:00000000-0000-0000-0000-000000000000";
const b64url = (s) => Buffer.from(s).toString("base64url");
const idToken = (sub) => [b64url('{"alg":"RS256"}'), b64url(JSON.stringify({ sub, iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_R", exp: 9999999999 })), "c2ln"].join(".");

// An identity pool that answers every user, and "ok" on any other path.
let server, base;
before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = req.headers["x-amz-target"]?.split(".").pop();
      if (!target) return res.end("ok");
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      if (target === "GetId") return res.end('{"IdentityId":"us-east-1:u"}');
      res.end(JSON.stringify({ IdentityId: "us-east-1:u", Credentials: { AccessKeyId: "ASIA", SecretKey: "S", SessionToken: "T", Expiration: Date.now() / 1000 + 3600 } }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

const credentials = (extra) => new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: POOL, endpoint: base, storage: "memory", ...extra });
/** The module still works: a signer signs. */
const alive = () => assert.match(new Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" }).sign({ url: "https://b.s3.amazonaws.com/k" }).headers.authorization, /^AWS4-HMAC-SHA256 /);

test("a fetch that answers something other than a Response is a Network error, not a trap", async () => {
  const real = globalThis.fetch;
  globalThis.fetch = async () => ({ ok: true, status: 200, headers: new Headers(), body: null });
  try {
    await assert.rejects(clientCredentials({ tokenEndpoint: "https://x.example/oauth2/token", clientId: "a", clientSecret: "b" }), { name: "Network" });
    await assert.rejects(credentials({ idToken: idToken("a") }).get(), { name: "Network" });
    globalThis.fetch = () => {
      throw new TypeError("no fetch here");
    };
    await assert.rejects(credentials({ idToken: idToken("a") }).get(), { name: "Network" });
  } finally {
    globalThis.fetch = real;
  }
  alive();
});

test("a throwing logins getter rejects get() with its error, and the provider goes on", async () => {
  let fail = true;
  const logins = {
    get "accounts.google.com"() {
      if (fail) throw new Error("no token yet");
      return "google-token";
    },
  };
  const creds = credentials({ logins });
  await assert.rejects(Promise.race([creds.get(), new Promise((_, r) => setTimeout(() => r(new Error("hung")), 5000))]), { message: "no token yet" });
  fail = false;
  assert.equal((await creds.get()).accessKeyId, "ASIA");
  alive();
});

test("token functions and credentials may return any thenable", async () => {
  const thenable = (v) => ({ then: (resolve) => resolve(v) });
  const creds = credentials({ idToken: () => thenable(idToken("b")) });
  assert.equal((await creds.get()).identityId, "us-east-1:u");
  const aws = new AwsClient({ credentials: { get: () => thenable({ accessKeyId: "A", secretAccessKey: "S" }) }, region: "us-east-1", service: "execute-api" });
  assert.equal((await aws.fetch(`${base}/x`)).status, 200);
  // myPrefix() with an identityId() that answers a plain string.
  const s3 = new S3Client({ credentials: { accessKeyId: "A", secretAccessKey: "S", identityId: () => "us-east-1:plain" }, region: "us-east-1", bucket: "bucket-b" });
  assert.equal(await s3.myPrefix("k"), "us-east-1:plain/k");
});

test("a detached buffer body is InvalidBody; headers: null is no headers", async () => {
  const aws = new AwsClient({ credentials: { accessKeyId: "A", secretAccessKey: "S" }, region: "us-east-1", service: "execute-api" });
  const buffer = new ArrayBuffer(8);
  structuredClone(buffer, { transfer: [buffer] });
  await assert.rejects(Promise.race([aws.fetch(`${base}/x`, { method: "PUT", body: buffer }), new Promise((_, r) => setTimeout(() => r(new Error("hung")), 5000))]), { name: "InvalidBody" });
  assert.equal((await aws.fetch(`${base}/x`, { headers: null })).status, 200);
  alive();
});

test("a network failure keeps fetch's own error as the cause", async () => {
  const aws = new AwsClient({ credentials: { accessKeyId: "A", secretAccessKey: "S" }, region: "us-east-1", service: "execute-api", retries: 0 });
  const e = await aws.fetch("http://127.0.0.1:9/").catch((e) => e);
  assert.equal(e.name, "Network");
  assert.ok(e.cause instanceof Error, String(e.cause));
});

test("a method called without its object, or after free(), is a typed error and the module lives on", async () => {
  const creds = credentials({ idToken: idToken("c") });
  const clear = creds.clear;
  assert.throws(() => clear(), { name: "InvalidConfig" });
  const s3 = new S3Client({ credentials: creds, region: "us-east-1", bucket: "bucket-b" });
  s3.free();
  assert.throws(() => s3.url("k"), { name: "InvalidConfig" });
  await assert.rejects(s3.listObjects(), { name: "InvalidConfig" });
  assert.equal((await creds.get()).accessKeyId, "ASIA");
  alive();
});

test("numbers given as numeric strings are read as numbers", async () => {
  const creds = credentials({ idToken: idToken("d") });
  creds.clockOffset = "1000";
  assert.equal(creds.clockOffset, 1000);
  const aws = new AwsClient({ credentials: { accessKeyId: "A", secretAccessKey: "S" }, region: "us-east-1", service: "s3", retries: "2" });
  assert.match(await aws.presign("https://b.s3.amazonaws.com/k", { expiresIn: "600" }), /X-Amz-Expires=600/);
});

test("AwsClient's region, service and retries stay writable, and signing follows them", async () => {
  const aws = new AwsClient({ credentials: { accessKeyId: "A", secretAccessKey: "S" }, region: "us-east-1", service: "s3" });
  aws.region = "eu-west-1";
  aws.retries = 1;
  assert.deepEqual([aws.region, aws.service, aws.retries], ["eu-west-1", "s3", 1]);
  assert.match(await aws.presign("https://b.s3.amazonaws.com/k"), /X-Amz-Credential=A%2F\d{8}%2Feu-west-1%2Fs3%2Faws4_request/);
});

test("an endpoint fetch cannot take (no scheme) is a typed Network error with fetch's own as its cause, not a bare TypeError", async () => {
  const pool = new UserPool({ region: "us-east-1", userPoolId: "us-east-1_R", clientId: "c", endpoint: "cognito.local" });
  await assert.rejects(pool.signIn("u", "p", { flow: "password" }), (e) => e.name === "Network" && e.cause instanceof TypeError);
});
