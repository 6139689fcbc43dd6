// Helpers shared by the package's modules: readiness, typed errors, and the
// conversions of JS values (URLs, headers, dates, bodies) for the wasm side.

let ready = false;

export function markReady() {
  ready = true;
}

export function isReady() {
  return ready;
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

// Payload modes, as src/wasm/signer.rs numbers them.
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


const encoder = new TextEncoder();

/** The most a call may write into wasm memory: above, hashing in memory is refused. */
export const MAX_INPUT_BYTES = 2 ** 30;

/** Refuses a body too large to hash in wasm memory (addresses there stay below 2 GiB). */
export function checkInputSize(body) {
  const len = body?.length ?? 0;
  if (len > MAX_INPUT_BYTES) {
    throw sdkError("InvalidBody", `${len} bytes are too many to hash in memory (at most ${MAX_INPUT_BYTES}): sign with unsignedPayload, or pass a payloadHash computed with WebCrypto (crypto.subtle.digest)`);
  }
}

/** A typed error the module threw as `name\nmessage` (#[wasm_bindgen] exports), or null. */
function fromWasmError(e) {
  if (typeof e !== "string") return null;
  const cut = e.indexOf("\n");
  return sdkError(e.slice(0, cut), e.slice(cut + 1));
}

// How many calls into the module are on the stack (guarded() calls and the
// module's callbacks): what goes wrong deeper down is the outermost's to handle.
let depth = 0;
// The guard of the module whose glue went through guardExports().
let eventLoopGuard = null;

/**
 * The whole SDK's wasm exports as its glue uses them (scripts/build.sh has
 * wasm-bindgen's glue pass them through this). The entries that the event
 * loop calls, not a caller (closures' invoke shims: promise reactions,
 * wasm-bindgen-futures' microtasks, timers, XMLHttpRequest events; and the
 * clean-ups a FinalizationRegistry runs), are guarded: whatever escapes them
 * (a trap, an out-of-memory abort that runs no panic hook, a JS exception
 * thrown through an async task, which leaves wasm-bindgen-futures' queue
 * stuck for good) fails the module, so that every pending promise settles
 * with ModuleFailed and nothing is thrown where nobody can catch it (an
 * uncaught exception ends a Node process). Once the module has failed, they
 * no longer call into it. What they answer then, `[0, 0]`, reads as "no
 * error" to the glue's adapters of closures that return a Result (a pair).
 */
export function guardExports(exports) {
  const out = {};
  for (const [name, value] of Object.entries(exports)) {
    out[name] =
      typeof value === "function" && /invoke|destroy_closure|_free$/.test(name)
        ? function (...args) {
            if (depth > 0) return value.apply(this, args);
            if (eventLoopGuard?.failed()) return [0, 0];
            depth++;
            try {
              return value.apply(this, args);
            } catch (e) {
              eventLoopGuard?.fail(e);
              return [0, 0];
            } finally {
              depth--;
            }
          }
        : value;
  }
  return out;
}

/**
 * A guard for the calls into one wasm module: `guarded(f)` runs `f`; the
 * typed errors #[wasm_bindgen] exports throw (`name\nmessage` strings, or
 * Errors with a `code`) pass through, and anything else is a trap (out of
 * memory, a bug), which leaves the module torn: it and every later call
 * answer ModuleFailed. `quiet`: swallow everything (cleanups at garbage
 * collection must not throw). `guarded.settles(f)`: the promise `f` returns,
 * rejected with ModuleFailed as soon as the module fails, so that no caller
 * waits forever on work the module can no longer finish. `guarded.fail(cause)`:
 * the module says it failed (its panic hook, src/wasm/mod.rs).
 */
export function trapGuard() {
  let trapped = null;
  const self = { failed: () => trapped !== null, fail: (cause) => fail(cause) };
  // The rejecters of the promises in flight. Not Promise.race against one
  // never-settling promise: each race leaves a reaction on it that keeps its
  // result alive (a Response, ~6 KB, per AwsClient.fetch, measured by
  // bench/soak.mjs's heap figures).
  const pending = new Set();
  const fail = (cause) => {
    if (trapped) return;
    trapped = cause instanceof Error ? cause : new Error(String(cause));
    for (const reject of pending) reject(moduleFailed(trapped));
    pending.clear();
  };
  function guarded(f, quiet = false) {
    depth++;
    try {
      return guardedCall(f, quiet, trapped, (e) => (fail(e), trapped));
    } finally {
      depth--;
    }
  }
  guarded.fail = fail;
  guarded.hearEventLoop = () => (eventLoopGuard = self);
  guarded.settles = (f) => {
    let work;
    try {
      work = guarded(f);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      pending.add(reject);
      const settle = (then) => (value) => (pending.delete(reject), then(value));
      Promise.resolve(work).then(settle(resolve), settle(reject));
    });
  };
  return guarded;
}

