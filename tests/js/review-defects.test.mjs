// Regression tests for the defects an outside review found (issue "Security and
// reliability defects"): each drives the built package (pkg/) as a user would,
// against a local HTTP server that plays Cognito Identity, API Gateway or S3,
// so that the same tests guard any later shell. Each failed before its fix.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";

const pkgPath = join(repoRoot, "pkg/index.js");
const { default: init, CognitoIdentityCredentials, AwsClient, S3Client, Signer, sha256 } = await import(pkgPath);
await init();

const POOL = "us-east-1:00000000-0000-0000-0000-000000000000";
const ISS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Review";
const b64url = (s) => Buffer.from(s).toString("base64url");
/** An IdToken as the SDK reads it (it never checks signatures: AWS does). */
const idToken = (sub) => [b64url('{"alg":"RS256"}'), b64url(JSON.stringify({ sub, iss: ISS, token_use: "id", exp: 9999999999 })), "c2lnbmF0dXJl"].join(".");
const subOf = (token) => {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url")).sub ?? token;
  } catch {
    return token;
  }
};

// The server: a Cognito Identity pool that gives each user (the token's sub, or
// the opaque token itself) their own IdentityId and keys, unless `next` says
// otherwise; every other path answers from `script` (AwsClient, S3Client tests).
let server, base, seen = [], next = [], script = [];
before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString();
      const target = req.headers["x-amz-target"]?.split(".").pop();
      seen.push({ method: req.method, url: req.url, headers: req.headers, body, target });
      if (!target) {
        const [status, text, headers = {}] = script.shift() ?? [200, "ok"];
        res.writeHead(status, headers);
        return res.end(text);
      }
      const plan = next.shift();
      if (plan) return plan(res, target, body);
      const doc = JSON.parse(body);
      const who = subOf(Object.values(doc.Logins ?? {})[0] ?? "guest");
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      if (target === "GetId") return res.end(JSON.stringify({ IdentityId: `us-east-1:${who}` }));
      assert.equal(doc.IdentityId, `us-east-1:${who}`, `${who}'s logins came with another user's IdentityId`);
      res.end(JSON.stringify({
        IdentityId: doc.IdentityId,
        Credentials: { AccessKeyId: `ASIA-${who}`, SecretKey: "S", SessionToken: "T", Expiration: Date.now() / 1000 + 3600 },
      }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

/** A Storage that records what is written. */
function recordingStorage() {
  const map = new Map();
  const writes = [];
  return { writes, map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => (writes.push([k, v]), map.set(k, v)), removeItem: (k) => map.delete(k) };
}

const deferred = () => {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
};

const credentials = (extra = {}) => new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: POOL, endpoint: base, ...extra });

// 1. One user's credentials never reach the next.

test("user B never receives user A's credentials: a new user's token means a new exchange", async () => {
  seen = [];
  let user = "alice";
  const storage = recordingStorage();
  const creds = credentials({ idToken: () => idToken(user), storage });
  assert.equal((await creds.get()).accessKeyId, "ASIA-alice");
  user = "bob"; // the app's token function now returns Bob's token; no clear()
  const bob = await creds.get();
  assert.equal(bob.accessKeyId, "ASIA-bob");
  assert.equal(bob.identityId, "us-east-1:bob");
  assert.equal(await creds.identityId(), "us-east-1:bob");
  assert.deepEqual(seen.map((r) => r.target), ["GetId", "GetCredentialsForIdentity", "GetId", "GetCredentialsForIdentity"]);
  assert.equal(storage.map.get(`cognito-sigv4:identity:${POOL}:bob`), "us-east-1:bob");
  // Bob again, with a fresh token: cached, no request.
  seen = [];
  assert.equal((await creds.get()).accessKeyId, "ASIA-bob");
  assert.equal(seen.length, 0);
});

