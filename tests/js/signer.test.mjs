// The built package (pkg/) in Node: the official suite, the API contract, typed
// errors. Run by `npm test` after `npm run build`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkCase } from "./suite.mjs";
import { repoRoot, suiteCases } from "./suite-files.mjs";

const root = repoRoot;
const pkg = await import(join(root, "pkg/index.js"));
const { default: init, initSync, Signer, sha256 } = pkg;


const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const DATE = Date.UTC(2015, 7, 30, 12, 36, 0);

test("using the signer before init says what to do", () => {
  assert.throws(() => new Signer({ ...creds, region: "us-east-1", service: "s3" }), { name: "NotInitialized", code: "NotInitialized" });
});

test("await init() loads the wasm from disk in Node", async () => {
  await init();
  await init(); // idempotent
});

test("initSync accepts the wasm bytes", () => {
  initSync(readFileSync(join(root, "pkg/cognito_sigv4_wasm_bg.wasm")));
  initSync({ module: readFileSync(join(root, "pkg/cognito_sigv4_wasm_bg.wasm")) });
});

test("official AWS SigV4 test suite: all 31 cases through pkg/", () => {
  const cases = suiteCases();
  assert.equal(cases.length, 31);
  const problems = cases.flatMap((c) => checkCase(Signer, c.name, c.files));
  assert.deepEqual(problems, []);
});

