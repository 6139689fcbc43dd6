// Signer: synchronous SigV4 signing and presigning with fixed credentials, on
// this module's glue (the class itself is signer-api.js, shared with
// cognito-sigv4/signer). Its option objects are read here in JS, so that a
// sign() crosses into wasm once, with strings, whatever the request holds.
//
// Also the whole SDK's trap guard: every call into its wasm module goes
// through it (here and in index.js). A trap (out of memory, a bug) leaves the
// module torn, so after one every call answers ModuleFailed, and pending
// promises settle.

import * as glue from "./cognito_sigv4_wasm.js";
import { defineSigner } from "./signer-api.js";
import { requireReady, trapGuard } from "./util.js";

export const guarded = trapGuard();
// The whole SDK's glue guards its event-loop entries with it (util.js guardExports).
guarded.hearEventLoop();

export const { Signer, sha256 } = defineSigner(glue, guarded, requireReady);
