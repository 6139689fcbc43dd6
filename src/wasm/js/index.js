// cognito-sigv4: the JS face of the package. The signing itself happens in Rust
// (compiled to wasm); this file only turns JS values into the flat strings the
// wasm side takes, and its answers back into the objects of the API contract.
// It uses the platform's own URL, TextEncoder and Headers rather than shipping
// parsers for them in wasm.

import { instantiated } from "./wasm.js";
// wasm-bindgen's glue: it instantiates the module (streaming where it can) and
// serves its imports; it answers with the module's exports.
import initGlue, * as glue from "./cognito_sigv4_wasm.js";
import { isReady, markReady, requireReady, sdkError, syncModule, wasmSource } from "./util.js";
import { guarded } from "./wasm.js";

export { sdkError } from "./util.js";
export { Signer, sha256 } from "./signer.js";
export { AwsClient } from "./client.js";
export { S3Client } from "./s3.js";

// The module's own classes and functions (src/wasm/), checked for init() first.

// Their promises settle with ModuleFailed if the module fails meanwhile.

/** Temporary AWS credentials for the signed-in user, from a Cognito Identity Pool. */
export class CognitoIdentityCredentials extends glue.CognitoIdentityCredentials {
  constructor(options) {
    requireReady();
    guarded(() => super(options));
  }
  get() {
    return guarded.settles(() => super.get());
  }
  identityId() {
    return guarded.settles(() => super.identityId());
  }
  clear() {
    guarded(() => super.clear());
  }
}

/** Cognito User Pools sign-in (USER_PASSWORD_AUTH) and refresh. */
export class UserPool extends glue.UserPool {
  constructor(options) {
    requireReady();
    guarded(() => super(options));
  }
  signIn(username, password) {
    return guarded.settles(() => super.signIn(username, password));
  }
  refresh(refreshToken) {
    return guarded.settles(() => super.refresh(refreshToken));
  }
}

/** `{ header, payload }` of a JWT. No signature check: AWS verifies tokens. */
export const decodeJwt = (token) => (requireReady(), guarded(() => glue.decodeJwt(token)));

/** OAuth 2.0 client credentials for servers and edge runtimes: `{ accessToken, expiresAt }`. */
export const clientCredentials = async (options) => (requireReady(), guarded.settles(() => glue.clientCredentials(options)));

/**
 * Loads the wasm module. In browsers and bundlers it is fetched next to this
 * file; in Node it is read from disk. Pass a URL, Response, bytes or a
 * WebAssembly.Module to load it from elsewhere.
 */
export default async function init(input) {
  if (isReady() && input === undefined) return;
  // Written out in full so that bundlers (webpack 5, Vite, esbuild, Rollup) see and emit the asset.
  let source = await wasmSource(input, new URL("./cognito_sigv4_wasm_bg.wasm", import.meta.url), 'import "cognito-sigv4" by its package name in Node, or pass the bytes to init()');
  if (typeof source === "string" || source instanceof URL || (typeof Request === "function" && source instanceof Request)) {
    source = fetch(source);
  }
  source = await source;
  if (typeof Response === "function" && source instanceof Response && !source.ok) {
    throw sdkError("Network", `could not load the wasm module (HTTP ${source.status} from ${source.url})`);
  }
  // A Response is compiled while it downloads (instantiateStreaming) when served as application/wasm.
  instantiated({ exports: await initGlue({ module_or_path: source }) });
  ready();
}

/** Synchronous init from the wasm bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  instantiated({ exports: glue.initSync({ module: syncModule(module) }) });
  ready();
}

function ready() {
  glue.onModuleFailed((where) => guarded.fail(new Error(where)));
  markReady();
}