test("clear() while the async idToken is pending: the late exchange is dropped and nothing is stored", async () => {
  seen = [];
  const storage = recordingStorage();
  const token = deferred();
  let slow = true;
  const creds = credentials({ idToken: () => (slow ? token.promise : idToken("bob")), storage });
  const pending = creds.get();
  await new Promise((r) => setTimeout(r, 20));
  creds.clear(); // Alice signs out while her token is still coming
  slow = false;
  token.resolve(idToken("alice"));
  await assert.rejects(pending, (e) => e.name === "Cancelled" && e.code === "Cancelled");
  assert.equal(seen.length, 0, "Alice's late token was never sent");
  assert.deepEqual(storage.writes, []);
  // Bob signs in on the same page.
  assert.equal((await creds.get()).accessKeyId, "ASIA-bob");
  assert.deepEqual(storage.writes, [[`cognito-sigv4:identity:${POOL}:bob`, "us-east-1:bob"]]);
});

test("clear() while GetId is in flight: its answer is dropped and nothing is stored under the old user", async () => {
  seen = [];
  const storage = recordingStorage();
  const answered = deferred();
  next = [(res) => setTimeout(() => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
    res.end('{"IdentityId":"us-east-1:alice"}');
    answered.resolve();
  }, 150)];
  let user = "alice";
  const creds = credentials({ idToken: async () => idToken(user), storage });
  const pending = creds.get();
  await new Promise((r) => setTimeout(r, 50));
  creds.clear();
  user = "bob";
  const bob = creds.get(); // Bob's exchange starts while Alice's GetId is still out
  await assert.rejects(pending, (e) => e.name === "Cancelled");
  assert.equal((await bob).accessKeyId, "ASIA-bob");
  await answered.promise;
  assert.ok(!storage.map.has(`cognito-sigv4:identity:${POOL}:alice`), "nothing stored for Alice after her sign-out");
  assert.deepEqual(storage.writes, [[`cognito-sigv4:identity:${POOL}:bob`, "us-east-1:bob"]]);
});

test("opaque logins (no subject) are bound by token and their IdentityId is never persisted", async () => {
  seen = [];
  const storage = recordingStorage();
  let token = "opaque-token-of-alice";
  const creds = credentials({ logins: { "graph.facebook.com": () => token }, storage });
  assert.equal((await creds.get()).identityId, "us-east-1:opaque-token-of-alice");
  token = "opaque-token-of-bob";
  const bob = await creds.get();
  assert.equal(bob.identityId, "us-east-1:opaque-token-of-bob", "Bob's token is not sent with Alice's IdentityId");
  assert.deepEqual(storage.writes, [], "an IdentityId tied to no user stays in memory");
});

// 2. A trap never freezes the page.

