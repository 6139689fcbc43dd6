// `npm run soak` (also the end of `npm run bench`): the SDK from Node against
// the devstack, with the devstack's fault-injecting proxy in front of the
// identity pool, API Gateway and S3 (tests/devstack/fault-proxy.mjs).
//  1. Faults: for each kind and service, operations run while the proxy
//     injects that fault into each request with probability 1/2. Every
//     outcome is classed: succeeded (the right answer), failed with the right
//     typed error for the fault (or, for API Gateway, the service's own answer
//     once out of retries; for its body, which the caller reads, fetch's own
//     error), or wrong (anything else, a secret in an error
//     included): wrong must be 0.
//  2. Load: 1,000 concurrent first calls on one provider (exchange requests
//     counted), then 10,000 signed requests to the devstack's API Gateway in
//     bounded concurrency, with the wasm memory and JS heap sampled as they go.
// Prints markdown tables on stdout; exits 1 if any result was wrong.
//   node --expose-gc bench/soak.mjs [--quick]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sdkInit, * as sdk from "../pkg/user-pool/index.js";
import glueInit from "../pkg/user-pool/cognito_sigv4_wasm.js";
import { startDevstack } from "../tests/js/devstack.mjs";
import { startFaultProxy } from "../tests/devstack/fault-proxy.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const QUICK = process.argv.includes("--quick");
const OPS = QUICK ? 3 : 8; // operations per fault kind and service
const REQUESTS = QUICK ? 2_000 : 10_000;
const TIMEOUT_MS = 400;
const log = (m) => process.stderr.write(`[soak] ${m}\n`);

await sdkInit();
const wasm = await glueInit(); // the module sdkInit() instantiated (the glue returns it again)
const stack = await startDevstack([], {}, { quiet: true });
const c = stack.config;
const proxies = {
  userPool: await startFaultProxy(c.userPoolEndpoint, "json"),
  identity: await startFaultProxy(c.identityEndpoint, "json"),
  api: await startFaultProxy(new URL(c.apiUrl).origin, "apigw"),
  s3: await startFaultProxy(c.s3Endpoint, "xml"),
};
const user = c.users.find((u) => u.username.startsWith("user@"));
const pool = new sdk.UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
const { idToken } = await pool.signIn(user.username, user.password);
const direct = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, storage: "memory" });
const keys = await direct.get();
const secrets = [idToken, keys.secretAccessKey, keys.sessionToken];
const plainKeys = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken };
const s3Key = `${c.s3Prefix}/${keys.identityId}/soak.txt`;
await new sdk.S3Client({ credentials: plainKeys, region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint }).putObject(s3Key, "soak");
const apiPath = `${new URL(c.apiUrl).pathname}/user`;
const apiTruth = await (await new sdk.AwsClient({ credentials: plainKeys, region: c.region, service: "execute-api" }).fetch(`${c.apiUrl}/user`)).text();

// What each service's operation is, and what its right answer is.
const SERVICES = {
  userPool: {
    run: () => new sdk.UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: proxies.userPool.url }).signIn(user.username, user.password, { flow: "password" }),
    right: (t) => sdk.decodeJwt(t.idToken).payload.sub === sdk.decodeJwt(idToken).payload.sub,
  },
  identity: {
    run: () => new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: proxies.identity.url, storage: "memory", timeoutMs: TIMEOUT_MS }).get(),
    right: (k) => /^ASIA/.test(k.accessKeyId) && k.identityId === keys.identityId,
  },
  api: {
    run: async () => {
      const res = await new sdk.AwsClient({ credentials: plainKeys, region: c.region, service: "execute-api", timeoutMs: TIMEOUT_MS }).fetch(`${proxies.api.url}${apiPath}`);
      // The body is the caller's to read, with fetch's own errors (a timeout's too).
      return res.text().then((text) => ({ status: res.status, text }), (e) => ({ status: res.status, bodyError: e.name }));
    },
    right: (r) => r.status === 200 && r.text === apiTruth,
  },
  s3: {
    run: () => new sdk.S3Client({ credentials: plainKeys, region: c.region, bucket: c.bucket, endpoint: proxies.s3.url, timeoutMs: TIMEOUT_MS }).listObjects({ prefix: `${c.s3Prefix}/${keys.identityId}/` }),
    right: (l) => l.objects.some((o) => o.key === s3Key && o.size === 4),
  },
};

// Each fault, and the typed errors (or API Gateway statuses) that are right for it.
const FAULTS = [
  ["latency 200 ms", { kind: "latency", ms: 200 }, []],
  ["connection reset", { kind: "reset" }, ["Network"]],
  ["cut off mid-body", { kind: "truncate" }, ["Network", "body:TypeError"]],
  ["cut off, close-delimited", { kind: "truncate-close" }, ["Malformed"]],
  ["500", { kind: "status", status: 500 }, ["InternalErrorException", "InternalError", 500]],
  ["502", { kind: "status", status: 502 }, ["ServiceUnavailableException", "ServiceError", "SlowDown", 502]],
  ["503", { kind: "status", status: 503 }, ["ServiceUnavailableException", "SlowDown", 503]],
  ["429", { kind: "status", status: 429 }, ["TooManyRequestsException", "TooManyRequests", 429]],
  ["429 + Retry-After: 1", { kind: "status", status: 429, retryAfter: 1 }, ["TooManyRequestsException", "TooManyRequests", 429]],
  ["stalled head", { kind: "stall" }, ["Timeout"]],
  ["stalled body", { kind: "stall-body" }, ["Timeout", "body:TimeoutError"]],
];
// An API answer cut short and delimited by the connection's close looks whole
// to any HTTP client (API Gateway always sends a length): not injected there.
const SKIP = new Set(["api cut off, close-delimited"]);

