// The whole SDK's trap guard: every call into its wasm module goes through it
// (index.js, signer.js). A trap (out of memory, a bug) leaves the module torn,
// so after one every call answers ModuleFailed, and pending promises settle.

import { trapGuard } from "./util.js";

export const guarded = trapGuard();