test("after a trap every call answers ModuleFailed, and a pending get() settles instead of hanging", async () => {
  // A child process, as the module stays failed for good. A wasm export
  // behaves as a trap does (throws a RuntimeError) while a credential
  // exchange waits on a server that never answers: the waiting get() must
  // settle with ModuleFailed at once, and every later call answer it.
  const dir = mkdtempSync(join(tmpdir(), "trap-"));
  const script = join(dir, "trap.mjs");
  writeFileSync(script, `
    import { createServer } from "node:http";
    // init() instantiates bytes with new WebAssembly.Instance (the glue's
    // initSync) and a URL or Response with WebAssembly.instantiate: both wrapped.
    const realInstantiate = WebAssembly.instantiate, RealInstance = WebAssembly.Instance;
    let trapNext = false;
    const wrap = (instance) => {
      const raw = instance?.exports;
      if (!raw?.rawsigner_sign) return instance; // not ours (undici compiles its own wasm)
      return { exports: { ...raw, rawsigner_sign: (...a) => {
        if (trapNext) { trapNext = false; throw new WebAssembly.RuntimeError("unreachable"); }
        return raw.rawsigner_sign(...a);
      } } };
    };
    WebAssembly.instantiate = async (...args) => {
      const result = await realInstantiate(...args);
      return result.instance ? { module: result.module, instance: wrap(result.instance) } : result;
    };
    WebAssembly.Instance = function (module, imports) {
      return wrap(new RealInstance(module, imports));
    };
    const silent = createServer(() => {}); // takes the request, never answers
    await new Promise((r) => silent.listen(0, "127.0.0.1", r));
    const { default: init, CognitoIdentityCredentials, Signer } = await import(${JSON.stringify(pkgPath)});
    await init();
    const signer = new Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" });
    const creds = new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: ${JSON.stringify(POOL)}, endpoint: "http://127.0.0.1:" + silent.address().port, idToken: ${JSON.stringify(idToken("carol"))}, storage: "memory", timeoutMs: 60000 });
    const pending = creds.get().then(() => "ok", (e) => e.name);
    await new Promise((r) => setTimeout(r, 300));
    trapNext = true;
    const names = [];
    try { signer.sign({ url: "https://b.s3.amazonaws.com/k" }); names.push("ok"); } catch (e) { names.push(e.name); }
    names.push(await pending);
    names.push(await creds.get().then(() => "ok", (e) => e.name));
    try { new Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" }); names.push("ok"); } catch (e) { names.push(e.name); }
    console.log(JSON.stringify(names));
    process.exit(0);
  `);
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, [script], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.killed ? "hung (killed after 20 s)" : err.message}\n${stderr}`)) : resolve(stdout)));
  });
  assert.deepEqual(JSON.parse(out), ["ModuleFailed", "ModuleFailed", "ModuleFailed", "ModuleFailed"]);
});

test("a storage that calls back into its provider gets a typed error, never a trap", async () => {
  const seen = [];
  const map = new Map();
  let creds;
  const storage = {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => {
      // Reentrant: the provider is in the middle of storing the IdentityId.
      for (const f of [() => creds.clear(), () => creds.clockOffset, () => (creds.clockOffset = 0)]) {
        try {
          f();
          seen.push("ok");
        } catch (e) {
          seen.push(e.name);
        }
      }
      map.set(k, v);
    },
    removeItem: (k) => map.delete(k),
  };
  creds = credentials({ idToken: idToken("grace"), storage });
  assert.equal((await creds.get()).accessKeyId, "ASIA-grace");
  assert.deepEqual(seen, ["InvalidConfig", "InvalidConfig", "InvalidConfig"]);
  // The module is whole: the same provider and a new signer still work.
  creds.clear();
  assert.equal((await creds.get()).accessKeyId, "ASIA-grace");
  assert.ok(new Signer({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" }));
});

// 3. Addresses above 2 GiB.

test("more than 1 GiB to hash in memory is InvalidBody, never wrong bytes", { timeout: 120_000 }, () => {
  const big = new Uint8Array(2 ** 30 + 1);
  assert.throws(() => sha256(big), (e) => e.name === "InvalidBody" && /unsignedPayload|WebCrypto/.test(e.message));
  const signer = new Signer({ accessKeyId: "AKID", secretAccessKey: "secret", region: "us-east-1", service: "execute-api" });
  assert.throws(() => signer.sign({ method: "PUT", url: "https://a.example/", body: big }), (e) => e.name === "InvalidBody");
  // Below the limit the module's memory grows past what it was; hashes stay right.
  for (const size of [150e6, 300e6]) {
    const data = new Uint8Array(size).fill(size % 251);
    assert.equal(sha256(data), createHash("sha256").update(data).digest("hex"), `${size} bytes`);
  }
  assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

// 4. CORS does not depend on the body's size.

test("a precomputed payload hash adds no x-amz-content-sha256 outside S3, and signs as the body would", async () => {
  const signer = new Signer({ accessKeyId: "AKID", secretAccessKey: "secret", region: "us-east-1", service: "execute-api" });
  const body = "x".repeat(100_000);
  const hash = createHash("sha256").update(body).digest("hex");
  const withHash = signer.sign({ method: "POST", url: "https://a.execute-api.us-east-1.amazonaws.com/v1/x", payloadHash: hash, date: 0 });
  const withBody = signer.sign({ method: "POST", url: "https://a.execute-api.us-east-1.amazonaws.com/v1/x", body, date: 0 });
  assert.equal(withHash.headers["x-amz-content-sha256"], undefined);
  assert.equal(withHash.headers.authorization, withBody.headers.authorization);
  // Asked for, it is there; for S3 it always is.
  assert.equal(signer.sign({ method: "POST", url: "https://a.example/", payloadHash: hash, contentSha256: true }).headers["x-amz-content-sha256"], hash);
  // AwsClient: a small and a large body send the same set of headers.
  const aws = new AwsClient({ credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, region: "us-east-1", service: "execute-api" });
  seen = [];
  script = [[200, "ok"], [200, "ok"]];
  await aws.fetch(`${base}/v1/small`, { method: "POST", body: "{}" });
  await aws.fetch(`${base}/v1/large`, { method: "POST", body: "x".repeat(200_000) });
  const signedHeaders = seen.map((r) => /SignedHeaders=([^,]+)/.exec(r.headers.authorization)[1]);
  assert.equal(signedHeaders[0], signedHeaders[1]);
  assert.ok(seen.every((r) => !("x-amz-content-sha256" in r.headers)));
});

// 5. AwsClient.fetch(Request) is a drop-in.

test("AwsClient.fetch(Request) retries with the body intact and keeps the Request's options", async () => {
  const aws = new AwsClient({ credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, region: "us-east-1", service: "execute-api" });
  seen = [];
  script = [[503, "busy"], [200, "ok"]];
  const res = await aws.fetch(new Request(`${base}/v1/items`, { method: "POST", body: "payload" }));
  assert.equal(res.status, 200);
  assert.deepEqual(seen.map((r) => r.body), ["payload", "payload"]);
  // redirect: "manual" is kept (without it the redirect would be followed).
  seen = [];
  script = [[302, "", { location: `${base}/elsewhere` }]];
  const manual = await aws.fetch(new Request(`${base}/v1/moved`, { redirect: "manual" }));
  assert.equal(manual.status, 302);
  assert.equal(seen.length, 1);
  // An aborted signal: nothing is sent, the abort comes back.
  seen = [];
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(aws.fetch(new Request(`${base}/v1/items`, { signal: controller.signal })), (e) => e.name === "AbortError");
  await assert.rejects(aws.fetch(`${base}/v1/items`, { signal: controller.signal }), (e) => e.name === "AbortError");
  assert.equal(seen.length, 0);
});

// 6. Timeouts cover the body; answers have a size cap.

test("timeoutMs covers a stalled body, for every caller of the shared exchange", { timeout: 30_000 }, async () => {
  const stalled = (res) => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": "100" });
    res.write('{"IdentityId":');
    // ...and never more.
  };
  next = [stalled, stalled, stalled, stalled];
  const creds = credentials({ idToken: idToken("dave"), storage: "memory", timeoutMs: 300 });
  const started = Date.now();
  const results = await Promise.allSettled([creds.get(), creds.get(), creds.get()]);
  assert.ok(results.every((r) => r.status === "rejected" && r.reason.name === "Timeout"), JSON.stringify(results.map((r) => r.reason?.name)));
  assert.ok(Date.now() - started < 15_000);
  next = [];
});

test("timeoutMs holds where the platform has no AbortSignal.timeout (Safari before 16): a timer aborts instead", { timeout: 30_000 }, async () => {
  const stalled = (res) => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": "100" });
    res.write('{"IdentityId":');
  };
  next = [stalled, stalled, stalled, stalled];
  const original = AbortSignal.timeout;
  delete AbortSignal.timeout;
  try {
    assert.equal(AbortSignal.timeout, undefined);
    const creds = credentials({ idToken: idToken("dave2"), storage: "memory", timeoutMs: 300 });
    const e = await creds.get().catch((e) => e);
    assert.equal(e.name, "Timeout", String(e));
  } finally {
    AbortSignal.timeout = original;
    next = [];
  }
});

test("an oversized answer is Malformed, and the module keeps working", async () => {
  next = [(res) => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
    res.end(`{"IdentityId":"${"x".repeat(2 << 20)}"}`);
  }];
  const creds = credentials({ idToken: idToken("erin"), storage: "memory" });
  await assert.rejects(creds.get(), (e) => e.name === "Malformed");
  assert.equal((await creds.get()).accessKeyId, "ASIA-erin");
});

// 7. The clock offset is bounded, and learned from the signed host only.

test("an answer dated 1970 is ClockSkew, not expired credentials made fresh", async () => {
  next = [(res) => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1", date: "Thu, 01 Jan 1970 00:00:00 GMT" });
    res.end('{"IdentityId":"us-east-1:frank"}');
  }];
  const creds = credentials({ idToken: idToken("frank"), storage: "memory" });
  await assert.rejects(creds.get(), (e) => e.name === "ClockSkew" && /clock/.test(e.message));
  assert.equal(creds.clockOffset, 0);
  for (const bad of [Number.MAX_SAFE_INTEGER, -1e15, 2 ** 63, NaN, 24 * 3600_000 + 1]) {
    assert.throws(() => (creds.clockOffset = bad), (e) => e.name === "ClockSkew", String(bad));
  }
  creds.clockOffset = 3600_000;
  assert.equal(creds.clockOffset, 3600_000);
});

test("AwsClient: a skew of more than a day is ClockSkew; a redirected host's skew answer teaches nothing", async () => {
  const aws = new AwsClient({ credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, region: "us-east-1", service: "execute-api" });
  seen = [];
  script = [[403, '{"message":"Signature expired: 20200101T000000Z is now earlier than 19700101T000000Z (19700101T001500Z - 15 min.)"}', { date: "Thu, 01 Jan 1970 00:00:00 GMT" }]];
  await assert.rejects(aws.fetch(`${base}/v1/x`), (e) => e.name === "ClockSkew");
  // A redirect to another host whose answer claims skew: returned as is, not re-signed.
  const other = createServer((req, res) => {
    res.writeHead(403, { date: new Date(Date.now() + 3600_000).toUTCString() });
    res.end('{"message":"Signature expired: x (20300101T000000Z - 5 min.)"}');
  });
  await new Promise((r) => other.listen(0, "localhost", r));
  try {
    seen = [];
    script = [[307, "", { location: `http://localhost:${other.address().port}/x` }]];
    const res = await aws.fetch(`${base}/v1/x`);
    assert.equal(res.status, 403);
    assert.equal(seen.length, 1, "no re-signed retry");
  } finally {
    other.close();
  }
});

