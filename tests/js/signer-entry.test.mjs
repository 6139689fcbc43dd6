// cognito-sigv4/signer, the signer-only module (wasm-bindgen shell): the
// official suite's signatures, the same answers as the whole package's Signer
// on the same random requests, typed errors, and loading by the package name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseReq } from "./suite.mjs";
import { repoRoot, suiteCases } from "./suite-files.mjs";

const entry = await import(join(repoRoot, "pkg/signer/index.js"));
const whole = await import(join(repoRoot, "pkg/index.js"));
const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

test("before init, a typed error says what to do", () => {
  assert.throws(() => new entry.Signer({ ...creds, region: "us-east-1", service: "s3" }), { name: "NotInitialized" });
});

test("init() reads the wasm from disk in Node; initSync takes its bytes", async () => {
  await entry.default();
  await entry.default();
  entry.initSync(readFileSync(join(repoRoot, "pkg/signer/cognito_sigv4_signer_bg.wasm")));
  await whole.default();
});

test("official AWS SigV4 test suite: all 31 Authorization headers", () => {
  const cases = suiteCases();
  assert.equal(cases.length, 31);
  for (const c of cases) {
    const r = parseReq(c.files.req);
    const signer = new entry.Signer({ ...creds, sessionToken: r.token, region: "us-east-1", service: "service" });
    const out = signer.sign({ method: r.method, url: `https://${r.host}${r.target}`, rawUrl: true, headers: r.headers, body: r.body || undefined, date: r.date });
    assert.equal(out.headers.authorization, c.files.authz.trimEnd(), c.name);
  }
});

test("the same signatures and presigned URLs as the whole package, on varied requests", () => {
  const services = ["s3", "execute-api", "dynamodb"];
  let n = 0;
  for (const service of services) {
    const options = { ...creds, sessionToken: "token/+=", region: "eu-west-1", service };
    const a = new entry.Signer(options);
    const b = new whole.Signer(options);
    for (const [i, body] of ["", "{}", "x".repeat(70_000), new Uint8Array([0, 1, 255])].entries()) {
      const request = {
        method: i % 2 ? "PUT" : "POST",
        url: `https://h.example.com/a b/${i}/%7E?z=1&a=2&a=1&e=`,
        headers: { "X-Amz-Meta-Note": ` one\t\ttwo  ${i} `, "content-type": "text/plain" },
        body,
        date: Date.UTC(2024, 1, 29, 12, i),
      };
      assert.deepEqual(a.sign(request), b.sign(request));
      assert.deepEqual(a.sign({ ...request, unsignedPayload: true }), b.sign({ ...request, unsignedPayload: true }));
      assert.deepEqual(a.sign({ ...request, body: undefined, payloadHash: entry.sha256(body) }), b.sign({ ...request, body: undefined, payloadHash: whole.sha256(body) }));
      assert.equal(a.presign({ ...request, expiresIn: 300 }), b.presign({ ...request, expiresIn: 300 }));
      n += 4;
    }
  }
  assert.equal(n, 48);
});

test("bad input is a typed error that never quotes the secret", () => {
  const s = new entry.Signer({ ...creds, region: "us-east-1", service: "s3" });
  assert.throws(() => s.sign({ url: "not a url" }), { name: "InvalidUrl", code: "InvalidUrl" });
  assert.throws(() => s.sign({ url: "https://a.example/", headers: { "bad header": "v" } }), { name: "InvalidHeader" });
  assert.throws(() => s.presign({ url: "https://a.example/", expiresIn: 604801 }), { name: "InvalidExpires" });
  assert.throws(() => s.sign({ url: "https://a.example/", date: NaN }), { name: "InvalidDate" });
  assert.throws(() => new entry.Signer({ ...creds, region: "US East", service: "s3" }), (e) => e.name === "InvalidConfig" && !e.message.includes(creds.secretAccessKey));
  s.free();
  assert.throws(() => s.sign({ url: "https://a.example/" }), /freed/);
});
