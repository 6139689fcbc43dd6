// The JS half of the wasm calling convention (src/wasm/mod.rs): every call
// writes its input into the module's exchange buffer (body bytes first, then
// text fields joined by "\n"), calls an export, and reads the output back.
// An export returns the output's length, a handle, or ~length for an error
// output "name\nstatus\nmessage". wasm-bindgen's glue (cognito_sigv4_wasm.js)
// loads the module and serves its imports; these exports move to
// #[wasm_bindgen] one by one.
//
// Addresses cross as i32: `>>> 0` reads them as the unsigned offsets they are
// (at or above 2 GiB they would turn negative). A trap (out of memory, a bug)
// leaves the module's state torn, so after one every call answers ModuleFailed.

import { checkInputSize, sdkError, trapGuard } from "./util.js";

let exports, bytes;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const view = () => (bytes.buffer === exports.memory.buffer ? bytes : (bytes = new Uint8Array(exports.memory.buffer)));
const text = (ptr, len) => decoder.decode(view().subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0)));

/** The guard of every call into this module: its plain exports and its #[wasm_bindgen] classes. */
export const guarded = trapGuard();

/** The exports, each run under the guard. */
function guardedExports(raw) {
  const out = { memory: raw.memory };
  for (const [name, f] of Object.entries(raw)) {
    // Imports catch their own errors, so anything an export throws is the module's.
    if (typeof f === "function") out[name] = (...args) => guarded(() => f(...args));
  }
  return out;
}

export function instantiated(instance) {
  exports = guardedExports(instance.exports);
  bytes = new Uint8Array(exports.memory.buffer);
  return exports;
}

export { exports as wasm };

/** Writes `fields` (joined by "\n") after `body` (bytes) into the buffer; returns body's length. */
export function put(fields = [], body) {
  const str = fields.join("\n");
  const bodyLen = body ? body.length : 0;
  // UTF-8 takes at most 3 bytes per UTF-16 unit; the buffer is trimmed to what was written.
  const len = bodyLen + str.length * 3;
  checkInputSize({ length: len });
  const ptr = exports.io_reserve(len) >>> 0;
  const buf = view();
  if (body) buf.set(body, ptr);
  const { written } = encoder.encodeInto(str, buf.subarray(ptr + bodyLen));
  exports.io_truncate(bodyLen + written);
  return bodyLen;
}

/** Reads the output of an export that returned `n`; throws the typed error for ~length. */
export function take(n) {
  const out = text(exports.io_ptr() >>> 0, n < 0 ? ~n : n);
  if (n >= 0) return out;
  const [name, status] = out.split("\n", 2);
  const err = sdkError(name, out.slice(name.length + status.length + 2));
  // The HTTP status of the AWS answer behind the error, when there was one.
  if (status) err.status = Number(status);
  throw err;
}

/** Frees a handle at garbage collection, where a failed module must not throw. */
export function freeQuietly(name, h) {
  try {
    exports[name](h);
  } catch {
    // ModuleFailed: nothing left to free.
  }
}

/** A handle from an export, or the typed error. */
export function handle(n) {
  if (n < 0) take(n);
  return n;
}

/** `method, url, headerCount, name, value…, body` from `f[at]` on, as fetch options with the url. */
export function decodeRequest(f, at = 0) {
  const count = Number(f[at + 2]);
  const headers = {};
  for (let i = 0; i < count; i++) headers[f[at + 3 + 2 * i]] = f[at + 4 + 2 * i];
  return { method: f[at], url: f[at + 1], headers, body: f.slice(at + 3 + 2 * count).join("\n") };
}