// 8. Hostile endpoints cannot spoof error fields.

test("a spoofed __type cannot forge err.status or the name", async () => {
  next = [(res) => {
    res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
    res.end('{"__type":"NotAuthorizedException\\n200","message":"m"}');
  }];
  const creds = credentials({ idToken: idToken("grace"), storage: "memory" });
  await assert.rejects(creds.get(), (e) => e.name === "BadRequest" && e.status === 400);
});

test("a NUL in an S3 listing is Malformed, not a shifted field", async () => {
  const s3 = new S3Client({ credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, region: "us-east-1", bucket: "bucket-b", endpoint: base, forcePathStyle: true });
  script = [[200, "<ListBucketResult><Contents><Key>a&#0;999&#0;evil</Key><Size>1</Size></Contents></ListBucketResult>", { "content-type": "application/xml" }]];
  await assert.rejects(s3.listObjects({ prefix: "" }), (e) => e.name === "Malformed");
});

// 9. A getter cannot reach a freed handle.

test("a getter of the request that frees the signer gets a typed error, not a trap", () => {
  for (const op of ["sign", "presign"]) {
    for (const field of op === "sign" ? ["date", "headers", "url", "body"] : ["date", "headers", "url", "expiresIn"]) {
      const signer = new Signer({ accessKeyId: "AKID", secretAccessKey: "secret", region: "us-east-1", service: "s3" });
      const request = { method: "GET", url: "https://b.s3.amazonaws.com/k" };
      Object.defineProperty(request, field, {
        get() {
          signer.free();
          return field === "url" ? "https://b.s3.amazonaws.com/k" : undefined;
        },
      });
      assert.throws(() => signer[op](request), (e) => e.name === "InvalidConfig" && /freed/.test(e.message), `${op} ${field}`);
      assert.throws(() => signer[op]({ url: "https://b.s3.amazonaws.com/k" }), (e) => /freed/.test(e.message), "freed stays freed");
    }
  }
  // The module is fine afterwards.
  const signer = new Signer({ accessKeyId: "AKID", secretAccessKey: "secret", region: "us-east-1", service: "s3" });
  assert.match(signer.sign({ url: "https://b.s3.amazonaws.com/k" }).headers.authorization, /^AWS4-HMAC-SHA256 /);
});

test("an S3 listing larger than any S3 answer is Malformed, refused unread", async () => {
  const s3 = new S3Client({ credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, region: "us-east-1", bucket: "bucket-b", endpoint: base, forcePathStyle: true });
  script = [[200, `<ListBucketResult>${"<x/>".repeat(5 << 20)}</ListBucketResult>`, { "content-type": "application/xml" }]];
  await assert.rejects(s3.listObjects({ prefix: "" }), (e) => e.name === "Malformed" && /larger than/.test(e.message));
});