function classify(service, rightErrors, outcome) {
  if ("value" in outcome) {
    if (SERVICES[service].right(outcome.value)) return "ok";
    if (service === "api" && rightErrors.includes(outcome.value.status)) return "typed";
    if (service === "api" && rightErrors.includes(`body:${outcome.value.bodyError}`)) return "typed";
    return `wrong: ${JSON.stringify(outcome.value).slice(0, 120)}`;
  }
  const e = outcome.error;
  const text = [e?.name, e?.message, e?.stack, String(e?.cause ?? "")].join("\n");
  if (secrets.some((s) => text.includes(s))) return "wrong: a secret in the error";
  if (rightErrors.includes(e?.name)) return "typed";
  return `wrong: ${e?.name}: ${e?.message}`;
}

const rows = [];
let wrong = 0;
for (const [label, fault, rightErrors] of FAULTS) {
  for (const service of Object.keys(SERVICES)) {
    if (SKIP.has(`${service} ${label}`)) continue;
    const proxy = proxies[service];
    const before = proxy.stats.injected[fault.kind] ?? 0;
    proxy.rule = () => (Math.random() < 0.5 ? fault : null);
    const results = await Promise.all(
      Array.from({ length: OPS }, async () => {
        const t0 = performance.now();
        const outcome = await SERVICES[service].run().then((value) => ({ value }), (error) => ({ error }));
        return { class: classify(service, rightErrors, outcome), ms: performance.now() - t0 };
      }),
    );
    proxy.rule = () => null;
    const failed = results.filter((r) => r.class !== "ok");
    const bad = results.filter((r) => r.class.startsWith("wrong"));
    wrong += bad.length;
    for (const b of bad) log(`${service} ${label}: ${b.class}`);
    rows.push({
      fault: label,
      service,
      injected: (proxy.stats.injected[fault.kind] ?? 0) - before,
      ok: results.length - failed.length,
      typed: failed.length - bad.length,
      wrong: bad.length,
      giveUp: failed.length ? Math.max(...failed.map((r) => r.ms)) : 0,
    });
    log(`${label} / ${service}: ${rows.at(-1).ok} ok, ${rows.at(-1).typed} typed, ${bad.length} wrong`);
  }
}

console.log(`\n## Faults (${OPS} operations per row, each request faulted with probability 1/2; timeoutMs ${TIMEOUT_MS}, retries 3)\n`);
console.log("| fault | service | faults injected | succeeded | right typed error | wrong | slowest give-up (ms) |");
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.fault} | ${r.service} | ${r.injected} | ${r.ok} | ${r.typed} | ${r.wrong} | ${r.giveUp ? r.giveUp.toFixed(0) : "-"} |`);
const total = (k) => rows.reduce((n, r) => n + r[k], 0);
console.log(`| **all** | | ${total("injected")} | ${total("ok")} | ${total("typed")} | ${total("wrong")} | |`);

// Load: one provider's first calls, then 10,000 signed requests.
for (const k of Object.keys(proxies.identity.stats)) proxies.identity.stats[k] = k === "requests" ? 0 : {};
const shared = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: proxies.identity.url, storage: "memory" });
await Promise.all(Array.from({ length: 1000 }, () => shared.get()));
const exchanges = proxies.identity.stats.requests;

const aws = new sdk.AwsClient({ credentials: shared, region: c.region, service: "execute-api" });
const memory = () => {
  globalThis.gc?.();
  return { wasm: wasm.memory.buffer.byteLength, heap: process.memoryUsage().heapUsed };
};
const samples = [{ done: 0, ...memory() }];
const statuses = {};
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < REQUESTS) {
      next++;
      const res = await aws.fetch(`${c.apiUrl}/user`);
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const done = Object.values(statuses).reduce((a, b) => a + b, 0);
      if (done % (REQUESTS / 5) === 0) samples.push({ done, ...memory() });
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
const signatureFailures = statuses[403] ?? 0;
if (exchanges !== 2 || signatureFailures || (statuses[200] ?? 0) !== REQUESTS) wrong++;

console.log(`\n## Load (Node ${process.version})\n`);
console.log(`- 1,000 concurrent first get() on one provider: ${exchanges} exchange requests (GetId + GetCredentialsForIdentity; must be 2)`);
console.log(`- ${REQUESTS.toLocaleString("en")} signed GETs to the devstack's API Gateway, 64 in flight: ${JSON.stringify(statuses)} in ${seconds.toFixed(1)} s (${(REQUESTS / seconds).toFixed(0)}/s, the devstack's pace); signature failures ${signatureFailures}`);
console.log("\n| requests done | wasm memory (bytes) | JS heap used (MB) |\n|---:|---:|---:|");
for (const s of samples) console.log(`| ${s.done.toLocaleString("en")} | ${s.wasm.toLocaleString("en")} | ${(s.heap / 1e6).toFixed(1)} |`);
if (!globalThis.gc) console.log("\n(run with node --expose-gc for heap figures after collection)");

await Promise.all(Object.values(proxies).map((p) => p.close()));
stack.stop();
log(wrong ? `${wrong} wrong results` : "no wrong results");
process.exit(wrong ? 1 : 0);
