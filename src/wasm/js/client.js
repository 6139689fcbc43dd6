// AwsClient: a signed drop-in for window.fetch. Credentials come from a
// CognitoIdentityCredentials (or anything with get()) or are plain keys;
// service and region are read from AWS host names when not given.

import { Signer } from "./signer.js";
import { freeQuietly, put, take, wasm } from "./wasm.js";
import { bodyBytes, requireReady, sdkError, sleepUntil } from "./util.js";

/** `{ service, region }` from an AWS host name, or {} when it is not one. */
export function inferServiceRegion(hostname) {
  const h = hostname.toLowerCase();
  let m = /^[^.]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(h);
  if (m) return { service: "execute-api", region: m[1] };
  m = /(?:^|\.)s3[.-]([a-z0-9-]+)\.amazonaws\.com$/.exec(h);
  if (m && m[1] !== "external-1") return { service: "s3", region: m[1] === "accelerate" ? "us-east-1" : m[1] };
  if (/(?:^|\.)s3(?:-external-1)?\.amazonaws\.com$/.test(h)) return { service: "s3", region: "us-east-1" };
  m = /^([a-z0-9-]+)\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com$/.exec(h);
  if (m) return { service: m[1], region: m[2] };
  m = /^([a-z0-9-]+)\.amazonaws\.com$/.exec(h);
  if (m) return { service: m[1], region: "us-east-1" };
  return {};
}

// The Request options fetch() honours besides method, headers and body: a
// signed copy of a Request keeps them all, so it behaves like the original.
const CARRIED = ["signal", "credentials", "redirect", "mode", "cache", "referrer", "referrerPolicy", "integrity", "keepalive", "priority"];
const WEBCRYPTO_MIN_BYTES = 64 * 1024;

/**
 * One request's retries and clock correction, decided by the Rust core
 * (src/signed_fetch.rs); this only carries the outcomes across.
 */
class Lifecycle {
  #h;
  constructor(maxRetries) {
    this.#h = wasm.fetch_new(maxRetries, Date.now(), Math.random());
  }
  static #decode(n) {
    const [kind, value] = take(n).split("\n");
    return { kind, value: Number(value) };
  }
  answer(response, body, fromSignedHost) {
    const date = (response.headers.get("date") ?? "").replace(/[\r\n]/g, "");
    put([date, body]);
    return Lifecycle.#decode(wasm.fetch_on_answer(this.#h, response.status, fromSignedHost, Date.now()));
  }
  networkError(host) {
    put([host]);
    return Lifecycle.#decode(wasm.fetch_on_network_error(this.#h, Date.now()));
  }
  free() {
    freeQuietly("fetch_free", this.#h);
  }
}


export class AwsClient {
  #credentials;
  #signers = new Map();
  #offset = 0;

  constructor(options = {}) {
    requireReady();
    const { credentials, region, service, retries = 3 } = options;
    if (!credentials || (typeof credentials.get !== "function" && typeof credentials.accessKeyId !== "string")) {
      throw sdkError("MissingCredentials", "credentials must be a CognitoIdentityCredentials (or anything with get()) or { accessKeyId, secretAccessKey, sessionToken? }");
    }
    this.#credentials = credentials;
    this.region = region;
    this.service = service;
    this.retries = retries;
  }

  async #keys() {
    const c = typeof this.#credentials.get === "function" ? await this.#credentials.get() : this.#credentials;
    if (typeof this.#credentials.clockOffset === "number" && this.#offset === 0) this.#offset = this.#credentials.clockOffset;
    return c;
  }

  #signer(keys, url) {
    const inferred = inferServiceRegion(url.hostname);
    const region = this.region ?? inferred.region;
    const service = this.service ?? inferred.service;
    if (!region || !service) {
      throw sdkError("InvalidConfig", `cannot tell the AWS service and region of ${url.host}: pass { service, region } to AwsClient`);
    }
    const id = `${keys.accessKeyId}\n${region}\n${service}`;
    let signer = this.#signers.get(id);
    if (!signer) {
      // Signers of rotated credentials are dropped: one per key, region and service.
      for (const [k, s] of this.#signers) if (!k.startsWith(keys.accessKeyId + "\n")) (s.free(), this.#signers.delete(k));
      signer = new Signer({ ...keys, region, service });
      this.#signers.set(id, signer);
    }
    return signer;
  }

