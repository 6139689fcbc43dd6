// cognito-sigv4: the JS face of the package. The signing itself happens in Rust
// (compiled to wasm); this file only turns JS values into the flat strings the
// wasm side takes, and its answers back into the objects of the API contract.
// It uses the platform's own URL, TextEncoder and Headers rather than shipping
// parsers for them in wasm.

import wbgInit, { initSync as wbgInitSync } from "./cognito_sigv4_wasm.js";
import { isNode, isReady, markReady } from "./util.js";

export { sdkError } from "./util.js";
export { Signer, sha256 } from "./signer.js";
export { CognitoIdentityCredentials } from "./credentials.js";
export { AwsClient } from "./client.js";
export { UserPool, decodeJwt, clientCredentials } from "./user-pool.js";

/**
 * Loads the wasm module. In browsers and bundlers it is fetched next to this
 * file; in Node it is read from disk. Pass a URL, Response, bytes or a
 * WebAssembly.Module to load it from elsewhere.
 */
export default async function init(input) {
  if (isReady() && input === undefined) return;
  let source = input && typeof input === "object" && "module_or_path" in input ? input.module_or_path : input;
  if (source === undefined && isNode() && import.meta.url.startsWith("file:")) {
    // Node's fetch cannot read file: URLs; webpack and other bundlers must not
    // try to bundle node:fs, hence the ignore comments.
    const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ "node:fs/promises");
    source = await fs.readFile(new URL("./cognito_sigv4_wasm_bg.wasm", import.meta.url));
  }
  await wbgInit(source === undefined ? undefined : { module_or_path: source });
  markReady();
}

/** Synchronous init from the wasm bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  const source = module && typeof module === "object" && "module" in module ? module.module : module;
  wbgInitSync({ module: source });
  markReady();
}

