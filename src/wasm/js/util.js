// Helpers shared by the package's modules: readiness, typed errors, and the
// conversions of JS values (URLs, headers, dates, bodies) for the wasm side.

let ready = false;

export function markReady() {
  ready = true;
}

export function isReady() {
  return ready;
}

export function isNode() {
  return typeof process === "object" && process !== null && !!(process.versions && process.versions.node);
}

/** An Error whose name and code are the stable error code. */
export function sdkError(code, message) {
  const err = new Error(message);
  err.name = code;
  err.code = code;
  return err;
}

export function requireReady() {
  if (!ready) throw sdkError("NotInitialized", "call `await init()` (or initSync(bytes)) once before using cognito-sigv4");
}

export function requireString(value, what, code) {
  if (typeof value !== "string" || value === "") throw sdkError(code, `${what} is required and must be a non-empty string`);
  return value;
}

// Canonical form of a URL as fetch will send it (percent-encoding, dot
// segments, default ports, IDNA), straight from the platform's URL parser.
export function normalizeUrl(url) {
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

// Fields cross to wasm joined by line breaks (src/wasm/mod.rs): one inside a
// field would shift the others, so it is refused here with a typed error.
export function noBreak(value, what, code) {
  if (LINE_BREAK.test(value)) throw sdkError(code, `${what} must not contain line breaks or NUL`);
  return value;
}

// A Record, Headers, or array of [name, value] pairs as [name, value, name, value, …].
export function headerFields(headers) {
  if (headers == null) return [];
  let entries;
  if (typeof Headers !== "undefined" && headers instanceof Headers) entries = headers.entries();
  else if (Array.isArray(headers)) entries = headers;
  else if (typeof headers === "object") entries = Object.entries(headers);
  else throw sdkError("InvalidHeader", "headers must be an object, a Headers instance or an array of [name, value] pairs");
  const flat = [];
  for (const pair of entries) {
    const name = String(pair[0]);
    const value = pair[1] === undefined || pair[1] === null ? "" : String(pair[1]);
    if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) {
      throw sdkError("InvalidHeader", `the header \`${name.replace(LINE_BREAK, " ")}\` contains a line break or NUL, which fetch refuses: remove it`);
    }
    flat.push(name, value);
  }
  return flat;
}

export function dateMs(date) {
  if (date === undefined || date === null) return Date.now();
  if (date instanceof Date) return date.getTime();
  if (typeof date === "number") return date;
  if (typeof date === "string") return Date.parse(date);
  return NaN;
}

// Payload modes, mirrored in src/wasm/mod.rs.
export const PAYLOAD_EMPTY = 0, PAYLOAD_BYTES = 1, PAYLOAD_UNSIGNED = 2, PAYLOAD_HASH = 3;

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


/** fetch with a timeout; returns the Response, or throws { timedOut }. */
export async function fetchWithTimeout(url, init, timeoutMs) {
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  const timer = controller && setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(url, controller ? { ...init, signal: controller.signal } : init);
  } catch (cause) {
    throw { timedOut: !!controller?.signal.aborted, cause };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

