// The benchmark itself, shared by Node (bench/run.mjs imports it as is) and
// headless Chromium (bench/browser.mjs, bundled by esbuild into bench/dist/).
// Every library signs the same requests with the same credentials and date,
// and runSuite() reports whether all three produce the same signature.

import init, { Signer, S3Client, sha256 } from "../pkg/index.js";
import initSignerEntry, { Signer as EntrySigner, sha256 as entrySha256 } from "../pkg/signer/index.js";
import { AwsV4Signer } from "aws4fetch";
import { S3Client as AwsS3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";

// Fake credentials shaped like Cognito identity-pool ones (the token is ~1 KB).
const CREDENTIALS = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjE" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".repeat(15),
};
const REGION = "us-east-1";
const SERVICE = "execute-api";
const HOST = "abc123defg.execute-api.us-east-1.amazonaws.com";
const PATH = "/prod/items";
const QUERY = { limit: "25", status: "active" };
const URL_STRING = `https://${HOST}${PATH}?limit=25&status=active`;
const DATE = new Date("2025-01-15T12:34:56Z");
const AMZ_DATE = "20250115T123456Z"; // DATE as aws4fetch takes it
const EXPIRES = 900;

// Not content-type: aws4fetch leaves it unsigned, and the signatures would differ.
const HEADERS = { accept: "application/json", "x-request-id": "5f0c6f1e-8a43-4b7e-9d2c-1f3e5a7b9c0d" };
const POST_BODY = JSON.stringify({
  items: Array.from({ length: 16 }, (_, i) => ({ id: i, name: `item-${i}`, price: 9.99 + i, tags: ["a", "b"] })),
});

export const SIGNING_CASES = [
  { id: "get", label: "sign: GET, query + 2 headers + session token", method: "GET", headers: HEADERS },
  { id: "post", label: `sign: POST, ${POST_BODY.length} B JSON body`, method: "POST", headers: HEADERS, body: POST_BODY },
  { id: "presign", label: "presign: GET URL, session token" },
];
// ours: the whole SDK's Signer (cognito-sigv4); oursSigner: the signer-only
// entry's (cognito-sigv4/signer), its own module.
export const LIBRARIES = ["ours", "oursSigner", "aws4fetch", "smithy"];
export const OURS = ["ours", "oursSigner"];
export const S3_LIBRARIES = ["ours", "awsSdk"];
const BUCKET = "cognito-sigv4-demo";
const S3_KEY = "cognito-test/us-east-1:0a1b2c3d-1111-2222-3333-444455556666/photos/My Cat (1).jpg";
export const SHA_SIZES = [1e6, 16e6];

// Per library: sign(case) and presign() make the zero-argument call to time,
// which returns the library's own result (or a promise of it); signature()
// reads the signature out of that result.
function oursWith(ours) {
  return {
    sign: (c) => {
      const request = { method: c.method, url: URL_STRING, headers: c.headers, body: c.body, date: DATE };
      return () => ours.sign(request);
    },
    presign: () => {
      const request = { url: URL_STRING, expiresIn: EXPIRES, date: DATE };
      return () => ours.presign(request);
    },
    signature: (r) => (typeof r === "string" ? new URL(r).searchParams.get("X-Amz-Signature") : /Signature=([0-9a-f]{64})/.exec(r.headers.authorization)?.[1]),
  };
}

