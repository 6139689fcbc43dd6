// cognito-sigv4/user-pool: the whole SDK (sdk.js: the main entry's index.js,
// over a module built with the `user-pool` feature) and the user pool:
// UserPool (SRP sign-in, challenges, refresh, revoke), UserPoolSession and
// clientCredentials. The main entry leaves them out, so that apps which get
// their IdToken elsewhere do not load them (bench/README.md has the bytes).

import * as glue from "./cognito_sigv4_wasm.js";
import { requireReady, sdkError } from "./util.js";
import { guarded, guardMethods as guard } from "./signer.js";

export * from "./sdk.js";
export { default } from "./sdk.js";

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

/** OAuth 2.0 client credentials for servers and edge runtimes: `{ accessToken, expiresAt }`. */
export const clientCredentials = async (options) => (requireReady(), guarded.settles(() => glue.clientCredentials(options)));