test("sign returns method, url and the headers to send", () => {
  const signer = new Signer({ ...creds, sessionToken: "TOKEN/+=", region: "us-east-1", service: "execute-api" });
  const out = signer.sign({ method: "post", url: "https://abc.execute-api.us-east-1.amazonaws.com/v1/a b?x=ü#frag", body: "{}", date: new Date(DATE), headers: { "Content-Type": "application/json", "User-Agent": "me" } });
  assert.equal(out.method, "POST");
  assert.equal(out.url, "https://abc.execute-api.us-east-1.amazonaws.com/v1/a%20b?x=%C3%BC");
  assert.equal(out.headers.host, "abc.execute-api.us-east-1.amazonaws.com");
  assert.equal(out.headers["x-amz-date"], "20150830T123600Z");
  assert.equal(out.headers["x-amz-security-token"], "TOKEN/+=");
  assert.equal(out.headers["content-type"], "application/json");
  assert.equal(out.headers["user-agent"], "me", "passed through");
  assert.equal(out.headers["x-amz-content-sha256"], undefined, "not S3, not asked");
  assert.match(out.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-east-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  // The fetch-normalized URL is what gets double-encoded for non-S3 services.
  assert.match(signer.explain({ url: out.url, date: DATE }).canonicalRequest, /^GET\n\/v1\/a%2520b\nx=%C3%BC\n/);
});

test("bodies: string, Uint8Array, ArrayBuffer and views hash the same bytes", () => {
  const signer = new Signer({ ...creds, region: "us-east-1", service: "s3" });
  const text = "héllo wörld";
  const bytes = new TextEncoder().encode(text);
  const hashes = [text, bytes, bytes.buffer.slice(0), new DataView(bytes.buffer)].map(
    (body) => signer.sign({ method: "PUT", url: "https://b.s3.amazonaws.com/k", body, date: DATE }).headers["x-amz-content-sha256"],
  );
  assert.equal(new Set(hashes).size, 1);
  assert.equal(hashes[0], sha256(text));
  const unsigned = signer.sign({ method: "PUT", url: "https://b.s3.amazonaws.com/k", unsignedPayload: true, date: DATE });
  assert.equal(unsigned.headers["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
  const given = signer.sign({ method: "PUT", url: "https://b.s3.amazonaws.com/k", payloadHash: hashes[0], date: DATE });
  assert.equal(given.headers.authorization, signer.sign({ method: "PUT", url: "https://b.s3.amazonaws.com/k", body: text, date: DATE }).headers.authorization);
});

test("headers may be a Headers instance or an array of pairs; forbidden ones are never signed", () => {
  const signer = new Signer({ ...creds, region: "us-east-1", service: "execute-api" });
  const a = signer.sign({ url: "https://h.example/", headers: new Headers({ "X-A": "1", "Content-Length": "3", Connection: "keep-alive" }), date: DATE });
  const b = signer.sign({ url: "https://h.example/", headers: [["x-a", "1"], ["expect", "100-continue"]], date: DATE });
  for (const out of [a, b]) assert.match(out.headers.authorization, /SignedHeaders=host;x-a;x-amz-date,/);
});

test("a non-default port is part of the signed host", () => {
  const signer = new Signer({ ...creds, region: "us-east-1", service: "execute-api" });
  assert.equal(signer.sign({ url: "http://localhost:4566/x", date: DATE }).headers.host, "localhost:4566");
  assert.equal(signer.sign({ url: "https://h.example:443/x", date: DATE }).headers.host, "h.example");
});

test("presign puts credentials, token and signature in the query", () => {
  const signer = new Signer({ ...creds, sessionToken: "tok/en+=", region: "us-east-1", service: "s3" });
  const url = new URL(signer.presign({ url: "https://bucket.s3.amazonaws.com/my key.txt?versionId=1", expiresIn: 300, date: DATE }));
  assert.equal(url.pathname, "/my%20key.txt");
  assert.equal(url.searchParams.get("versionId"), "1");
  assert.equal(url.searchParams.get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
  assert.equal(url.searchParams.get("X-Amz-Credential"), "AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request");
  assert.equal(url.searchParams.get("X-Amz-Expires"), "300");
  assert.equal(url.searchParams.get("X-Amz-SignedHeaders"), "host");
  assert.equal(url.searchParams.get("X-Amz-Security-Token"), "tok/en+=");
  assert.match(url.searchParams.get("X-Amz-Signature"), /^[0-9a-f]{64}$/);
  const explained = signer.explain({ url: "https://bucket.s3.amazonaws.com/k", date: DATE }, { presign: true });
  assert.match(explained.canonicalRequest, /\nUNSIGNED-PAYLOAD$/);
});

test("bad input is a typed error that names the problem and never the secret", () => {
  const secret = "SECRETsecretSECRETsecret0123456789";
  const token = "TOKENtokenTOKENtoken0123456789";
  const signer = new Signer({ accessKeyId: "AKID", secretAccessKey: secret, sessionToken: token, region: "us-east-1", service: "s3" });
  const cases = [
    [() => signer.sign({ url: "not a url" }), "InvalidUrl"],
    [() => signer.sign({ url: "ftp://example.com/" }), "InvalidUrl"],
    [() => signer.sign({ url: "https://u:p@example.com/" }), "InvalidUrl"],
    [() => signer.sign({ url: 42 }), "InvalidUrl"],
    [() => signer.sign({ url: "https://h/", headers: { "bad name": "v" } }), "InvalidHeader"],
    [() => signer.sign({ url: "https://h/", headers: { a: "x\r\ny" } }), "InvalidHeader"],
    [() => signer.sign({ url: "https://h/", headers: { a: "é" } }), "InvalidHeader"],
    [() => signer.sign({ url: "https://h/", date: "yesterday" }), "InvalidDate"],
    [() => signer.sign({ url: "https://h/", date: NaN }), "InvalidDate"],
    [() => signer.sign({ url: "https://h/", body: new Blob(["x"]) }), "InvalidBody"],
    [() => signer.sign({ url: "https://h/", payloadHash: "ABC" }), "InvalidConfig"],
    [() => signer.sign({ url: "https://h/", method: "TRACE" }), "InvalidConfig"],
    [() => signer.presign({ url: "https://h/", expiresIn: 0 }), "InvalidExpires"],
    [() => signer.presign({ url: "https://h/", expiresIn: 604801 }), "InvalidExpires"],
    [() => signer.presign({ url: "https://h/", expiresIn: 1.5 }), "InvalidExpires"],
    [() => signer.presign({ url: "https://h/", expiresIn: "soon" }), "InvalidExpires"],
    [() => new Signer({ secretAccessKey: secret, region: "us-east-1", service: "s3" }), "MissingCredentials"],
    [() => new Signer({ accessKeyId: "AKID", region: "us-east-1", service: "s3" }), "MissingCredentials"],
    [() => new Signer({ accessKeyId: "AKID", secretAccessKey: secret, region: "US East", service: "s3" }), "InvalidConfig"],
    [() => new Signer({ accessKeyId: "AKID", secretAccessKey: secret, service: "s3" }), "InvalidConfig"],
  ];
  for (const [fn, code] of cases) {
    let caught;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof Error, `expected ${code}`);
    assert.equal(caught.name, code, caught.message);
    assert.equal(caught.code, code);
    assert.ok(caught.message.length > 20, caught.message);
    assert.ok(!caught.message.includes(secret) && !caught.message.includes(token), caught.message);
  }
  // The module survives all of that: no trap, signing still works.
  assert.match(signer.sign({ url: "https://h/" }).headers.authorization, /Signature=/);
});

test("steady-state signing reuses the signing key and stays correct across days", () => {
  const signer = new Signer({ ...creds, region: "us-east-1", service: "service" });
  const day1 = signer.sign({ url: "https://example.amazonaws.com/", date: DATE }).headers.authorization;
  const day2 = signer.sign({ url: "https://example.amazonaws.com/", date: DATE + 86_400_000 }).headers.authorization;
  const again = signer.sign({ url: "https://example.amazonaws.com/", date: DATE }).headers.authorization;
  assert.notEqual(day1, day2);
  assert.equal(day1, again);
  assert.match(day1, /Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31$/, "get-vanilla");
});

test("free() releases a signer; using it afterwards is a typed error", () => {
  const signer = new Signer({ ...creds, region: "us-east-1", service: "s3" });
  signer.free();
  signer.free();
  assert.throws(() => signer.sign({ url: "https://h/" }), { name: "InvalidConfig", message: /freed/ });
});

test("signAsync hashes large bodies with WebCrypto and signs exactly as sign() does", async () => {
  const signer = new Signer({ accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "token", region: "us-east-1", service: "execute-api" });
  const date = new Date("2025-01-15T12:34:56Z");
  for (const body of ["small", new Uint8Array(200_000).fill(7), "x".repeat(100_000)]) {
    const request = { method: "POST", url: "https://abc.execute-api.us-east-1.amazonaws.com/prod/items", body, date };
    assert.deepEqual(await signer.signAsync(request), signer.sign(request));
  }
  const s3 = new Signer({ accessKeyId: "AKID", secretAccessKey: "secret", region: "us-east-1", service: "s3" });
  const put = { method: "PUT", url: "https://b.s3.amazonaws.com/k", body: new Uint8Array(100_000), date };
  assert.deepEqual(await s3.signAsync(put), s3.sign(put));
});
