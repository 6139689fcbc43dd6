// Differential test: the built package (pkg/) against @smithy/signature-v4, the
// signer of the AWS SDK for JavaScript v3, on thousands of random requests, in
// header signing and in presigning, for S3 and for other services.
//
// Each case is generated as parts (host, path segments, query pairs, headers,
// body, credentials…), turned into a URL string, and handed to our Signer as is
// (it runs the URL through `new URL()`, i.e. signs what fetch sends). Smithy gets
// the equivalent HttpRequest built from the same normalized URL: its `pathname`
// (S3: the SDK-encoded key, see below) and its decoded `searchParams`.
//
// Random but reproducible: the seed is printed on failure; replay one with
//   DIFF_SEED=<seed> node --test tests/js/differential-smithy.test.mjs
// and DIFF_CASES=<n> changes the number of cases (default 3000, each signed and presigned).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { escapeUri } from "@smithy/core/protocols";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { default: init, Signer } = await import(join(root, "pkg/index.js"));

const SEED = process.env.DIFF_SEED !== undefined ? Number(process.env.DIFF_SEED) >>> 0 : randomBytes(4).readUInt32LE(0);
const CASES = process.env.DIFF_CASES !== undefined ? Number(process.env.DIFF_CASES) : 3000;

// ---------------------------------------------------------------- PRNG (sfc32)

class Rng {
  constructor(seed) {
    // splitmix32 to spread a 32-bit seed over sfc32's 128-bit state.
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix();
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
  /** 0 ≤ n < max */
  int(max) { return Math.floor((this.u32() / 4294967296) * max); }
  /** lo ≤ n ≤ hi */
  range(lo, hi) { return lo + this.int(hi - lo + 1); }
  chance(p) { return this.u32() / 4294967296 < p; }
  pick(list) { return list[this.int(list.length)]; }
  bytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b; }
}

// ---------------------------------------------------------------- alphabets

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UNRESERVED_EXTRA = "-._~";
const SUB_DELIMS = "!$&'()*+,;=:@[]";
const OTHER_ASCII = ' "<>`{}|\\^%?#/';
const CONTROLS = ["\t", "\n", "\r", "\x00", "\x01", "\x1f", "\x7f"];
const UNICODE = ["é", "ß", "ü", "Ω", "中", "文", "ĳ", "\u00a0", "\u0301", "\u2028", "\ufeff", "\uffff", "😀", "𝄞"];
const LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"];
// Percent sequences that are not valid escapes or not valid UTF-8.
const BAD_ESCAPES = ["%", "%z", "%4", "%zz", "%C3", "%c3", "%FF", "%C0%AF", "%ED%A0%80", "%F0%9F%98", "%E9"];

function randChar(rng, { lone = false } = {}) {
  const r = rng.int(100);
  if (r < 45) return rng.pick(ALNUM);
  if (r < 50) return rng.pick(UNRESERVED_EXTRA);
  if (r < 65) return rng.pick(SUB_DELIMS);
  if (r < 77) return rng.pick(OTHER_ASCII);
  if (r < 82) return rng.pick(CONTROLS);
  if (r < 97 || !lone) return rng.pick(UNICODE);
  return rng.pick(LONE_SURROGATES);
}

function randString(rng, maxLen, opts) {
  let s = "";
  for (let n = rng.range(0, maxLen); n > 0; n--) s += randChar(rng, opts);
  return s;
}

const utf8 = new TextEncoder();
/** Percent-encodes every UTF-8 byte of `c`, hex digits in random case. */
function pct(rng, c) {
  let out = "";
  for (const b of utf8.encode(c)) {
    const hex = b.toString(16).padStart(2, "0");
    out += "%" + (rng.chance(0.5) ? hex.toUpperCase() : hex);
  }
  return out;
}

// ---------------------------------------------------------------- URL parts

