// cognito-sigv4/signer: Signer alone, for apps that have credentials already
// (aws4fetch's users). The wasm is the same crate built with the signer-entry
// feature, behind wasm-bindgen's generated glue (cognito_sigv4_signer.js); this
// file only adds the package's API shape: option objects, the platform's URL
// parser, typed errors, and ModuleFailed after a trap.

import initGlue, { initSync as initGlueSync, RawSigner, sha256_hex } from "./cognito_sigv4_signer.js";
import { bodyBytes, checkInputSize, fromWasmError, noBreak, presignInput, requireString, sdkError, signInput, signedRequest } from "../util.js";

let ready = false;
let trapped = null;

/** Loads the wasm: fetched beside this file, or read from disk in Node; or from `input`. */
export default async function init(input) {
  if (ready && input === undefined) return;
  let source = input && typeof input === "object" && "module_or_path" in input ? input.module_or_path : input;
  if (source === undefined) {
    source = new URL("./cognito_sigv4_signer_bg.wasm", import.meta.url);
    if (source.protocol === "file:") {
      // Node's fetch cannot read file: URLs; no import statement names node:fs, for bundlers' sake.
      const fs = globalThis.process?.getBuiltinModule?.("fs/promises");
      if (!fs) throw sdkError("NotInitialized", "cannot read the wasm from disk here: pass its bytes to init()");
      source = await fs.readFile(source);
    }
  }
  await initGlue({ module_or_path: source });
  ready = true;
}

/** Synchronous init from the wasm bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  initGlueSync({ module: module && typeof module === "object" && "module" in module ? module.module : module });
  ready = true;
}

/**
 * Runs a wasm call. The module throws its typed errors as `name\nmessage`
 * strings; a trap leaves it torn, so every later call answers ModuleFailed.
 */
function call(f) {
  if (!ready) throw sdkError("NotInitialized", "call `await init()` (or initSync(bytes)) once before using cognito-sigv4/signer");
  if (trapped) throw sdkError("ModuleFailed", `cognito-sigv4's WebAssembly module stopped (${trapped.message}): reload the page`);
  try {
    return f();
  } catch (e) {
    const typed = fromWasmError(e);
    if (typed) throw typed;
    trapped = e instanceof Error ? e : new Error(String(e));
    return call(f);
  }
}

/** SigV4 signing with fixed credentials, region and service. */
export class Signer {
  #raw;

  constructor(options = {}) {
    const { accessKeyId, secretAccessKey, sessionToken, region, service } = options;
    requireString(accessKeyId, "accessKeyId", "MissingCredentials");
    requireString(secretAccessKey, "secretAccessKey", "MissingCredentials");
    if (sessionToken != null && typeof sessionToken !== "string") throw sdkError("MissingCredentials", "sessionToken must be a string when given");
    requireString(region, "region", "InvalidConfig");
    requireString(service, "service", "InvalidConfig");
    this.#raw = call(() => new RawSigner(accessKeyId, secretAccessKey, sessionToken || "", noBreak(region, "region", "InvalidConfig"), noBreak(service, "service", "InvalidConfig")));
    this.region = region;
    this.service = service;
  }

  /** Releases the wasm memory now instead of at garbage collection. */
  free() {
    this.#raw?.free();
    this.#raw = undefined;
  }

  #live() {
    if (!this.#raw) throw sdkError("InvalidConfig", "this Signer was freed: create a new one");
    return this.#raw;
  }

  /** Signs a request in its headers: `{ method, url, headers }`, ready for fetch. */
  sign(request) {
    const { method, url, mode, body, hash, headers, contentSha256, date } = signInput(request);
    checkInputSize(body);
    const raw = this.#live();
    return signedRequest(call(() => raw.sign(method, url, headers.join("\n"), mode, body ?? new Uint8Array(0), hash, contentSha256, date)).split("\n"));
  }

  /** Presigns a URL: credentials and signature travel in the query. */
  presign(request) {
    const { method, url, headers, expiresIn, date } = presignInput(request);
    const raw = this.#live();
    return call(() => raw.presign(method, url, headers.join("\n"), expiresIn, date));
  }
}

/** Lower-case hex SHA-256 of a string or bytes (to pass as payloadHash). */
export function sha256(data) {
  let body = bodyBytes(data);
  if (typeof body === "string") body = new TextEncoder().encode(body);
  checkInputSize(body);
  return call(() => sha256_hex(body ?? new Uint8Array(0)));
}