function signers() {
  // AwsClient shares one signing-key cache between its requests; do the same.
  const aws4fetchCache = new Map();
  const aws4fetchOptions = { ...CREDENTIALS, region: REGION, service: SERVICE, cache: aws4fetchCache, datetime: AMZ_DATE };
  const smithy = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: SERVICE, sha256: Sha256, applyChecksum: false });
  const smithyRequest = (c) => ({
    method: c.method ?? "GET", protocol: "https:", hostname: HOST, path: PATH, query: QUERY,
    headers: { host: HOST, ...c.headers }, body: c.body,
  });
  const fromAuthorization = (value) => /Signature=([0-9a-f]{64})/.exec(value)?.[1];

  return {
    ours: oursWith(new Signer({ ...CREDENTIALS, region: REGION, service: SERVICE })),
    oursSigner: oursWith(new EntrySigner({ ...CREDENTIALS, region: REGION, service: SERVICE })),
    aws4fetch: {
      sign: (c) => () => new AwsV4Signer({ ...aws4fetchOptions, method: c.method, url: URL_STRING, headers: c.headers, body: c.body }).sign(),
      // aws4fetch sets X-Amz-Expires by itself only for S3.
      presign: () => () => new AwsV4Signer({ ...aws4fetchOptions, url: `${URL_STRING}&X-Amz-Expires=${EXPIRES}`, signQuery: true }).sign(),
      signature: (r) => r.url.searchParams.get("X-Amz-Signature") ?? fromAuthorization(r.headers.get("authorization")),
    },
    smithy: {
      sign: (c) => {
        const request = smithyRequest(c);
        return () => smithy.sign(request, { signingDate: DATE });
      },
      presign: () => {
        const request = smithyRequest({});
        return () => smithy.presign(request, { signingDate: DATE, expiresIn: EXPIRES });
      },
      signature: (r) => r.query["X-Amz-Signature"] ?? fromAuthorization(r.headers.authorization),
    },
  };
}

const now = () => performance.now();
const BATCH_MS = 20; // warm-up grows the batch until one takes this long
const MAX_BATCH = 1 << 20;
const MAX_BATCHES = 100_000;

// Calls fn n times in a row (awaiting each call if fn is async); returns elapsed ms.
async function runBatch(fn, n, isAsync) {
  const start = now();
  for (let i = 0; i < n; i++) {
    const result = fn();
    if (isAsync) await result;
  }
  return now() - start;
}

/**
 * Calls per second of fn: after warmupMs of warm-up, the median rate of the
 * batches run during about runMs (the median shrugs off other processes
 * taking the CPU for a moment; batches are long enough to include GC).
 */
