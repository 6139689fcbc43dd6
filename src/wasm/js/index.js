// cognito-sigv4: the JS face of the package. The signing itself happens in Rust
// (compiled to wasm); this file only turns JS values into the flat strings the
// wasm side takes, and its answers back into the objects of the API contract.
// It uses the platform's own URL, TextEncoder and Headers rather than shipping
// parsers for them in wasm.

import wbgInit, { initSync as wbgInitSync, RawSigner, sha256Hex } from "./cognito_sigv4_wasm.js";

let ready = false;

/**
 * Loads the wasm module. In browsers and bundlers it is fetched next to this
 * file; in Node it is read from disk. Pass a URL, Response, bytes or a
 * WebAssembly.Module to load it from elsewhere.
 */
export default async function init(input) {
  if (ready && input === undefined) return;
  let source = input && typeof input === "object" && "module_or_path" in input ? input.module_or_path : input;
  if (source === undefined && isNode() && import.meta.url.startsWith("file:")) {
    // Node's fetch cannot read file: URLs; webpack and other bundlers must not
    // try to bundle node:fs, hence the ignore comments.
    const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ "node:fs/promises");
    source = await fs.readFile(new URL("./cognito_sigv4_wasm_bg.wasm", import.meta.url));
  }
  await wbgInit(source === undefined ? undefined : { module_or_path: source });
  ready = true;
}

/** Synchronous init from the wasm bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  const source = module && typeof module === "object" && "module" in module ? module.module : module;
  wbgInitSync({ module: source });
  ready = true;
}

function isNode() {
  return typeof process === "object" && process !== null && !!(process.versions && process.versions.node);
}

/** An Error whose name and code are the stable error code. */
export function sdkError(code, message) {
  const err = new Error(message);
  err.name = code;
  err.code = code;
  return err;
}

function requireReady() {
  if (!ready) throw sdkError("NotInitialized", "call `await init()` (or initSync(bytes)) once before using cognito-sigv4");
}

function requireString(value, what, code) {
  if (typeof value !== "string" || value === "") throw sdkError(code, `${what} is required and must be a non-empty string`);
  return value;
}

// Canonical form of a URL as fetch will send it (percent-encoding, dot
// segments, default ports, IDNA), straight from the platform's URL parser.
function normalizeUrl(url) {
  if (url instanceof URL) return url.href;
  if (typeof url !== "string") {
    if (url && typeof url === "object" && typeof url.url === "string") return normalizeUrl(url.url);
    throw sdkError("InvalidUrl", "url must be a string or a URL object");
  }
  try {
    return new URL(url).href;
  } catch {
    const shown = url.length > 80 ? url.slice(0, 80) + "…" : url;
    throw sdkError("InvalidUrl", `\`${shown}\` is not an absolute URL: give the full address, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod/items`);
  }
}

const LINE_BREAK = /[\r\n\0]/;

// Flattens a Record, Headers, or array of [name, value] pairs to `name\nvalue\n…`.
function flattenHeaders(headers) {
  if (headers == null) return "";
  let entries;
  if (typeof Headers !== "undefined" && headers instanceof Headers) entries = headers.entries();
  else if (Array.isArray(headers)) entries = headers;
  else if (typeof headers === "object") entries = Object.entries(headers);
  else throw sdkError("InvalidHeader", "headers must be an object, a Headers instance or an array of [name, value] pairs");
  let flat = "";
  for (const pair of entries) {
    const name = String(pair[0]);
    const value = pair[1] === undefined || pair[1] === null ? "" : String(pair[1]);
    if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) {
      throw sdkError("InvalidHeader", `the header \`${name.replace(LINE_BREAK, " ")}\` contains a line break or NUL, which fetch refuses: remove it`);
    }
    flat += flat === "" ? name + "\n" + value : "\n" + name + "\n" + value;
  }
  return flat;
}

function dateMs(date) {
  if (date === undefined || date === null) return Date.now();
  if (date instanceof Date) return date.getTime();
  if (typeof date === "number") return date;
  if (typeof date === "string") return Date.parse(date);
  return NaN;
}

const EMPTY = new Uint8Array(0);
// Payload modes, mirrored in src/wasm/mod.rs.
const PAYLOAD_EMPTY = 0, PAYLOAD_BYTES = 1, PAYLOAD_TEXT = 2, PAYLOAD_UNSIGNED = 3, PAYLOAD_HASH = 4;

/** Turns a body into bytes or text the signer can hash synchronously. */
export function bodyBytes(body) {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams) return body.toString();
  throw sdkError(
    "InvalidBody",
    "this body cannot be hashed synchronously: pass a string, Uint8Array or ArrayBuffer, or set unsignedPayload / payloadHash",
  );
}

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