  /** The signed Request that fetch() would send. */
  async sign(input, init = {}) {
    return this.#sign(await this.#prepare(input, init));
  }

  /** Reads `input` and `init` once: a body is buffered, so that a retry can send it again. */
  async #prepare(input, init) {
    const request = typeof Request !== "undefined" && input instanceof Request ? input : null;
    const url = new URL(request ? request.url : String(input));
    const method = (init.method ?? request?.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers ?? request?.headers ?? undefined);
    let body = init.body !== undefined ? init.body : request?.body && method !== "GET" && method !== "HEAD" ? await request.arrayBuffer() : undefined;
    if (typeof Blob !== "undefined" && body instanceof Blob) body = await body.arrayBuffer();
    const options = {};
    for (const key of CARRIED) {
      const value = init[key] !== undefined ? init[key] : request?.[key];
      if (value !== undefined && value !== null && !(key === "mode" && value === "navigate")) options[key] = value;
    }
    // Streams cannot be hashed before sending, nor sent twice; `unsignedPayload: true` asks for the same on purpose (S3 only).
    const stream = body != null && typeof ReadableStream !== "undefined" && body instanceof ReadableStream;
    const unsignedPayload = stream || !!init.unsignedPayload;
    // Large bodies are hashed by WebCrypto (native SHA-256, several times the
    // speed of wasm) since fetch is async anyway; small ones stay in wasm,
    // where a call costs less than WebCrypto's round trip.
    let payloadHash;
    const bytes = body != null && !unsignedPayload ? bodyBytes(body) : null;
    if (bytes && (bytes.length ?? 0) >= WEBCRYPTO_MIN_BYTES && globalThis.crypto?.subtle) {
      const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
      payloadHash = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    }
    return { url, method, headers, body, options, stream, unsignedPayload, payloadHash };
  }

  async #sign({ url, method, headers, body, options, stream, unsignedPayload, payloadHash }) {
    const keys = await this.#keys();
    const signed = this.#signer(keys, url).sign({
      method, url, headers, body: unsignedPayload || payloadHash ? undefined : body, unsignedPayload, payloadHash, date: Date.now() + this.#offset,
    });
    delete signed.headers.host; // browsers set it themselves
    return new Request(signed.url, { ...options, method, headers: signed.headers, body, ...(stream ? { duplex: "half" } : {}) });
  }

  /**
   * Signs and sends, like window.fetch. Retries throttling, 5xx and network
   * failures (not a streamed body, which cannot be sent twice, nor an abort);
   * corrects clock skew once, learned from the host signed for only.
   */
  async fetch(input, init = {}) {
    const prepared = await this.#prepare(input, init);
    const signal = prepared.options.signal;
    const life = new Lifecycle(prepared.stream ? 0 : this.retries);
    try {
      for (;;) {
        signal?.throwIfAborted?.();
        const request = await this.#sign(prepared);
        let response, next;
        try {
          response = await fetch(request);
        } catch (cause) {
          if (signal?.aborted) throw cause;
          try {
            next = life.networkError(prepared.url.host);
          } catch (err) {
            throw Object.assign(err, { cause });
          }
          await sleepUntil(next.value);
          continue;
        }
        // A redirect may have led to another host, whose clock is none of ours.
        const fromSignedHost = !response.redirected && (!response.url || new URL(response.url).host === prepared.url.host);
        // A 403's words tell a clock skew; no other body is read here.
        const body = response.status === 403 ? await response.clone().text() : "";
        next = life.answer(response, body, fromSignedHost);
        if (next.kind === "done") return response;
        if (next.kind === "resign") {
          this.#offset = next.value;
          if (typeof this.#credentials.clockOffset === "number") this.#credentials.clockOffset = next.value;
          continue;
        }
        await sleepUntil(next.value);
      }
    } finally {
      life.free();
    }
  }

  /** A presigned URL for `url` (GET by default), valid `expiresIn` seconds. */
  async presign(url, { method = "GET", expiresIn = 3600, headers } = {}) {
    const keys = await this.#keys();
    const u = new URL(String(url));
    return this.#signer(keys, u).presign({ method, url: u, headers, expiresIn, date: Date.now() + this.#offset });
  }
}
