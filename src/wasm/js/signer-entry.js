// cognito-sigv4/signer: Signer alone, for apps that have credentials already
// (aws4fetch's users). The wasm is the same crate built with the signer-entry
// feature, behind wasm-bindgen's generated glue (cognito_sigv4_signer.js); the
// class is the whole SDK's (signer-api.js), with this module's loader and guard.

import initGlue, * as glue from "./cognito_sigv4_signer.js";
import { defineSigner } from "../signer-api.js";
import { initFromBytes, sdkError, syncGuard, syncModule, wasmBlocked, wasmSource } from "../util.js";

let ready = false;

/** Loads the wasm: fetched beside this file, or read from disk in Node; or from `input`. */
export default async function init(input) {
  if (ready && input === undefined) return;
  const source = await wasmSource(input, new URL("./cognito_sigv4_signer_bg.wasm", import.meta.url), "pass its bytes to init()");
  if (await initFromBytes(glue, source)) {
    ready = true;
    return;
  }
  // A page whose CSP forbids WebAssembly gets WasmBlocked, naming the directive to add.
  await initGlue({ module_or_path: source }).catch((e) => {
    throw wasmBlocked(e);
  });
  ready = true;
}

/** Synchronous init from the wasm bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  try {
    glue.initSync({ module: syncModule(module) });
  } catch (e) {
    throw wasmBlocked(e);
  }
  ready = true;
}

function requireReady() {
  if (!ready) throw sdkError("NotInitialized", "call `await init()` (or initSync(bytes)) once before using cognito-sigv4/signer");
}

export const { Signer, sha256 } = defineSigner(glue, syncGuard(), requireReady);