const HOSTS = [
  "example.amazonaws.com",
  "abc123.execute-api.us-east-1.amazonaws.com",
  "my-bucket.s3.us-west-2.amazonaws.com",
  "s3.eu-west-3.amazonaws.com",
  "search-dom-abc.eu-central-1.es.amazonaws.com",
  "EXAMPLE.Com",
  "localhost",
  "127.0.0.1",
  "[::1]",
  "[2001:DB8::1]",
  "bücher.example", // IDNA: the URL parser turns it into xn--bcher-kva.example
  "under_score.internal",
];

function genHost(rng, https) {
  let host = rng.pick(HOSTS);
  const r = rng.int(10);
  if (r === 0) host += https ? ":443" : ":80"; // default port: dropped by the URL parser
  else if (r === 1) host += ":" + rng.pick([8080, 8443, 9000, 1, 65535]);
  else if (r === 2) host += https ? ":80" : ":443"; // the other scheme's default: kept
  return host;
}

/** Non-S3 path: anything goes, smithy gets the normalized pathname as fetch would send it. */
function genPathNonS3(rng) {
  if (rng.chance(0.05)) return ""; // no path at all: the URL parser makes it "/"
  const segments = [];
  for (let n = rng.range(0, 5); n > 0; n--) {
    const r = rng.int(100);
    if (r < 8) segments.push(rng.pick([".", "..", "%2e", "%2E", ".%2e", "%2e%2E"])); // resolved by the URL parser
    else if (r < 13) segments.push("");
    else {
      let seg = "";
      for (let len = rng.range(0, 8); len > 0; len--) {
        const c = randChar(rng, { lone: true });
        // `?` and `#` would end the path; everything else may go raw (the URL parser
        // encodes, strips or rewrites it, e.g. `\` becomes `/`, and both sides see the result).
        seg += c === "?" || c === "#" || rng.chance(0.4) ? pct(rng, c) : c;
        if (rng.chance(0.03)) seg += rng.pick(BAD_ESCAPES);
      }
      segments.push(seg);
    }
  }
  return "/" + segments.join("/") + (rng.chance(0.2) ? "/" : "");
}

/**
 * S3 path: smithy (`uriEscapePath: false`) signs `path` verbatim and relies on the
 * SDK having built it from the object key with escapeUri per segment. So the case
 * is a key (segments of Unicode text), the URL carries it in some raw/encoded mix,
 * and smithy gets the key encoded the SDK's way. Returns { wire, key } where key
 * is the list of decoded segments.
 */
function genPathS3(rng, nothingFollows) {
  const key = [];
  for (let n = rng.range(0, 5); n > 0; n--) {
    // Valid Unicode only: an S3 key is a string, and the SDK's escapeUri throws on lone surrogates.
    let seg = rng.chance(0.08) ? "" : randString(rng, 8);
    // `.` and `..` segments are resolved by the URL parser (fetch cannot send such a key unchanged).
    if (seg === "." || seg === "..") seg += "x";
    key.push(seg);
  }
  const wire = key
    .map((seg, si) => {
      const chars = Array.from(seg);
      return chars
        .map((c, ci) => {
          const last = nothingFollows && si === key.length - 1 && ci === chars.length - 1;
          // Raw, these would change the key: `/` splits it, `?`/`#` end the path, `%`
          // starts an escape, `\` becomes `/`, tab/CR/LF are dropped by the URL parser,
          // and a space or control at the very end of the URL is trimmed.
          const mustEncode = "/?#%\\\t\n\r".includes(c) || (last && c <= " ");
          return mustEncode || rng.chance(0.45) ? pct(rng, c) : c;
        })
        .join("");
    })
    .join("/");
  return { wire: "/" + wire, key: key.length ? key : [""] };
}