export async function opsPerSecond(fn, { warmupMs = 300, runMs = 1000 } = {}) {
  const first = fn();
  const isAsync = typeof first?.then === "function";
  if (isAsync) await first;
  let n = 1;
  const warmupEnd = now() + warmupMs;
  for (let b = 0; b < MAX_BATCHES && now() < warmupEnd; b++) {
    if ((await runBatch(fn, n, isAsync)) < BATCH_MS && n < MAX_BATCH) n *= 2;
  }
  const rates = [];
  const end = now() + runMs;
  for (let b = 0; b < MAX_BATCHES && now() < end; b++) {
    const ms = await runBatch(fn, n, isAsync);
    rates.push((n * 1000) / Math.max(ms, 1e-3));
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

/**
 * The SHA-256 blocks each signing case hashes, its floor: the canonical
 * request, the string to sign under the cached key (its padded key block is
 * hashed once per key, so the MAC costs the message after it plus one outer
 * block), and the body where there is one. From the canonical request and
 * string to sign that explain() shows for the same request.
 */
function hashedBlocks() {
  const signer = new Signer({ ...CREDENTIALS, region: REGION, service: SERVICE });
  const blocks = (bytes) => Math.ceil((bytes + 9) / 64);
  const utf8 = (s) => new TextEncoder().encode(s).length;
  const out = {};
  for (const c of SIGNING_CASES) {
    const request = { method: c.method, url: URL_STRING, headers: c.headers, body: c.body, date: DATE };
    const { canonicalRequest, stringToSign } = c.id === "presign" ? signer.explain({ url: URL_STRING, expiresIn: EXPIRES, date: DATE }, { presign: true }) : signer.explain(request);
    out[c.id] = blocks(utf8(canonicalRequest)) + (blocks(64 + utf8(stringToSign)) - 1) + 1 + (c.body ? blocks(utf8(c.body)) : 0);
  }
  signer.free();
  return out;
}

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Runs every measurement; returns
 * { signing: { [case id]: { [library]: ops/s } }, sha256: { [bytes]: { ours, webcrypto } } (MB/s),
 *   agree: { [case id or "sha256"]: boolean } }.
 */
export async function runSuite({ warmupMs, runMs, onProgress = () => {} } = {}) {
  await init();
  await initSignerEntry();
  const libs = signers();
  const timing = { warmupMs, runMs };
  const result = { signing: {}, sha256: {}, agree: {}, blocks: {} };
  result.blocks = hashedBlocks();

  for (const c of SIGNING_CASES) {
    const kind = c.id === "presign" ? "presign" : "sign";
    const fns = Object.fromEntries(LIBRARIES.map((lib) => [lib, libs[lib][kind](c)]));
    const signatures = await Promise.all(LIBRARIES.map(async (lib) => libs[lib].signature(await fns[lib]())));
    result.agree[c.id] = signatures.every((s) => s && s === signatures[0]);
    result.signing[c.id] = {};
    for (const lib of LIBRARIES) {
      onProgress(`${c.label} / ${lib}`);
      result.signing[c.id][lib] = await opsPerSecond(fns[lib], timing);
    }
  }

  // S3 presigned GET links the way apps make them: our S3Client.presignGet
  // against the AWS SDK's getSignedUrl(S3Client, GetObjectCommand). Both
  // include their own URL building and credential lookup.
  const ourS3 = new S3Client({ credentials: CREDENTIALS, region: REGION, bucket: BUCKET });
  const awsS3 = new AwsS3Client({ region: REGION, credentials: CREDENTIALS });
  const s3fns = {
    ours: () => ourS3.presignGet(S3_KEY, { expiresIn: EXPIRES }),
    awsSdk: () => getSignedUrl(awsS3, new GetObjectCommand({ Bucket: BUCKET, Key: S3_KEY }), { expiresIn: EXPIRES }),
  };
  // Same signature: our Signer presigns the AWS SDK's URL (with the query
  // parameters it adds, x-id and checksum mode) at the same date.
  const theirs = new URL(await getSignedUrl(awsS3, new GetObjectCommand({ Bucket: BUCKET, Key: S3_KEY }), { expiresIn: EXPIRES, signingDate: DATE }));
  const unsigned = new URL(theirs);
  for (const p of ["Algorithm", "Credential", "Date", "Expires", "Security-Token", "Signature", "SignedHeaders"]) unsigned.searchParams.delete(`X-Amz-${p}`);
  const ours = new Signer({ ...CREDENTIALS, region: REGION, service: "s3" }).presign({ url: unsigned, expiresIn: EXPIRES, date: DATE });
  result.agree.s3presign = new URL(ours).searchParams.get("X-Amz-Signature") === theirs.searchParams.get("X-Amz-Signature");
  result.s3presign = {};
  for (const lib of S3_LIBRARIES) {
    onProgress(`S3 presign / ${lib}`);
    result.s3presign[lib] = await opsPerSecond(s3fns[lib], timing);
  }

  for (const size of SHA_SIZES) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = Math.imul(i, 2654435761) >>> 24;
    const fns = { ours: () => sha256(data), oursSigner: () => entrySha256(data), webcrypto: () => crypto.subtle.digest("SHA-256", data) };
    const digest = hex(await fns.webcrypto());
    result.agree.sha256 = (result.agree.sha256 ?? true) && fns.ours() === digest && fns.oursSigner() === digest;
    result.sha256[size] = {};
    for (const [name, fn] of Object.entries(fns)) {
      onProgress(`sha256 ${size / 1e6} MB / ${name}`);
      result.sha256[size][name] = ((await opsPerSecond(fn, timing)) * size) / 1e6;
    }
  }
  return result;
}
