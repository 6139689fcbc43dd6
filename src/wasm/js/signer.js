// Signer: synchronous SigV4 signing and presigning with fixed credentials.

import { RawSigner, sha256Hex } from "./cognito_sigv4_wasm.js";
import {
  EMPTY, PAYLOAD_BYTES, PAYLOAD_EMPTY, PAYLOAD_HASH, PAYLOAD_TEXT, PAYLOAD_UNSIGNED,
  bodyBytes, dateMs, flattenHeaders, normalizeUrl, requireReady, requireString, sdkError,
} from "./util.js";

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
    this.#raw = new RawSigner(accessKeyId, secretAccessKey, sessionToken || undefined, region, service);
    this.region = region;
    this.service = service;
  }

  /**
   * Releases the signer's wasm memory now instead of at garbage collection
   * (worth it when creating many short-lived signers). The signer is unusable after.
   */
  free() {
    this.#raw?.free();
    this.#raw = undefined;
  }

  #live() {
    if (!this.#raw) throw sdkError("InvalidConfig", "this Signer was freed: create a new one");
    return this.#raw;
  }

  /**
   * Signs a request in its headers. Returns `{ method, url, headers }`, ready for fetch.
   */
  sign(request) {
    if (!request || typeof request !== "object") throw sdkError("InvalidUrl", "sign() takes { method, url, headers?, body?, date? }");
    const url = request.rawUrl ? String(request.url) : normalizeUrl(request.url);
    const method = request.method === undefined ? "GET" : String(request.method);
    let mode = PAYLOAD_EMPTY, bytes = EMPTY, text = "";
    if (request.unsignedPayload) mode = PAYLOAD_UNSIGNED;
    else if (request.payloadHash !== undefined) {
      mode = PAYLOAD_HASH;
      text = String(request.payloadHash);
    } else {
      const body = bodyBytes(request.body);
      if (typeof body === "string") (mode = PAYLOAD_TEXT), (text = body);
      else if (body) (mode = PAYLOAD_BYTES), (bytes = body);
    }
    const flat = this.#live().sign(method, url, flattenHeaders(request.headers), mode, bytes, text, !!request.contentSha256, dateMs(request.date));
    const parts = flat.split("\n");
    const headers = {};
    for (let i = 2; i < parts.length; i += 2) headers[parts[i]] = parts[i + 1];
    return { method: parts[0], url: parts[1], headers };
  }

  /** Presigns a URL: credentials and signature travel in the query. */
  presign(request) {
    if (!request || typeof request !== "object") throw sdkError("InvalidUrl", "presign() takes { method?, url, headers?, expiresIn?, date? }");
    const url = request.rawUrl ? String(request.url) : normalizeUrl(request.url);
    const method = request.method === undefined ? "GET" : String(request.method);
    const expiresIn = request.expiresIn === undefined ? 3600 : Number(request.expiresIn);
    return this.#live().presign(method, url, flattenHeaders(request.headers), expiresIn, dateMs(request.date));
  }

  /**
   * Signs (or presigns, with `{ presign: true }`) and also returns the canonical
   * request and string to sign: for debugging a SignatureDoesNotMatch.
   */
  explain(request, { presign = false } = {}) {
    const result = presign ? { url: this.presign(request) } : this.sign(request);
    return { ...result, canonicalRequest: this.#live().canonicalRequest, stringToSign: this.#live().stringToSign };
  }
}

/** Lower-case hex SHA-256 of a string or bytes (to pass as payloadHash). */
export function sha256(data) {
  requireReady();
  const body = bodyBytes(data);
  return sha256Hex(typeof body === "string" ? new TextEncoder().encode(body) : body || EMPTY);
}
