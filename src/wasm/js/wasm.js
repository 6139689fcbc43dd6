// The JS half of the wasm calling convention (src/wasm/mod.rs): every call
// writes its input into the module's exchange buffer (body bytes first, then
// text fields joined by "\n"), calls an export, and reads the output back.
// An export returns the output's length, a handle, or ~length for an error
// output "name\nstatus\nmessage". This replaces wasm-bindgen's generated glue, which
// weighed more than the whole of the API around it.

import { sdkError } from "./util.js";

let exports, bytes;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The storage the current provider call reads and writes (see provider.rs).
let storage = null;
export const useStorage = (s) => (storage = s);

const view = () => (bytes.buffer === exports.memory.buffer ? bytes : (bytes = new Uint8Array(exports.memory.buffer)));
const text = (ptr, len) => decoder.decode(view().subarray(ptr, ptr + len));

const imports = {
  "cognito-sigv4": {
    storage_get(keyPtr, keyLen, out, cap) {
      try {
        const value = storage.getItem(text(keyPtr, keyLen));
        if (typeof value !== "string") return -1;
        const { read, written } = encoder.encodeInto(value, view().subarray(out, out + cap));
        return read === value.length ? written : -1;
      } catch {
        return -1;
      }
    },
    storage_set(keyPtr, keyLen, valuePtr, valueLen) {
      try {
        storage.setItem(text(keyPtr, keyLen), text(valuePtr, valueLen));
      } catch {
        // Quota or privacy mode: the IdentityId is only a cache.
      }
    },
    storage_remove(keyPtr, keyLen) {
      try {
        storage.removeItem(text(keyPtr, keyLen));
      } catch {
        // As above.
      }
    },
  },
};

export function instantiated(instance) {
  exports = instance.exports;
  bytes = new Uint8Array(exports.memory.buffer);
  return exports;
}

export { imports, exports as wasm };

/** Writes `fields` (joined by "\n") after `body` (bytes) into the buffer; returns body's length. */
export function put(fields = [], body) {
  const str = fields.join("\n");
  const bodyLen = body ? body.length : 0;
  // UTF-8 takes at most 3 bytes per UTF-16 unit; the buffer is trimmed to what was written.
  const ptr = exports.io_reserve(bodyLen + str.length * 3);
  const buf = view();
  if (body) buf.set(body, ptr);
  const { written } = encoder.encodeInto(str, buf.subarray(ptr + bodyLen));
  exports.io_truncate(bodyLen + written);
  return bodyLen;
}

/** Reads the output of an export that returned `n`; throws the typed error for ~length. */
export function take(n) {
  const out = text(exports.io_ptr(), n < 0 ? ~n : n);
  if (n >= 0) return out;
  const [name, status] = out.split("\n", 2);
  const err = sdkError(name, out.slice(name.length + status.length + 2));
  // The HTTP status of the AWS answer behind the error, when there was one.
  if (status) err.status = Number(status);
  throw err;
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
