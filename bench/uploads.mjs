// Uploads, for `npm run bench` (after the devstack is built): wasm memory
// before and after a 300 MiB upload in Node (S3Client.upload of bytes against
// a local HTTP server that answers S3's multipart protocol and keeps nothing),
// and the longest main-thread task in Chromium (PerformanceObserver
// "longtask") while a page uploads a 64 MiB File with onProgress (its parts
// go by XMLHttpRequest) to the devstack's S3. Prints a markdown table on
// stdout; progress goes to stderr.
//   node bench/uploads.mjs
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../scripts/serve.mjs";
import { launch } from "../tests/browser/chromium.mjs";
import { startDevstack } from "../tests/js/devstack.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MiB = 1 << 20;
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
setTimeout(() => {
  log("uploads: timed out after 5 minutes");
  process.exit(1);
}, 5 * 60_000).unref();

const { default: init, S3Client, UserPool } = await import(join(ROOT, "pkg/user-pool/index.js"));
await init();
// The module's exports (the glue answers them again once instantiated): its memory.
const { default: glueInit } = await import(join(ROOT, "pkg/user-pool/cognito_sigv4_wasm.js"));
const wasm = await glueInit();

/** wasm memory (bytes) before and after a 300 MiB upload of bytes, 4 parts at a time, in Node. */
async function nodeMemory() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const q = new URL(req.url, "http://x").searchParams;
      const xml = (s) => (res.writeHead(200, { "content-type": "application/xml" }), res.end(`<?xml version="1.0" encoding="UTF-8"?>${s}`));
      if (req.method === "POST" && q.has("uploads")) return xml("<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>");
      if (req.method === "PUT" && q.has("partNumber")) return res.writeHead(200, { etag: `"part-${q.get("partNumber")}"` }), res.end();
      if (req.method === "POST" && q.has("uploadId")) return xml('<CompleteMultipartUploadResult><ETag>"done-60"</ETag></CompleteMultipartUploadResult>');
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const s3 = new S3Client({ credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, region: "us-east-1", bucket: "bench", endpoint: `http://127.0.0.1:${server.address().port}`, forcePathStyle: true });
    const body = new Uint8Array(300 * MiB);
    for (let i = 0; i < body.length; i += 4096) body[i] = i & 255;
    const before = wasm.memory.buffer.byteLength;
    const started = performance.now();
    const done = await s3.upload("bench-300.bin", body, { concurrency: 4 });
    return { before, after: wasm.memory.buffer.byteLength, parts: done.parts, ms: performance.now() - started };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Long tasks (ms) on a Chromium page's main thread while it uploads 64 MiB to the devstack. */
async function chromiumLongTasks() {
  const [browser, server, stack] = await Promise.all([launch(), serve(ROOT), startDevstack([], {}, { quiet: true })]);
  try {
    const c = stack.config;
    const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
    const user = c.users.find((u) => u.username === "user@example.com");
    const { idToken } = await pool.signIn(user.username, user.password);
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
    return {
      version: browser.version(),
      ...(await page.evaluate(
        async ({ c, idToken }) => {
          const sdk = await import("/pkg/user-pool/index.js");
          await sdk.default();
          const credentials = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, stsEndpoint: c.stsEndpoint });
          const s3 = new sdk.S3Client({ credentials, region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint, prefix: c.s3Prefix });
          const key = await s3.myPrefix("bench/64.bin");
          const data = new Uint8Array(64 * 1024 * 1024);
          for (let i = 0; i < data.length; i += 4096) data[i] = (i / 4096) % 256;
          const file = new File([data], "64.bin", { type: "application/octet-stream" });
          await new Promise((r) => setTimeout(r, 50));
          const tasks = [];
          const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
          observer.observe({ type: "longtask" });
          const started = performance.now();
          let events = 0;
          const done = await s3.upload(key, file, { onProgress: () => events++ });
          const ms = performance.now() - started;
          await new Promise((r) => setTimeout(r, 100));
          observer.disconnect();
          await s3.deleteObject(key);
          return { tasks, ms, events, parts: done.parts };
        },
        { c, idToken },
      )),
    };
  } finally {
    await browser.close();
    server.close();
    stack.stop();
  }
}

log("uploads: 300 MiB in Node (wasm memory)");
const node = await nodeMemory();
log("uploads: 64 MiB from a Chromium page to the devstack (long tasks)");
const chromium = await chromiumLongTasks();
const longest = Math.max(0, ...chromium.tasks);
const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

console.log(`\n## Uploads\n`);
console.log("| Upload | Measured | Target |\n| --- | ---: | --- |");
console.log(`| Node ${process.version}: wasm memory before / after a 300 MiB upload of bytes (S3Client.upload, ${node.parts} parts, 4 at a time, local fake S3) | ${mib(node.before)} / ${mib(node.after)} ${node.after <= node.before + 16 * MiB ? "✓" : "✗"} | grows by ≤ 16 MiB |`);
console.log(`| Chromium ${chromium.version}: longest main-thread task while a page uploads a 64 MiB File with onProgress to the devstack (${chromium.parts} parts by XMLHttpRequest, ${(chromium.ms / 1000).toFixed(1)} s) | ${longest.toFixed(0)} ms ${longest <= 50 ? "✓" : "✗"} | ≤ 50 ms |`);
console.log(`| Chromium: long tasks (over 50 ms) during that upload | ${chromium.tasks.length} | 0 |`);
