// The Signer of both modules, the whole SDK (signer.js) and cognito-sigv4/signer
// (signer-entry.js): option objects in, through the platform's URL parser, to
// the #[wasm_bindgen] RawSigner of the module's glue (src/wasm/signer.rs).

import { bodyBytes, checkInputSize, noBreak, presignInput, requireString, sdkError, signInput, signedRequest } from "./util.js";

const EMPTY = new Uint8Array(0);

// From this size signAsync() hashes the body with WebCrypto: its native
// SHA-256 runs at 1-2 GB/s where the module's does 0.3-0.5, and above 64 KiB
// the hash outweighs WebCrypto's async round trip (as AwsClient measured it).
const WEBCRYPTO_MIN_BYTES = 64 * 1024;

/**
 * `{ Signer, sha256 }` over a module's glue (`{ RawSigner, sha256_hex }`), its
 * trap guard, and its readiness check. A RawSigner that is garbage collected
 * without free() is freed by the glue's own FinalizationRegistry.
 */
export function defineSigner({ RawSigner, sha256_hex }, guarded, requireReady) {
  /** SigV4 signing with fixed credentials, region and service. */
  class Signer {
    #raw;
    #token;

    constructor(options = {}) {
      requireReady();
      const { accessKeyId, secretAccessKey, sessionToken, region, service } = options;
      requireString(accessKeyId, "accessKeyId", "MissingCredentials");
      requireString(secretAccessKey, "secretAccessKey", "MissingCredentials");
      if (sessionToken != null && typeof sessionToken !== "string") throw sdkError("MissingCredentials", "sessionToken must be a string when given");
      requireString(region, "region", "InvalidConfig");
      requireString(service, "service", "InvalidConfig");
      this.#raw = guarded(() => new RawSigner(accessKeyId, secretAccessKey, sessionToken || "", noBreak(region, "region", "InvalidConfig"), noBreak(service, "service", "InvalidConfig")));
      this.#token = sessionToken;
      this.region = region;
      this.service = service;
    }

    /**
     * Releases the signer's wasm memory now instead of at garbage collection
     * (worth it when creating many short-lived signers). The signer is unusable after.
     */
    free() {
      if (!this.#raw) return;
      const raw = this.#raw;
      this.#raw = undefined;
      guarded(() => raw.free(), true);
    }

    #live() {
      if (!this.#raw) throw sdkError("InvalidConfig", "this Signer was freed: create a new one");
      return this.#raw;
    }

    // sign() and presign() read all of `request` (whose getters may run any
    // code, free() included) before they touch the wasm side.

    /** Signs a request in its headers. Returns `{ method, url, headers }`, ready for fetch. */
    sign(request) {
      const { method, url, mode, body, hash, headers, contentSha256, date } = signInput(request);
      checkInputSize(body);
      const raw = this.#live();
      return signedRequest(guarded(() => raw.sign(method, url, headers.join("\n"), mode, body ?? EMPTY, hash, contentSha256, date)).split("\n"), this.#token);
    }

    /**
     * As sign(), async: a body of 64 KiB or more is hashed by WebCrypto
     * (crypto.subtle) first, several times faster than in wasm. Same result.
     */
    async signAsync(request) {
      const body = request?.body;
      if (request && !request.unsignedPayload && request.payloadHash === undefined && body != null && globalThis.crypto?.subtle) {
        let bytes = bodyBytes(body);
        if (typeof bytes === "string") bytes = new TextEncoder().encode(bytes);
        if (bytes && bytes.length >= WEBCRYPTO_MIN_BYTES) {
          const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
          const payloadHash = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
          return this.sign({ ...request, body: undefined, payloadHash });
        }
      }
      return this.sign(request);
    }

    /** Presigns a URL: credentials and signature travel in the query. */
    presign(request) {
      const { method, url, headers, expiresIn, date } = presignInput(request);
      const raw = this.#live();
      return guarded(() => raw.presign(method, url, headers.join("\n"), expiresIn, date));
    }

    /**
     * Signs (or presigns, with `{ presign: true }`) and also returns the canonical
     * request and string to sign: for debugging a SignatureDoesNotMatch.
     */
    explain(request, { presign = false } = {}) {
      const result = presign ? { url: this.presign(request) } : this.sign(request);
      const raw = this.#live();
      const both = guarded(() => raw.explain());
      const cut = both.lastIndexOf("\0");
      return { ...result, canonicalRequest: both.slice(0, cut), stringToSign: both.slice(cut + 1) };
    }
  }
  // The signer-only module keeps no canonical request: no explain() there.
  if (typeof RawSigner.prototype.explain !== "function") delete Signer.prototype.explain;

  /** Lower-case hex SHA-256 of a string or bytes (to pass as payloadHash). */
  function sha256(data) {
    requireReady();
    let body = bodyBytes(data);
    if (typeof body === "string") body = new TextEncoder().encode(body);
    checkInputSize(body);
    return guarded(() => sha256_hex(body ?? EMPTY));
  }

  return { Signer, sha256 };
}
