// cognito-sigv4: the package's entry. Everything runs in Rust compiled to
// wasm (src/wasm/), exported through wasm-bindgen's glue; what is left here is
// loading the module and the trap guard: each class below is the module's own,
// checked for init() first, with promises that settle with ModuleFailed if
// the module fails meanwhile (src/wasm/js/util.js trapGuard).

// wasm-bindgen's glue: it instantiates the module (streaming where it can),
// serves its imports, and holds its classes.
import initGlue, * as glue from "./cognito_sigv4_wasm.js";
import { isReady, markReady, requireReady, sdkError, syncModule, wasmBlocked, wasmSource } from "./util.js";
import { guarded } from "./signer.js";

export { sdkError } from "./util.js";
export { Signer, sha256 } from "./signer.js";

/** `this`, if it is a live object of `Class`; else a typed error (never a call into the module). */
function live(self, Class, name) {
  if (!(self instanceof Class) || !self.__wbg_ptr) {
    throw sdkError("InvalidConfig", `${Class.name}.${name}() was called without its object, or after free(): call it as obj.${name}(…)`);
  }
  return self;
}

/** Runs each of `methods` of the class under the guard; async ones settle on a failure. */
function guard(Class, sync, async) {
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

/** Cognito User Pools sign-in (USER_PASSWORD_AUTH) and refresh. */
export class UserPool extends glue.UserPool {
  constructor(options) {
    requireReady();
    guarded(() => super(options));
  }
}
guard(UserPool, [], ["signIn", "respond", "refresh", "revoke"]);

/**
 * A signed-in user's tokens, kept fresh: idToken() and accessToken() refresh
 * with the refresh token (one refresh at a time) when the token asked for has
 * less than `refreshBeforeSeconds` left (the rule is the core's,
 * src/op/session.rs: by default 300 s, or half the token's lifetime where
 * that is less). Without a refresh token, a token that has not expired is
 * handed out. `idToken` is bound, so it can be
 * CognitoIdentityCredentials' `idToken` as it is. signOut() revokes the
 * refresh token on the pool and clears the given credentials.
 */
export class UserPoolSession {
  #pool;
  #tokens;
  #refreshing = null;
  #before;

  constructor(pool, tokens, { refreshBeforeSeconds } = {}) {
    if (!(pool instanceof UserPool)) throw sdkError("InvalidConfig", "new UserPoolSession(pool, tokens): pool must be a UserPool");
    if (typeof tokens?.idToken !== "string" || typeof tokens?.accessToken !== "string") {
      throw sdkError("InvalidConfig", "a session starts from signIn()'s or respond()'s tokens ({ idToken, accessToken, refreshToken }), not from a challenge");
    }
    if (refreshBeforeSeconds !== undefined && !(typeof refreshBeforeSeconds === "number" && refreshBeforeSeconds >= 0)) {
      throw sdkError("InvalidConfig", "refreshBeforeSeconds must be a number of seconds, 0 or more");
    }
    this.#pool = pool;
    this.#tokens = { ...tokens };
    // null: the default, which adapts to each token's lifetime.
    this.#before = refreshBeforeSeconds === undefined ? null : refreshBeforeSeconds * 1000;
    this.idToken = this.idToken.bind(this);
    this.accessToken = this.accessToken.bind(this);
  }

  /** The tokens as they are now (no refresh). */
  get tokens() {
    return this.#tokens && { ...this.#tokens };
  }

  async #fresh(which) {
    if (!this.#tokens) throw sdkError("InvalidConfig", "this session was signed out: sign in again");
    // The core's rule (src/op/session.rs): the token asked for, as it is, or refreshed first.
    const { idToken, refreshToken } = this.#tokens;
    const token = this.#tokens[which];
    if (!guarded(() => glue.sessionRefreshDue(String(token), String(idToken), !!refreshToken, this.#before ?? undefined))) {
      return this.#tokens;
    }
    this.#refreshing ??= this.#pool
      .refresh(this.#tokens.refreshToken)
      .then((fresh) => {
        // A sign-out meanwhile wins: its tokens are not brought back.
        if (this.#tokens) this.#tokens = { ...this.#tokens, ...fresh };
        return this.#tokens;
      })
      .finally(() => (this.#refreshing = null));
    const tokens = await this.#refreshing;
    if (!tokens) throw sdkError("InvalidConfig", "this session was signed out: sign in again");
    return tokens;
  }

  /** The IdToken, refreshed first when it is about to expire. */
  async idToken() {
    return (await this.#fresh("idToken")).idToken;
  }

  /** The AccessToken, refreshed first when it is about to expire. */
  async accessToken() {
    return (await this.#fresh("accessToken")).accessToken;
  }

  /** Revokes the refresh token on the pool (RevokeToken), forgets the tokens, and clears `credentials` (their IdentityId and keys). */
  async signOut(credentials) {
    const refreshToken = this.#tokens?.refreshToken;
    this.#tokens = null;
    credentials?.clear?.();
    if (refreshToken) await this.#pool.revoke(refreshToken);
  }
}

/** A session of `tokens` (from signIn or respond) that refreshes itself: see UserPoolSession. */
UserPool.prototype.session = function session(tokens, options) {
  return new UserPoolSession(this, tokens, options);
};

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
