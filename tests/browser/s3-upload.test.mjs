// S3Client.upload in real Chromium against the devstack (cross-origin, so
// through its CORS rules): a 64 MiB upload from the page with progress
// events (within parts too, on a throttled link: parts go by XMLHttpRequest
// in a page), an abort mid-way that leaves nothing on S3, and a resume after
// the page is really reloaded mid-upload (new credentials, same identity).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";
import { startDevstack } from "../js/devstack.mjs";

const { default: init, UserPool } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

let browser, server, stack, page, c, idToken;
before(async () => {
  [browser, server, stack] = await Promise.all([launch(), serve(repoRoot), startDevstack()]);
  c = stack.config;
  const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  const user = c.users.find((u) => u.username === "user@example.com");
  idToken = (await pool.signIn(user.username, user.password)).idToken;
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
});
after(async () => {
  await browser?.close();
  server?.close();
  stack?.stop();
});

/** Loads the SDK into the page (again after a reload) with an S3Client and helpers. */
const setUp = () =>
  page.evaluate(async ({ c, idToken }) => {
    const sdk = await import("/pkg/user-pool/index.js");
    await sdk.default();
    const credentials = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, stsEndpoint: c.stsEndpoint });
    window.credentials = credentials;
    window.s3 = new sdk.S3Client({ credentials, region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint, prefix: c.s3Prefix });
    window.aws = new sdk.AwsClient({ credentials, region: c.region, service: "s3" });
    window.body = (size) => {
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i += 4096) out[i] = (i / 4096) % 256;
      return out;
    };
    window.listParts = async (key, uploadId) => {
      const path = key.split("/").map(encodeURIComponent).join("/");
      const res = await aws.fetch(`${c.s3Endpoint}/${c.bucket}/${path}?uploadId=${encodeURIComponent(uploadId)}`);
      return { status: res.status, text: await res.text() };
    };
  }, { c, idToken });

test("a 64 MiB File from the page: progress events to the end, the object whole on S3", async () => {
  await setUp();
  const out = await page.evaluate(async () => {
    const key = await s3.myPrefix("browser/64.bin");
    const data = body(64 * 1024 * 1024);
    const events = [];
    const result = await s3.upload(key, new File([data], "64.bin", { type: "application/octet-stream" }), { onProgress: (p) => events.push(p) });
    const back = new Uint8Array(await (await s3.getObject(key)).arrayBuffer());
    const same = back.length === data.length && back.every((b, i) => b === data[i]);
    const type = (await s3.getObject(key, { range: [0, 0] })).headers.get("content-type");
    await s3.deleteObject(key);
    return { result, events, same, type };
  });
  assert.equal(out.result.parts, 13);
  assert.ok(out.same, "the object is the file");
  assert.equal(out.type, "application/octet-stream");
  assert.ok(out.events.length >= 14);
  assert.equal(out.events[0].loaded, 0);
  assert.equal(out.events.at(-1).loaded, 64 * 1024 * 1024);
  assert.ok(out.events.every((e, i) => e.total === 64 * 1024 * 1024 && (i === 0 || e.loaded >= out.events[i - 1].loaded)));
});

test("on a slow link, progress comes within parts too (XMLHttpRequest's upload events)", async () => {
  const cdp = await page.context().newCDPSession(page);
  // 8 MiB/s up: a 5 MiB part takes over half a second.
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 8 * 1024 * 1024 });
  try {
    const out = await page.evaluate(async () => {
      const key = await s3.myPrefix("browser/slow.bin");
      const events = [];
      await s3.upload(key, new Blob([body(11 * 1024 * 1024)]), { concurrency: 1, onProgress: (p) => events.push(p.loaded) });
      await s3.deleteObject(key);
      return events;
    });
    const within = out.filter((loaded) => loaded % (5 * 1024 * 1024) !== 0 && loaded !== 11 * 1024 * 1024);
    assert.ok(within.length >= 2, `progress within parts: ${JSON.stringify(out)}`);
    assert.ok(out.every((loaded, i) => i === 0 || loaded >= out[i - 1]), "never backwards");
    assert.equal(out.at(-1), 11 * 1024 * 1024);
  } finally {
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
  }
});

test("Cancel mid-way: AbortError, and S3 has no upload and no object left", async () => {
  const out = await page.evaluate(async () => {
    const key = await s3.myPrefix("browser/cancelled.bin");
    const controller = new AbortController();
    let uploadId;
    const err = await s3
      .upload(key, new Blob([body(40 * 1024 * 1024)]), {
        signal: controller.signal,
        onProgress: (p) => {
          uploadId ??= p.uploadId;
          if (p.loaded > 0) controller.abort();
        },
      })
      .catch((e) => e);
    const parts = await listParts(key, uploadId);
    const object = await s3.getObject(key).catch((e) => e.name);
    return { name: err.name, parts, object };
  });
  assert.equal(out.name, "AbortError");
  assert.equal(out.parts.status, 404);
  assert.match(out.parts.text, /NoSuchUpload/);
  assert.equal(out.object, "NoSuchKey");
});

test("a reload mid-upload, then upload({ uploadId }) sends only the missing parts", async () => {
  await page.evaluate(async () => {
    const key = await s3.myPrefix("browser/reloaded.bin");
    localStorage.setItem("test:key", key);
    // Not awaited: the page is reloaded under it.
    s3.upload(key, body(30 * 1024 * 1024), {
      concurrency: 1,
      onProgress: (p) => localStorage.setItem("test:progress", JSON.stringify(p)),
    });
  });
  // Past 10 MiB, one part at a time: parts 1 and 2 are on S3 (at 10 MiB exactly, part 2 may be
  // all sent but not yet answered: a Blob body's progress runs ahead of S3's answer).
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("test:progress") ?? "{}").loaded > 10 * 1024 * 1024, null, { timeout: 60_000 });
  await page.reload();
  await setUp();
  const out = await page.evaluate(async () => {
    const key = localStorage.getItem("test:key");
    const { uploadId } = JSON.parse(localStorage.getItem("test:progress"));
    // Count the parts sent (they go by XMLHttpRequest in a page).
    let sends = 0;
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (b) {
      sends++;
      return send.call(this, b);
    };
    const events = [];
    const result = await s3.upload(key, body(30 * 1024 * 1024), { uploadId, onProgress: (p) => events.push(p) });
    const back = new Uint8Array(await (await s3.getObject(key)).arrayBuffer());
    const data = body(30 * 1024 * 1024);
    const same = back.length === data.length && back.every((b, i) => b === data[i]);
    await s3.deleteObject(key);
    XMLHttpRequest.prototype.send = send;
    return { result, uploadId, sends, same };
  });
  assert.equal(out.result.uploadId, out.uploadId);
  assert.equal(out.result.parts, 6);
  assert.ok(out.same, "the object is the body");
  assert.ok(out.sends >= 1 && out.sends <= 4, `parts sent after the reload: ${out.sends} of 6`);
});
