// Signer: synchronous SigV4 signing and presigning with fixed credentials, on
// this module's glue (the class itself is signer-api.js, shared with
// cognito-sigv4/signer). Its option objects are read here in JS, so that a
// sign() crosses into wasm once, with strings, whatever the request holds.
//
// Also the whole SDK's trap guard: every call into its wasm module goes
// through it (here, in index.js and user-pool.js). A trap (out of memory, a bug) leaves the
// module torn, so after one every call answers ModuleFailed, and pending
// promises settle.

import * as glue from "./cognito_sigv4_wasm.js";
import { defineSigner } from "./signer-api.js";
import { requireReady, sdkError, trapGuard } from "./util.js";

export const guarded = trapGuard();
// The whole SDK's glue guards its event-loop entries with it (util.js guardExports).
guarded.hearEventLoop();

export const { Signer, sha256 } = defineSigner(glue, guarded, requireReady);

/** `this`, if it is a live object of `Class`; else a typed error (never a call into the module). */
function live(self, Class, name) {
  if (!(self instanceof Class) || !self.__wbg_ptr) {
    throw sdkError("InvalidConfig", `${Class.name}.${name}() was called without its object, or after free(): call it as obj.${name}(…)`);
  }
  return self;
}

/** Runs each of `methods` of the class under the guard; async ones settle on a failure. */
export function guardMethods(Class, sync, async) {
  for (const name of sync) {
    const f = Class.prototype[name];
    Class.prototype[name] = function (...args) {
      return guarded(() => f.apply(live(this, Class, name), args));
    };
  }
  for (const name of async) {
    const f = Class.prototype[name];
    Class.prototype[name] = function (...args) {
      return guarded.settles(() => f.apply(live(this, Class, name), args));
    };
  }
  return Class;
}
