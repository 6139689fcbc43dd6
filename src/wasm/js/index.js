// cognito-sigv4: the package's entry. Everything runs in Rust compiled to
// wasm (src/wasm/), exported through wasm-bindgen's glue; what is left here is
// loading the module and the trap guard: each class below is the module's own,
// checked for init() first, with promises that settle with ModuleFailed if
// the module fails meanwhile (src/wasm/js/util.js trapGuard).
//
// cognito-sigv4/user-pool is this file again (pkg/user-pool/sdk.js) over a
// module built with the user pool, and user-pool.js beside it.

// wasm-bindgen's glue: it instantiates the module (streaming where it can),
// serves its imports, and holds its classes.
import initGlue, * as glue from "./cognito_sigv4_wasm.js";
import { initFromBytes, isReady, markReady, requireReady, sdkError, syncModule, wasmBlocked, wasmSource } from "./util.js";
import { guarded, guardMethods as guard } from "./signer.js";

export { sdkError } from "./util.js";
export { Signer, sha256 } from "./signer.js";

// The module's own classes and functions (src/wasm/), checked for init() first.

/** Temporary AWS credentials for the signed-in user, from a Cognito Identity Pool. */
export class CognitoIdentityCredentials extends glue.CognitoIdentityCredentials {
  constructor(options) {
    requireReady();
    guarded(() => super(options));
  }
}
guard(CognitoIdentityCredentials, ["clear"], ["get", "identityId"]);

/** A signed drop-in for fetch: retries, clock-skew correction, service and region from the host. */
export class AwsClient extends glue.AwsClient {
  constructor(options) {
    requireReady();
    guarded(() => super(options));
  }
}
guard(AwsClient, [], ["fetch", "sign", "presign"]);

/** S3 from the page: objects, listings and presigned links. */
export class S3Client extends glue.S3Client {
  constructor(options) {
    requireReady();
    guarded(() => super(options));
  }
}
guard(S3Client, ["url"], ["myPrefix", "getObject", "headObject", "putObject", "upload", "copyObject", "deleteObject", "deleteObjects", "listObjects", "presignGet", "presignPut", "presignPost"]);

/**
 * Every object under `options.prefix`, page after page (ListObjectsV2), as an
 * async iterable: `for await (const o of s3.listAll({ prefix }))`. A token
 * that comes back again (a server that does not move on) ends in Malformed
 * instead of listing forever. This rule stays here, in JS: moved into the
 * core behind an exported class it cost 1,446 B of raw wasm (the class's
 * glue) for these dozen lines (measured 2026-12-05).
 */
S3Client.prototype.listAll = async function* listAll(options = {}) {
  let continuationToken = options.continuationToken;
  const seen = new Set();
  do {
    const page = await this.listObjects({ ...options, continuationToken });
    yield* page.objects;
    continuationToken = page.nextContinuationToken;
    if (continuationToken !== undefined && seen.has(continuationToken)) {
      throw sdkError("Malformed", "ListObjectsV2 answered a continuation token it had answered before: the listing would never end (check the endpoint)");
    }
    seen.add(continuationToken);
  } while (continuationToken);
};

/** `{ header, payload }` of a JWT. No signature check: AWS verifies tokens. */
export const decodeJwt = (token) => (requireReady(), guarded(() => glue.decodeJwt(token)));

/**
 * Loads the wasm module. In browsers and bundlers it is fetched next to this
 * file; in Node it is read from disk. Pass a URL, Response, bytes or a
 * WebAssembly.Module to load it from elsewhere.
 */
export default async function init(input) {
  if (isReady() && input === undefined) return;
  // Written out in full so that bundlers (webpack 5, Vite, esbuild, Rollup) see and emit the asset.
  let source = await wasmSource(input, new URL("./cognito_sigv4_wasm_bg.wasm", import.meta.url), 'import the package (e.g. "cognito-sigv4") by its name in Node, or pass the bytes to init()');
  if (await initFromBytes(glue, source)) return ready();
  if (typeof source === "string" || source instanceof URL || (typeof Request === "function" && source instanceof Request)) {
    source = fetch(source);
  }
  source = await source;
  if (typeof Response === "function" && source instanceof Response && !source.ok) {
    throw sdkError("Network", `could not load the wasm module (HTTP ${source.status} from ${source.url})`);
  }
  // A Response is compiled while it downloads (instantiateStreaming) when served as application/wasm.
  // A page whose CSP forbids WebAssembly gets WasmBlocked, naming the directive to add.
  await initGlue({ module_or_path: source }).catch((e) => {
    throw wasmBlocked(e);
  });
  ready();
}

/** Synchronous init from the wasm bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  try {
    glue.initSync({ module: syncModule(module) });
  } catch (e) {
    throw wasmBlocked(e);
  }
  ready();
}

function ready() {
  glue.onModuleFailed((where) => guarded.fail(new Error(where)));
  markReady();
}