/** Query: pairs of decoded strings, written in some raw/`+`/percent mix; repeated keys on purpose. */
function genQuery(rng) {
  const r = rng.int(100);
  if (r < 25) return null; // no `?`
  if (r < 30) return ""; // a bare `?`
  // No X-Amz-* keys: smithy drops X-Amz-Signature from the canonical query and overwrites the
  // presign parameters, we refuse an already-presigned URL; neither list nor 6 random chars make one.
  const keyPool = [];
  for (let n = rng.range(1, 3); n > 0; n--) keyPool.push(rng.chance(0.5) ? rng.pick(["a", "A", "b", "prefix", "list-type", "versionId", "uploads", "x-id", "é", "a b", "a+b", "k=v", "~", ""]) : randString(rng, 6, { lone: true }));
  const encodePart = (s, isKey) => {
    let out = "";
    for (const c of s) {
      // These would change the pair structure (`&`, `=` in a key), end the query (`#`),
      // start an escape (`%`) or mean a space (`+`): always encoded.
      if ("&#%+".includes(c) || (isKey && c === "=")) out += pct(rng, c);
      else if (c === " ") out += rng.pick([" ", "+", "%20"]);
      else out += rng.chance(0.4) ? pct(rng, c) : c;
      if (rng.chance(0.02)) out += rng.pick(BAD_ESCAPES);
    }
    return out;
  };
  const pieces = [];
  for (let n = rng.range(1, 6); n > 0; n--) {
    const key = rng.chance(0.6) ? rng.pick(keyPool) : randString(rng, 6, { lone: true });
    if (rng.chance(0.15)) pieces.push(encodePart(key, true)); // `key` without `=`
    else pieces.push(encodePart(key, true) + "=" + encodePart(randString(rng, 10, { lone: true }), false));
    if (rng.chance(0.05)) pieces.push(""); // `&&`
  }
  return (rng.chance(0.05) ? "&" : "") + pieces.join("&");
}

// ---------------------------------------------------------------- headers

// Signed by both libraries.
const SIGNED_NAMES = [
  "content-type", "content-md5", "content-encoding", "content-language", "content-disposition",
  "accept", "accept-language", "range", "if-match", "if-none-match", "if-modified-since",
  "x-api-key", "x-custom-header", "my-header", "x-request-id", "expires", "a", "x",
];
// Header mode only: in presigning smithy hoists every x-amz-* header into the query, we sign them as headers.
const X_AMZ_NAMES = [
  "x-amz-meta-author", "x-amz-acl", "x-amz-storage-class", "x-amz-server-side-encryption",
  "x-amz-target", "x-amz-user-agent", "x-amz-tagging", "x-amz-request-payer",
];
// Never signed by either library (both lists have them, or smithy drops `date` as generated).
const UNSIGNED_BY_BOTH = [
  "connection", "expect", "keep-alive", "referer", "te", "trailer", "transfer-encoding", "upgrade",
  "user-agent", "x-amzn-trace-id", "proxy-authorization", "proxy-foo", "sec-fetch-mode", "sec-ch-ua", "date",
];
// Not generated at random: the two never-signed lists differ on these (smithy alone skips
// cache-control/from/max-forwards/pragma; we alone skip the fetch-forbidden and hop-by-hop rest);
// `host` we always take from the URL (smithy gets the URL's host, as the SDK's host middleware sets it);
// `authorization`/`x-amz-security-token` are the signers' own (smithy signs a caller's token header
// when there is no session token, we drop it); x-amz-date/x-amz-content-sha256 are added on purpose in runSign.
const POLICY_DIFFERS = new Set([
  "cache-control", "from", "max-forwards", "pragma",
  "accept-charset", "accept-encoding", "access-control-request-headers", "access-control-request-method",
  "content-length", "cookie", "cookie2", "dnt", "origin", "set-cookie", "via",
  "host", "authorization", "x-amz-security-token", "x-amz-date", "x-amz-content-sha256", "x-amz-signature",
]);
const TCHARS = ALNUM + "!#$%&'*+-.^_`|~";

function randomName(rng) {
  for (;;) {
    let n = "";
    for (let len = rng.range(1, 12); len > 0; len--) n += rng.pick(TCHARS);
    const l = n.toLowerCase();
    if (!POLICY_DIFFERS.has(l) && !/^(proxy-|sec-|x-amz)/.test(l) && l !== "__proto__") return n;
  }
}