/**
 * trapGuard's synchronous part alone, for the signer-only module, whose calls
 * all return at once (no promises to settle, nothing the event loop calls).
 */
export function syncGuard() {
  let trapped = null;
  return (f, quiet) => guardedCall(f, quiet, trapped, (e) => (trapped = e));
}

/**
 * Both guards' call: `f()`, unless the module failed (`trapped`); what it
 * throws passes as a typed error, or is a trap: `onTrap(e)` records it and
 * answers the cause to report, and the call throws ModuleFailed.
 */
function guardedCall(f, quiet, trapped, onTrap) {
  try {
    if (trapped) throw moduleFailed(trapped);
    return f();
  } catch (e) {
    if (quiet) return undefined;
    const typed = typedError(e);
    if (typed) throw typed;
    throw moduleFailed(onTrap(e));
  }
}

function moduleFailed(trapped) {
  const err = sdkError("ModuleFailed", `cognito-sigv4's WebAssembly module stopped (${trapped.name}: ${trapped.message}) and cannot be used again on this page: reload the page`);
  err.cause = trapped;
  return err;
}

/**
 * What a call into a module threw, as its caller gets it: the module's typed
 * errors (`name\nmessage` strings, or Errors with a `code`) and ModuleFailed
 * as they are, the glue refusing a call as InvalidConfig; null for a trap.
 */
function typedError(e) {
  const typed = fromWasmError(e);
  if (typed) return typed;
  if (e?.name === "ModuleFailed") return e;
  // The module's typed errors (src/wasm/boundary.rs) are errors, not traps.
  if (e instanceof Error && typeof e.code === "string" && !(e instanceof WebAssembly.RuntimeError)) return e;
  // A trap is wasm's RuntimeError, or a RangeError (its stack or memory
  // exhausted). Anything else is the glue refusing a call before it
  // entered the module ("null pointer passed to rust": a method called
  // without its object, or after free()): the caller's mistake.
  if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) return null;
  const err = sdkError("InvalidConfig", `${e?.message ?? e}: call methods on a live object (obj.method(), not a detached method, and not after free())`);
  err.cause = e;
  return err;
}

/**
 * What `init(input)` loads: `input` (or its `module_or_path`), else
 * `defaultUrl`, read from disk when it is a file: URL (Node's and Deno's fetch
 * cannot read those). No import statement names node:fs, so no bundler tries
 * to follow it. `hint` says what to do where it cannot be read.
 */
export async function wasmSource(input, defaultUrl, hint) {
  const source = input && typeof input === "object" && "module_or_path" in input ? input.module_or_path : input;
  if (source !== undefined) return source;
  if (defaultUrl.protocol !== "file:") return defaultUrl;
  const fs = globalThis.process?.getBuiltinModule?.("fs/promises");
  if (!fs) throw sdkError("NotInitialized", `cannot read the wasm from disk here: ${hint}`);
  return fs.readFile(defaultUrl);
}

/**
 * Loads `source` when it is the wasm's bytes (Node reads them from disk) or a
 * compiled WebAssembly.Module: compiled here (asynchronously, off the main
 * thread) and instantiated by the glue's initSync; false for anything else (a
 * URL, a Response), left to the glue's streaming init. So that nothing reads
 * the Response or Request globals: Node loads its fetch implementation on
 * their first read, measured 17-26 ms of a 49 ms cold start.
 */
