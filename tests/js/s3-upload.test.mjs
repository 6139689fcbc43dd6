// S3Client.upload in Node against the devstack's S3 (s3s, with AWS's
// multipart rules and IAM): a 64 MiB upload with progress and bounded
// concurrency, an abort that leaves nothing behind, a resume from the
// uploadId, streams, and putObject switching to multipart above 16 MiB.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";

const { default: init, UserPool, CognitoIdentityCredentials, AwsClient, S3Client } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

const MIB = 1024 * 1024;
let stack, c, idToken;
before(async () => {
  stack = await startDevstack();
  c = stack.config;
  const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  const user = c.users.find((u) => u.username === "user@example.com");
  idToken = (await pool.signIn(user.username, user.password)).idToken;
});
after(() => stack?.stop());

const credentials = () =>
  new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, stsEndpoint: c.stsEndpoint, storage: "memory" });
const s3For = (creds = credentials()) => new S3Client({ credentials: creds, region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint, prefix: c.s3Prefix });

/** Bytes that differ part to part, so a part in the wrong place shows. */
const body = (size, seed = 0) => {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) out[i] = (i / 4096 + seed) % 256;
  return out;
};

/** Every request fetch sees while `f` runs, and the most UploadParts in flight at once. */
async function watching(f) {
  const realFetch = globalThis.fetch;
  const seen = [];
  let inFlight = 0, most = 0;
  globalThis.fetch = async (request, init) => {
    const url = new URL(request.url ?? request);
    const part = request.method === "PUT" && url.searchParams.has("partNumber");
    seen.push({ method: request.method, url, sha: request.headers?.get?.("x-amz-content-sha256") });
    if (part) most = Math.max(most, ++inFlight);
    try {
      return await realFetch(request, init);
    } finally {
      if (part) inFlight--;
    }
  };
  try {
    return { result: await f(), seen, most };
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** S3's answer about an upload id (ListParts) and this user's uploads in progress (ListMultipartUploads). */
async function leftovers(creds, key, uploadId) {
  const client = new AwsClient({ credentials: creds, region: c.region, service: "s3" });
  const base = `${c.s3Endpoint}/${c.bucket}`;
  const path = key.split("/").map(encodeURIComponent).join("/");
  const parts = await client.fetch(`${base}/${path}?uploadId=${encodeURIComponent(uploadId)}`);
  const prefix = key.slice(0, key.lastIndexOf("/") + 1);
  const uploads = await client.fetch(`${base}?uploads=&prefix=${encodeURIComponent(prefix)}`);
  return { partsStatus: parts.status, partsText: await parts.text(), uploads: await uploads.text() };
}

test("upload: 64 MiB in parts with progress, at most `concurrency` parts at once, read back whole", async () => {
  const s3 = s3For();
  const key = await s3.myPrefix("upload/64.bin");
  const data = body(64 * MIB);
  const events = [];
  const { result, seen, most } = await watching(() =>
    s3.upload(key, new Blob([data], { type: "application/octet-stream" }), { concurrency: 3, onProgress: (p) => events.push(p) }),
  );
  assert.equal(result.parts, 13); // 5 MiB parts
  assert.match(result.etag, /^"[0-9a-f]{32}-13"$/);
  assert.ok(result.uploadId);
  assert.ok(most >= 2 && most <= 3, `parts in flight at once: ${most}`);
  const parts = seen.filter((r) => r.method === "PUT");
  assert.equal(parts.length, 13);
  assert.ok(parts.every((r) => /^[0-9a-f]{64}$/.test(r.sha)), "each part is sent with its own hash");
  assert.ok(events.length >= 14, `progress events: ${events.length}`);
  assert.deepEqual(events[0], { loaded: 0, total: 64 * MIB, uploadId: result.uploadId });
  for (let i = 1; i < events.length; i++) assert.ok(events[i].loaded >= events[i - 1].loaded);
  assert.equal(events.at(-1).loaded, 64 * MIB);
  const back = new Uint8Array(await (await s3.getObject(key)).arrayBuffer());
  assert.equal(back.length, data.length);
  assert.ok(Buffer.from(back).equals(Buffer.from(data)), "the object is the body");
  const listed = await s3.listObjects({ prefix: key });
  assert.deepEqual(listed.objects.map((o) => o.size), [64 * MIB]);
  await s3.deleteObject(key);
});

test("upload: an abort mid-way rejects with the signal's reason and leaves no upload and no parts", async () => {
  const creds = credentials();
  const s3 = s3For(creds);
  const key = await s3.myPrefix("upload/aborted.bin");
  const controller = new AbortController();
  let uploadId;
  const err = await s3
    .upload(key, body(30 * MIB), {
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => {
        uploadId ??= p.uploadId;
        if (p.loaded >= 5 * MIB) controller.abort();
      },
    })
    .catch((e) => e);
  assert.equal(err.name, "AbortError");
  assert.ok(uploadId);
  const left = await leftovers(creds, key, uploadId);
  assert.equal(left.partsStatus, 404);
  assert.match(left.partsText, /NoSuchUpload/);
  assert.doesNotMatch(left.uploads, /<UploadId>/);
  await assert.rejects(s3.getObject(key), { name: "NoSuchKey" });
  // Aborted before it starts: nothing is sent at all.
  const { result, seen } = await watching(() => s3.upload(key, body(12 * MIB), { signal: AbortSignal.abort() }).catch((e) => e));
  assert.equal(result.name, "AbortError");
  assert.equal(seen.filter((r) => r.method !== "GET" && r.url.pathname.includes("upload/")).length, 0);
});

test("upload: a failed upload left on S3 resumes from its uploadId with new credentials, sending only the missing parts", async () => {
  const s3 = s3For();
  const key = await s3.myPrefix("upload/resumed.bin");
  const data = body(23 * MIB, 7);
  const controller = new AbortController();
  const err = await s3
    .upload(key, data, {
      concurrency: 1,
      leavePartsOnError: true,
      signal: controller.signal,
      onProgress: (p) => p.loaded >= 10 * MIB && controller.abort(),
    })
    .catch((e) => e);
  assert.equal(err.name, "AbortError");
  assert.ok(err.uploadId, "the error says which upload to resume");
  // As after a reload: another provider, so other temporary keys, for the same identity.
  const again = s3For(credentials());
  const events = [];
  const { result, seen } = await watching(() => again.upload(key, data, { uploadId: err.uploadId, onProgress: (p) => events.push(p) }));
  assert.equal(result.uploadId, err.uploadId);
  assert.equal(result.parts, 5);
  const sent = seen.filter((r) => r.method === "PUT").map((r) => Number(r.url.searchParams.get("partNumber")));
  assert.ok(sent.length <= 3 && !sent.includes(1) && !sent.includes(2), `parts sent again: ${sent}`);
  assert.ok(events[0].loaded === 0 && events.some((e) => e.loaded >= 10 * MIB && e.loaded < 23 * MIB));
  assert.equal(events.at(-1).loaded, 23 * MIB);
  const back = new Uint8Array(await (await again.getObject(key)).arrayBuffer());
  assert.ok(Buffer.from(back).equals(Buffer.from(data)));
  await again.deleteObject(key);
  // An id S3 does not know is S3's typed error, with advice.
  await assert.rejects(again.upload(key, data, { uploadId: "not-an-upload" }), (e) => e.name === "NoSuchUpload" && e.status === 404);
});

test("upload: a ReadableStream of odd chunks, of unknown size, in parts", async () => {
  const s3 = s3For();
  const key = await s3.myPrefix("upload/stream.bin");
  const data = body(11 * MIB + 12345, 3);
  let at = 0;
  const stream = new ReadableStream({
    pull(controller) {
      const n = Math.min(777_777, data.length - at);
      if (n === 0) return controller.close();
      controller.enqueue(data.slice(at, at + n));
      at += n;
    },
  });
  const events = [];
  const result = await s3.upload(key, stream, { contentType: "application/x-test", onProgress: (p) => events.push(p) });
  assert.equal(result.parts, 3);
  assert.ok(events.every((e) => e.total === undefined));
  assert.equal(events.at(-1).loaded, data.length);
  const got = await s3.getObject(key);
  assert.equal(got.headers.get("content-type"), "application/x-test");
  assert.ok(Buffer.from(new Uint8Array(await got.arrayBuffer())).equals(Buffer.from(data)));
  // A short stream is one PUT.
  const small = await s3.upload(key, new Blob(["tiny"]).stream());
  assert.deepEqual([small.parts, small.uploadId], [1, undefined]);
  assert.equal(await (await s3.getObject(key)).text(), "tiny");
  await s3.deleteObject(key);
});

test("putObject: above 16 MiB a multipart upload, each part hashed; options are checked before anything is sent", async () => {
  const s3 = s3For();
  const key = await s3.myPrefix("upload/put-big.bin");
  const data = body(17 * MIB, 9);
  const { result, seen } = await watching(() => s3.putObject(key, data));
  assert.equal(result.parts, 4);
  assert.ok(seen.filter((r) => r.method === "PUT").every((r) => /^[0-9a-f]{64}$/.test(r.sha)));
  const back = new Uint8Array(await (await s3.getObject(key)).arrayBuffer());
  assert.ok(Buffer.from(back).equals(Buffer.from(data)));
  // Up to 16 MiB, one PUT (more than one part's worth), with its progress.
  const events = [];
  const mid = await watching(() => s3.putObject(key, body(6 * MIB), { onProgress: (p) => events.push(p) }));
  assert.deepEqual([mid.result.parts, mid.result.uploadId, mid.seen.filter((r) => r.method === "PUT").length], [1, undefined, 1]);
  assert.deepEqual(events, [{ loaded: 6 * MIB, total: 6 * MIB }]);
  await s3.deleteObject(key);
  for (const [options, words] of [
    [{ partSize: 1024 }, /partSize must be a whole number of bytes from 5 MiB/],
    [{ concurrency: 0 }, /concurrency must be a whole number from 1 to 16/],
    [{ onProgress: "yes" }, /onProgress must be a function/],
    [{ signal: {} }, /signal must be an AbortSignal/],
  ]) {
    await assert.rejects(s3.upload(key, data, options), (e) => e.name === "InvalidConfig" && words.test(e.message), JSON.stringify(options));
  }
  await assert.rejects(s3.upload(key, { not: "a body" }), { name: "InvalidBody" });
});