function randomCase(rng, name) {
  return Array.from(name, (c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join("");
}

/** Printable ASCII with runs of spaces inside and spaces/tabs at the ends. */
function headerValue(rng, edges = true) {
  // ASCII only: we refuse non-ASCII values (browsers send them differently from how they'd be signed).
  // Runs of spaces and tabs inside: smithy and we fold each into one space.
  let core = "";
  for (let len = rng.range(0, 20); len > 0; len--) {
    if (rng.chance(0.15)) core += rng.pick([" ", "  ", "\t", " \t", "\t\t ", "   "]);
    else core += String.fromCharCode(rng.range(0x21, 0x7e));
  }
  if (!edges) return core.trim();
  const edge = () => Array.from({ length: rng.range(0, 3) }, () => rng.pick([" ", "\t"])).join("");
  return edge() + core + edge();
}

/**
 * Returns { ours, smithy }: ours as a record or a list of pairs, smithy a record
 * with the same (mixed-case) names; a repeated name is joined with `,` for smithy.
 */
function genHeaders(rng, presign) {
  const seen = new Set();
  const pairs = [];
  for (let n = rng.range(0, 7); n > 0; n--) {
    const r = rng.int(100);
    let name;
    if (r < 45) name = rng.pick(SIGNED_NAMES);
    else if (r < 60) name = presign ? rng.pick(SIGNED_NAMES) : rng.pick(X_AMZ_NAMES);
    else if (r < 72) name = rng.pick(UNSIGNED_BY_BOTH);
    else name = randomName(rng);
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    pairs.push([randomCase(rng, name), headerValue(rng)]);
  }
  // Smithy receives one value per name; ours joins repeats with `,` after trimming each,
  // so repeats get values without edge whitespace (where joining and trimming commute).
  if (pairs.length && rng.chance(0.1)) {
    const i = rng.int(pairs.length);
    pairs[i][1] = headerValue(rng, false);
    pairs.push([randomCase(rng, pairs[i][0]), headerValue(rng, false)]);
  }
  const smithy = {};
  const firstName = new Map();
  for (const [name, value] of pairs) {
    const l = name.toLowerCase();
    if (firstName.has(l)) smithy[firstName.get(l)] += "," + value;
    else (firstName.set(l, name), (smithy[name] = value));
  }
  const repeated = pairs.length !== firstName.size;
  const ours = repeated || rng.chance(0.3) ? pairs : Object.fromEntries(pairs);
  return { ours, smithy };
}

// ---------------------------------------------------------------- the rest of a case

const REGIONS = ["us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "il-central-1"];
const SERVICES = ["execute-api", "lambda", "es", "aoss", "sts", "dynamodb", "sqs", "appsync", "vpc-lattice-svcs"];
const S3_SERVICES = ["s3", "s3", "s3", "s3-object-lambda", "s3-outposts", "s3express"];
const DATES = [
  Date.UTC(2015, 7, 30, 12, 36, 0),
  Date.parse("2024-02-29T23:59:59.999Z"),
  Date.parse("1999-12-31T23:59:59.500Z"),
  Date.parse("2000-02-29T00:00:00.001Z"),
  Date.parse("2038-01-19T03:14:08.000Z"),
  Date.parse("2099-12-31T23:59:59.000Z"),
  Date.parse("1970-01-01T00:00:00.000Z"),
];
const STANDARD_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

function genCredentials(rng) {
  const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const accessKeyId = rng.chance(0.8)
    ? rng.pick(["AKIA", "ASIA"]) + Array.from({ length: 16 }, () => rng.pick(upper)).join("")
    : Array.from({ length: rng.range(1, 30) }, () => rng.pick(ALNUM)).join("");
  const b64 = ALNUM + "+/";
  let secretAccessKey = Array.from({ length: 40 }, () => rng.pick(b64)).join("");
  if (rng.chance(0.05)) secretAccessKey += rng.pick(["é", " ", "😀", "=="]); // the key is HMACed as UTF-8 by both
  let sessionToken;
  const r = rng.int(10);
  if (r < 4) sessionToken = undefined;
  else if (r === 4) sessionToken = ""; // both treat an empty token as none
  // Printable ASCII without spaces: we refuse anything else in a token (AWS tokens are base64).
  else sessionToken = Array.from({ length: rng.range(16, 500) }, () => String.fromCharCode(rng.range(0x21, 0x7e))).join("");
  return { accessKeyId, secretAccessKey, sessionToken };
}

function genBody(rng) {
  const r = rng.int(10);
  if (r < 3) return undefined;
  if (r < 6) return randString(rng, 200, { lone: true }); // lone surrogates: both encode them as U+FFFD
  if (r < 8) return rng.bytes(rng.range(0, 300));
  if (r < 9) return rng.bytes(rng.range(0, 64)).buffer;
  const bytes = rng.bytes(rng.range(8, 64));
  return new DataView(bytes.buffer, 3, bytes.length - 5); // a view into a larger buffer
}

function genCase(rng, presign) {
  const s3 = rng.chance(0.4);
  const service = s3 ? rng.pick(S3_SERVICES) : rng.pick(SERVICES);
  const https = rng.chance(0.85);
  const query = genQuery(rng);
  const fragment = rng.chance(0.05) ? "#" + randString(rng, 6) : "";
  const nothingFollows = query === null && fragment === "";
  let wirePath, key;
  if (s3) ({ wire: wirePath, key } = genPathS3(rng, nothingFollows));
  else wirePath = genPathNonS3(rng);
  const urlString = (https ? "https://" : "http://") + genHost(rng, https) + wirePath + (query === null ? "" : "?" + query) + fragment;
  let method = rng.pick([...STANDARD_METHODS, "PATCH", "PROPFIND", "get", "post", "Put", "patch"]);
  if (rng.chance(0.3)) method = randomCase(rng, method.toLowerCase());
  return {
    s3,
    service,
    region: rng.pick(REGIONS),
    credentials: genCredentials(rng),
    method,
    urlString,
    urlAsObject: rng.chance(0.1),
    key,
    headers: genHeaders(rng, presign),
    date: rng.pick(DATES),
    dateAsNumber: rng.chance(0.5),
  };
}

// ---------------------------------------------------------------- running both signers

/** fetch upper-cases only these six methods (Fetch spec, "normalize a method"); others go as given. */
function fetchMethod(method) {
  const upper = method.toUpperCase();
  return STANDARD_METHODS.includes(upper) ? upper : method;
}

function smithySigner(c, applyChecksum) {
  const signer = new SignatureV4({
    credentials: c.credentials,
    region: c.region,
    service: c.service,
    sha256: Sha256,
    uriEscapePath: !c.s3,
    applyChecksum,
  });
  // Keep smithy's canonical request for the failure report.
  signer.createCanonicalRequest = function (...args) {
    this.lastCanonicalRequest = SignatureV4.prototype.createCanonicalRequest.apply(this, args);
    return this.lastCanonicalRequest;
  };
  return signer;
}

/** The HttpRequest the SDK would build for the URL fetch sends. */
function smithyRequest(c, u, headers, body) {
  const query = {};
  for (const [k, v] of u.searchParams) {
    if (!Object.hasOwn(query, k)) query[k] = v;
    else if (Array.isArray(query[k])) query[k].push(v);
    else query[k] = [query[k], v];
  }
  // S3: the key encoded per segment, as the SDK's serializers do; others: the pathname as sent.
  const path = c.s3 ? "/" + c.key.map(escapeUri).join("/") : u.pathname;
  return {
    method: fetchMethod(c.method),
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    path,
    query,
    headers: { ...headers, host: u.host }, // the SDK's host-header middleware
    body,
  };
}

const hexOf = (s) => createHash("sha256").update(s).digest("hex");

function getHeader(headers, name) {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return headers[k];
  return undefined;
}

function describe(c, extra) {
  const show = (v) => (v instanceof Uint8Array || v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? `<${v.constructor.name} ${v.byteLength} bytes>` : v);
  return JSON.stringify({ ...c, ...extra, credentials: { ...c.credentials, sessionToken: c.credentials.sessionToken?.slice(0, 20) } }, (k, v) => show(v), 1);
}

/** Sanity check of the generator, not of the signers: the URL must carry the intended S3 key. */
function checkS3Key(c, u) {
  const sent = u.pathname.split("/").slice(1).map(decodeURIComponent);
  assert.deepEqual(sent, c.key, `generator bug (seed ${SEED}): ${c.urlString} → ${u.pathname} does not carry the key ${JSON.stringify(c.key)}`);
}

async function runSign(rng, c, stats) {
  const u = new URL(c.urlString);
  if (c.s3) checkS3Key(c, u);
  const body = genBody(rng);
  stats.body += body !== undefined;
  const ourReq = {
    method: c.method,
    url: c.urlAsObject ? u : c.urlString,
    headers: c.headers.ours,
    body,
    date: c.dateAsNumber ? c.date : new Date(c.date),
  };
  const smithyHeaders = { ...c.headers.smithy };
  let applyChecksum = c.s3; // ours sends x-amz-content-sha256 for S3
  // One payload instruction at most: with an x-amz-content-sha256 header *and* unsignedPayload or
  // payloadHash, we follow the option, smithy the header (contradictory input, not generated).
  const r = rng.int(100);
  if (r < 8) {
    ourReq.unsignedPayload = true;
    smithyHeaders["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  } else if (r < 16 && c.s3) {
    ourReq.payloadHash = hexOf(String(rng.u32()));
    smithyHeaders["x-amz-content-sha256"] = ourReq.payloadHash;
  } else if (r < 16) {
    // Outside S3 a precomputed hash is a shortcut that signs exactly as the body
    // would, with no x-amz-content-sha256 header (which an API's CORS may not allow).
    ourReq.payloadHash = createHash("sha256").update(body instanceof ArrayBuffer ? new Uint8Array(body) : body ?? "").digest("hex");
    delete ourReq.body;
  } else if (r < 24) {
    // A caller's own x-amz-content-sha256 header (any case) is the payload hash, for both.
    const value = rng.pick(["UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", hexOf(String(rng.u32()))]);
    const name = randomCase(rng, "x-amz-content-sha256");
    smithyHeaders[name] = value;
    ourReq.headers = Array.isArray(ourReq.headers) ? [...ourReq.headers, [name, value]] : { ...ourReq.headers, [name]: value };
  } else if (r < 32 && !c.s3) {
    ourReq.contentSha256 = true;
    applyChecksum = true;
  } else if (r < 38) {
    // A caller's x-amz-date is replaced by the signing date, by both.
    const name = randomCase(rng, "x-amz-date");
    ourReq.headers = Array.isArray(ourReq.headers) ? [...ourReq.headers, [name, "20000101T000000Z"]] : { ...ourReq.headers, [name]: "20000101T000000Z" };
    smithyHeaders[name] = "20000101T000000Z";
  }
  const ours = new Signer({ ...c.credentials, region: c.region, service: c.service }).explain(ourReq);
  const smithy = smithySigner(c, applyChecksum);
  const theirs = await smithy.sign(smithyRequest(c, u, smithyHeaders, body), { signingDate: new Date(c.date) });

  const problems = [];
  for (const name of ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]) {
    if (ours.headers[name] !== getHeader(theirs.headers, name)) problems.push(`${name}: ours ${ours.headers[name]} smithy ${getHeader(theirs.headers, name)}`);
  }
  if (ours.headers.host !== u.host) problems.push(`host: ours ${ours.headers.host}, URL ${u.host}`);
  if (ours.url !== u.href.split("#")[0]) problems.push(`url: ours ${ours.url}, URL ${u.href}`);
  if (ours.method !== fetchMethod(c.method)) problems.push(`method: ours ${ours.method}`);
  return problems.length
    ? `${problems.join("\n")}\n${describe(c, { mode: "sign", body, ourReq: { ...ourReq, url: String(ourReq.url) } })}\n--- our canonical request\n${ours.canonicalRequest}\n--- smithy's\n${smithy.lastCanonicalRequest}`
    : null;
}

const PRESIGN_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"];

async function runPresign(rng, c) {
  const u = new URL(c.urlString);
  if (c.s3) checkS3Key(c, u);
  const expiresIn = rng.chance(0.3) ? rng.pick([1, 60, 3600, 86400, 604800]) : rng.range(1, 604800);
  // No body: our presign() takes none (it signs the empty payload, S3 UNSIGNED-PAYLOAD), so smithy gets none either.
  const ourReq = { method: c.method, url: c.urlAsObject ? u : c.urlString, headers: c.headers.ours, expiresIn, date: c.dateAsNumber ? c.date : new Date(c.date) };
  const ours = new Signer({ ...c.credentials, region: c.region, service: c.service }).explain(ourReq, { presign: true });
  const smithy = smithySigner(c, false);
  const options = { signingDate: new Date(c.date), expiresIn };
  const smithyHeaders = { ...c.headers.smithy };
  if (c.s3) {
    // Ours presigns S3 with UNSIGNED-PAYLOAD; so does the SDK's S3 presigner, this way.
    smithyHeaders["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
    options.unhoistableHeaders = new Set(["x-amz-content-sha256"]);
    options.unsignableHeaders = new Set(["x-amz-content-sha256"]);
  }
  const theirs = await smithy.presign(smithyRequest(c, u, smithyHeaders, undefined), options);

  const problems = [];
  const ourParams = new URL(ours.url).searchParams;
  for (const name of PRESIGN_PARAMS) {
    const mine = ourParams.get(name) ?? undefined;
    if (mine !== theirs.query[name]) problems.push(`${name}: ours ${mine} smithy ${theirs.query[name]}`);
  }
  // The URL sent is the given one with the X-Amz-* parameters appended.
  const base = u.href.split("#")[0];
  if (!ours.url.startsWith(base) || !/^[?&]?X-Amz-Algorithm=/.test(ours.url.slice(base.length))) problems.push(`url: ours ${ours.url}, given ${base}`);
  return problems.length
    ? `${problems.join("\n")}\n${describe(c, { mode: "presign", expiresIn, ourReq: { ...ourReq, url: String(ourReq.url) } })}\n--- our canonical request\n${ours.canonicalRequest}\n--- smithy's\n${smithy.lastCanonicalRequest}`
    : null;
}

test(`pkg/ signs and presigns like @smithy/signature-v4 (seed ${SEED}, ${CASES} cases × 2)`, async (t) => {
  await init();
  const rng = new Rng(SEED);
  const failures = [];
  let failed = 0;
  const stats = { s3: 0, sessionToken: 0, query: 0, repeatedQueryKey: 0, repeatedHeader: 0, body: 0 };
  for (let i = 0; i < CASES; i++) {
    for (const presign of [false, true]) {
      const c = genCase(rng, presign);
      stats.s3 += c.s3;
      stats.sessionToken += !!c.credentials.sessionToken;
      stats.repeatedHeader += Array.isArray(c.headers.ours) && new Set(c.headers.ours.map(([n]) => n.toLowerCase())).size !== c.headers.ours.length;
      const keys = [...new URL(c.urlString).searchParams.keys()];
      stats.query += keys.length > 0;
      stats.repeatedQueryKey += new Set(keys).size !== keys.length;
      let problem;
      try {
        problem = presign ? await runPresign(rng, c) : await runSign(rng, c, stats);
      } catch (err) {
        if (err.message?.startsWith("generator bug")) throw err;
        problem = `threw ${err.name}: ${err.message}\n${describe(c, { mode: presign ? "presign" : "sign" })}`;
      }
      if (problem) {
        failed++;
        if (failures.length < 5) failures.push(`case ${i} (${presign ? "presign" : "sign"}): ${problem}`);
      }
    }
  }
  t.diagnostic(`seed ${SEED}: ${CASES * 2} requests (${JSON.stringify(stats)})`);
  assert.equal(
    failed,
    0,
    `${failed} of ${CASES * 2} requests differ from smithy; replay with DIFF_SEED=${SEED} node --test tests/js/differential-smithy.test.mjs\n\n${failures.join("\n\n")}`,
  );
});
