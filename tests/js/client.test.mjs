// AwsClient against a local HTTP server that plays an AWS endpoint: retries of
// throttling and 5xx (not of 4xx), and clock-skew correction from a
// "Signature expired" answer, re-signed with the corrected time once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";
import { parseAmzDate } from "./suite.mjs";

const { default: init, AwsClient } = await import(join(repoRoot, "pkg/index.js"));
await init();

const keys = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "token" };
let server, base, script = [], seen = [];
before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const [status, text, headers = {}] = script.shift() ?? [200, "ok"];
      res.writeHead(status, headers);
      res.end(text);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

const client = (extra = {}) => new AwsClient({ credentials: keys, region: "us-east-1", service: "execute-api", ...extra });

test("retries throttling and 5xx, then answers", async () => {
  script = [[429, "slow down"], [503, "busy"]];
  seen = [];
  const res = await client().fetch(`${base}/v1/items`);
  assert.equal(res.status, 200);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((r) => /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//.test(r.headers.authorization)));
});

test("never retries 4xx caller errors, and gives up after `retries`", async () => {
  script = [[400, "bad"]];
  seen = [];
  assert.equal((await client().fetch(`${base}/x`)).status, 400);
  assert.equal(seen.length, 1);
  script = [[500, "a"], [500, "b"], [500, "c"]];
  seen = [];
  assert.equal((await client({ retries: 2 }).fetch(`${base}/x`)).status, 500);
  assert.equal(seen.length, 3);
});

test("a skewed clock is corrected from the answer and the request re-signed once", async () => {
  const server = new Date(Date.now() + 60 * 60_000);
  const amz = server.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  script = [[403, `{"message":"Signature expired: 20200101T000000Z is now earlier than 20200101T000000Z (${amz} - 5 min.)"}`, { date: server.toUTCString() }]];
  seen = [];
  const aws = client();
  const res = await aws.fetch(`${base}/v1/items`, { method: "POST", body: "{}" });
  assert.equal(res.status, 200);
  assert.equal(seen.length, 2);
  const [first, second] = seen.map((r) => r.headers["x-amz-date"]);
  assert.ok(second > first, `${second} after ${first}`);
  assert.equal(second.slice(0, 11), amz.slice(0, 11), "signed with the server's hour");
  assert.equal(seen[1].body, "{}");
  // Only once: a second skew answer is returned as is.
  script = [[403, "Signature expired: x (20200101T000000Z - 5 min.)"], [403, "Signature expired: y (20200101T000000Z - 5 min.)"]];
  seen = [];
  assert.equal((await client().fetch(`${base}/v1/items`)).status, 403);
  assert.equal(seen.length, 2);
});

test("a Request input keeps its method, headers and body; browser-controlled headers are not signed", async () => {
  script = [];
  seen = [];
  const request = new Request(`${base}/v1/items?q=a b`, { method: "PUT", body: "payload", headers: { "x-custom": "1", "user-agent": "me" } });
  assert.equal((await client().fetch(request)).status, 200);
  const got = seen[0];
  assert.equal(got.method, "PUT");
  assert.equal(got.body, "payload");
  assert.equal(got.url, "/v1/items?q=a%20b");
  assert.match(got.headers.authorization, /SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-custom,/);
});

test("large bodies are hashed by WebCrypto and sign exactly as the wasm hash would", async () => {
  const { Signer } = await import(join(repoRoot, "pkg/index.js"));
  const body = new Uint8Array(5 * 1024 * 1024).map((_, i) => i * 31);
  script = [];
  seen = [];
  const aws = new AwsClient({ credentials: keys, region: "us-east-1", service: "s3" });
  const request = await aws.sign(`${base}/bucket/big.bin`, { method: "PUT", body });
  const date = request.headers.get("x-amz-date");
  const t = parseAmzDate(date);
  const expected = new Signer({ ...keys, region: "us-east-1", service: "s3" }).sign({ method: "PUT", url: request.url, body, date: t });
  assert.equal(request.headers.get("x-amz-content-sha256"), expected.headers["x-amz-content-sha256"]);
  assert.equal(request.headers.get("authorization"), expected.headers.authorization);
  const res = await aws.fetch(`${base}/bucket/big.bin`, { method: "PUT", body });
  assert.equal(res.status, 200);
  assert.equal(seen[0].body.length > 0, true);
});
