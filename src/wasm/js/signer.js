// Signer: synchronous SigV4 signing and presigning with fixed credentials.

import { freeQuietly, handle, put, take, wasm } from "./wasm.js";
import { bodyBytes, noBreak, presignInput, requireReady, requireString, sdkError, signInput, signedRequest } from "./util.js";

// Frees the wasm side of signers that are garbage collected without free().
const finalizer = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((h) => freeQuietly("signer_free", h)) : null;

/** SigV4 signing with fixed credentials, region and service. */
export class Signer {
  #raw;

  constructor(options = {}) {
    requireReady();
    const { accessKeyId, secretAccessKey, sessionToken, region, service } = options;
    requireString(accessKeyId, "accessKeyId", "MissingCredentials");
    requireString(secretAccessKey, "secretAccessKey", "MissingCredentials");
    if (sessionToken != null && typeof sessionToken !== "string") throw sdkError("MissingCredentials", "sessionToken must be a string when given");
    requireString(region, "region", "InvalidConfig");
    requireString(service, "service", "InvalidConfig");
    put([
      noBreak(accessKeyId, "accessKeyId", "MissingCredentials"),
      noBreak(secretAccessKey, "secretAccessKey", "MissingCredentials"),
      noBreak(sessionToken || "", "sessionToken", "MissingCredentials"),
      noBreak(region, "region", "InvalidConfig"),
      noBreak(service, "service", "InvalidConfig"),
    ]);
    this.#raw = handle(wasm.signer_new());
    finalizer?.register(this, this.#raw, this);
    this.region = region;
    this.service = service;
  }

  /**
   * Releases the signer's wasm memory now instead of at garbage collection
   * (worth it when creating many short-lived signers). The signer is unusable after.
   */
  free() {
    if (!this.#raw) return;
    finalizer?.unregister(this);
    wasm.signer_free(this.#raw);
    this.#raw = undefined;
  }

  #live() {
    if (!this.#raw) throw sdkError("InvalidConfig", "this Signer was freed: create a new one");
    return this.#raw;
  }

  // sign() and presign() read all of `request` (whose getters may run any
  // code, free() included) before they touch the wasm handle.

  /**
   * Signs a request in its headers. Returns `{ method, url, headers }`, ready for fetch.
   */
  sign(request) {
    const { method, url, mode, body, hash, headers: flat, contentSha256, date } = signInput(request);
    const raw = this.#live();
    const bodyLen = put([method, url, hash, ...flat], body);
    const parts = take(wasm.signer_sign(raw, bodyLen, mode, contentSha256, date)).split("\n");
    return signedRequest(parts);
  }

  /** Presigns a URL: credentials and signature travel in the query. */
  presign(request) {
    const { method, url, headers, expiresIn, date } = presignInput(request);
    const raw = this.#live();
    put([method, url, ...headers]);
    return take(wasm.signer_presign(raw, expiresIn, date));
  }

  /**
   * Signs (or presigns, with `{ presign: true }`) and also returns the canonical
   * request and string to sign: for debugging a SignatureDoesNotMatch.
   */
  explain(request, { presign = false } = {}) {
    const result = presign ? { url: this.presign(request) } : this.sign(request);
    const both = take(wasm.signer_explain(this.#live()));
    const cut = both.lastIndexOf("\0");
    return { ...result, canonicalRequest: both.slice(0, cut), stringToSign: both.slice(cut + 1) };
  }
}

/** Lower-case hex SHA-256 of a string or bytes (to pass as payloadHash). */
export function sha256(data) {
  requireReady();
  let body = bodyBytes(data);
  if (typeof body === "string") body = encoder.encode(body);
  const len = put([], body);
  return take(wasm.sha256_hex(len));
}

const encoder = new TextEncoder();