export async function initFromBytes(glue, source) {
  const module = typeof WebAssembly === "object" && source instanceof WebAssembly.Module;
  if (!(module || source instanceof ArrayBuffer || ArrayBuffer.isView(source))) return false;
  try {
    glue.initSync({ module: module ? source : await WebAssembly.compile(source) });
  } catch (e) {
    throw wasmBlocked(e);
  }
  return true;
}

/**
 * `e`, thrown while compiling or instantiating the module, as a typed error
 * (WasmBlocked) where the page does not let WebAssembly run: a
 * Content-Security-Policy without 'wasm-unsafe-eval' (browsers throw a raw
 * CompileError or EvalError naming unsafe-eval), or no WebAssembly at all
 * (e.g. a browser's lockdown mode). Any other error is returned as it is.
 */
export function wasmBlocked(e) {
  if (typeof WebAssembly === "undefined") {
    const err = sdkError("WasmBlocked", "WebAssembly is not available here (disabled in this browser, e.g. by a lockdown mode): cognito-sigv4 cannot run without it");
    err.cause = e;
    return err;
  }
  const message = String(e?.message ?? e);
  const compile = e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError || e?.name === "EvalError" || e?.name === "CompileError";
  if (!compile || !/unsafe-eval|content[ -]security[ -]policy|\bCSP\b/i.test(message)) return e;
  const err = sdkError(
    "WasmBlocked",
    `the page's Content-Security-Policy does not let WebAssembly compile: add 'wasm-unsafe-eval' to its script-src directive (e.g. Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; 'unsafe-eval' is not needed) (the browser said: ${message})`,
  );
  err.cause = e;
  return err;
}

/** What `initSync(module)` takes: the bytes or module itself, or `{ module }`. */
export const syncModule = (m) => (m && typeof m === "object" && "module" in m ? m.module : m);

/**
 * Everything sign() needs of `request`, read once and before any wasm handle
 * is touched (its getters may run any code, free() included):
 * `{ method, url, mode, body: Uint8Array|null, hash, headers: [name, value, …], contentSha256, date }`.
 */
export function signInput(request) {
  if (!request || typeof request !== "object") throw sdkError("InvalidUrl", "sign() takes { method, url, headers?, body?, date? }");
  const url = request.rawUrl ? noBreak(String(request.url), "url", "InvalidUrl") : normalizeUrl(request.url);
  const method = request.method === undefined ? "GET" : noBreak(String(request.method), "method", "InvalidConfig");
  let mode = PAYLOAD_EMPTY, body = null, hash = "";
  if (request.unsignedPayload) mode = PAYLOAD_UNSIGNED;
  else if (request.payloadHash !== undefined) {
    mode = PAYLOAD_HASH;
    hash = noBreak(String(request.payloadHash), "payloadHash", "InvalidConfig");
  } else {
    body = bodyBytes(request.body);
    if (typeof body === "string") body = encoder.encode(body);
    if (body) mode = PAYLOAD_BYTES;
  }
  const headers = headerFields(request.headers);
  return { method, url, mode, body, hash, headers, contentSha256: !!request.contentSha256, date: dateMs(request.date) };
}

/** Everything presign() needs of `request`, read once: `{ method, url, headers, expiresIn, date }`. */
export function presignInput(request) {
  if (!request || typeof request !== "object") throw sdkError("InvalidUrl", "presign() takes { method?, url, headers?, expiresIn?, date? }");
  const url = request.rawUrl ? noBreak(String(request.url), "url", "InvalidUrl") : normalizeUrl(request.url);
  const method = request.method === undefined ? "GET" : noBreak(String(request.method), "method", "InvalidConfig");
  const expiresIn = request.expiresIn === undefined ? 3600 : Number(request.expiresIn);
  return { method, url, headers: headerFields(request.headers), expiresIn, date: dateMs(request.date) };
}

/**
 * `{ method, url, headers }` from `[method, url, name, value, …]`, where the
 * module left x-amz-security-token's value empty: it is `sessionToken`, which
 * it does not send back each time (src/wasm/signer.rs).
 */
export function signedRequest(parts, sessionToken) {
  const headers = {};
  for (let i = 2; i < parts.length; i += 2) headers[parts[i]] = parts[i + 1];
  if (sessionToken) headers["x-amz-security-token"] = sessionToken;
  return { method: parts[0], url: parts[1], headers };
}
