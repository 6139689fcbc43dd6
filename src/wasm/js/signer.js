// Signer: synchronous SigV4 signing and presigning with fixed credentials, on
// this module's glue (the class itself is signer-api.js, shared with
// cognito-sigv4/signer).

import * as glue from "./cognito_sigv4_wasm.js";
import { defineSigner } from "./signer-api.js";
import { requireReady } from "./util.js";
import { guarded } from "./wasm.js";

export const { Signer, sha256 } = defineSigner(glue, guarded, requireReady);
