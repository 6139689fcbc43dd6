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
 *
 * Across tabs (on by default in browsers, `shareAcrossTabs`): the sessions of
 * one user's sign-in in the tabs and workers of an origin refresh once, under
 * a Web Lock, and all take the new tokens (a rotated refresh token included),
 * and a sign-out in one signs out all. Which tokens a tab may take, and what
 * it answers, are the core's (src/op/session_tabs.rs); this carries its
 * messages and holds the lock.
 */
export class UserPoolSession {
  #pool;
  #tokens;
  #refreshing = null;
  #before;
  #share = null;
  #channel = null;
  #wake = null;
  #onTabEvent;
  #onRefresh;

  constructor(pool, tokens, { refreshBeforeSeconds, shareAcrossTabs, onTabEvent, onRefresh } = {}) {
    if (!(pool instanceof UserPool)) throw sdkError("InvalidConfig", "new UserPoolSession(pool, tokens): pool must be a UserPool");
    if (typeof tokens?.idToken !== "string" || typeof tokens?.accessToken !== "string") {
      throw sdkError("InvalidConfig", "a session starts from signIn()'s or respond()'s tokens ({ idToken, accessToken, refreshToken }), not from a challenge");
    }
    if (refreshBeforeSeconds !== undefined && !(typeof refreshBeforeSeconds === "number" && refreshBeforeSeconds >= 0)) {
      throw sdkError("InvalidConfig", "refreshBeforeSeconds must be a number of seconds, 0 or more");
    }
    if (shareAcrossTabs !== undefined && typeof shareAcrossTabs !== "boolean") throw sdkError("InvalidConfig", "shareAcrossTabs must be true or false");
    if (onTabEvent !== undefined && typeof onTabEvent !== "function") throw sdkError("InvalidConfig", "onTabEvent must be a function");
    if (onRefresh !== undefined && typeof onRefresh !== "function") throw sdkError("InvalidConfig", "onRefresh must be a function");
    this.#pool = pool;
    this.#tokens = { ...tokens };
    // null: the default, which adapts to each token's lifetime.
    this.#before = refreshBeforeSeconds === undefined ? null : refreshBeforeSeconds * 1000;
    this.#onTabEvent = onTabEvent;
    this.#onRefresh = onRefresh;
    // As CognitoIdentityCredentials (src/wasm/tabs.rs): in browsers by
    // default; Node has no Web Locks, and Deno's instances are not one user's tabs.
    const platform = typeof BroadcastChannel === "function" && typeof globalThis.navigator?.locks?.request === "function";
    if (platform && (shareAcrossTabs ?? typeof Deno === "undefined")) {
      this.#share = guarded(() => new glue.SessionShare(this.#tokens));
      this.#channel = new BroadcastChannel(this.#share.channel);
      this.#channel.onmessage = (event) => this.#heard(event.data);
    }
    this.idToken = this.idToken.bind(this);
    this.accessToken = this.accessToken.bind(this);
  }

  /** The tokens as they are now (no refresh). */
  get tokens() {
    return this.#tokens && { ...this.#tokens };
  }

  #heard(text) {
    if (!this.#tokens || typeof text !== "string") return;
    const heard = guarded(() => this.#share.heard(text, this.#tokens));
    if (heard?.reply) return this.#channel.postMessage(heard.reply);
    if (heard?.tokens) {
      this.#tokens = { ...this.#tokens, ...heard.tokens };
      this.#event("refreshed");
      this.#refreshed();
    } else if (heard?.signedOut) {
      // Another sign-in of this user, or a refresh token the other tab had
      // not heard of: revoked here too, so none outlives the sign-out.
      const { refreshToken } = this.#tokens;
      if (heard.signedOut === "revoke" && refreshToken) this.#pool.revoke(refreshToken).catch(() => {});
      this.#forget();
      this.#event("signedOut");
    } else return;
    // Adopted or signed out: an ask under the lock ends now.
    this.#wake?.();
  }

  #event(type) {
    this.#tell(this.#onTabEvent, { type });
  }

  /** New tokens, from this tab's refresh or another's: the app may save them. */
  #refreshed() {
    this.#tell(this.#onRefresh, { ...this.#tokens });
  }

  #tell(listener, value) {
    try {
      listener?.(value);
    } catch (e) {
      // The app's listener failing is the app's: reported, never ours to throw.
      queueMicrotask(() => {
        throw e;
      });
    }
  }

  #forget() {
    this.#tokens = null;
    this.#channel?.close();
    this.#channel = null;
  }

  #due(which) {
    // The core's rule (src/op/session.rs): the token asked for, as it is, or refreshed first.
    const { idToken, refreshToken } = this.#tokens;
    return guarded(() => glue.sessionRefreshDue(String(this.#tokens[which]), String(idToken), !!refreshToken, this.#before ?? undefined));
  }

  async #refresh() {
    const fresh = await this.#pool.refresh(this.#tokens.refreshToken);
    if (!this.#tokens) {
      // A sign-out meanwhile wins: its tokens are not brought back, and a
      // rotated refresh token (the sign-out revoked the spent one) is revoked.
      if (fresh.refreshToken) this.#pool.revoke(fresh.refreshToken).catch(() => {});
      return null;
    }
    this.#tokens = { ...this.#tokens, ...fresh };
    // Given to the other tabs (before the lock, if any, is released).
    if (this.#channel) this.#channel.postMessage(guarded(() => this.#share.refreshed(this.#tokens)));
    this.#refreshed();
    return this.#tokens;
  }

  // Under the lock, the tab asks the others first: one that waited for the
  // lock may not have heard the holder's tokens yet, and its refresh token
  // may be spent. Only if none answers does it refresh, then posts the tokens
  // before the lock is released.
  async #refreshShared(which) {
    let entered = false;
    const underLock = async () => {
      entered = true;
      if (!this.#tokens || !this.#due(which)) return this.#tokens;
      this.#channel.postMessage(guarded(() => this.#share.want(this.#tokens)));
      await new Promise((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, this.#share.askMs);
      });
      this.#wake = null;
      if (!this.#tokens || !this.#due(which)) return this.#tokens;
      const asked = this.#tokens;
      try {
        return await this.#refresh();
      } catch (e) {
        // Newer tokens arrived while the pool answered (a late reply to the
        // ask): they stand, whatever became of this refresh.
        if (this.#tokens && this.#tokens !== asked) return this.#tokens;
        throw e;
      }
    };
    try {
      return await navigator.locks.request(this.#share.channel, underLock);
    } catch (e) {
      // A lock the platform refuses (a document being unloaded): refresh alone.
      if (entered) throw e;
      return this.#refresh();
    }
  }

  async #fresh(which) {
    if (!this.#tokens) throw sdkError("SignedOut", "this session was signed out: sign in again");
    if (!this.#due(which)) return this.#tokens;
    this.#refreshing ??= (this.#channel ? this.#refreshShared(which) : this.#refresh()).finally(() => (this.#refreshing = null));
    const tokens = await this.#refreshing;
    if (!tokens) throw sdkError("SignedOut", "this session was signed out: sign in again");
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

  /** Revokes the refresh token on the pool (RevokeToken), forgets the tokens in every tab of this user (revoking those of their other sign-ins too), and clears `credentials` (their IdentityId and keys, in every tab). */
  async signOut(credentials) {
    const refreshToken = this.#tokens?.refreshToken;
    if (this.#channel) this.#channel.postMessage(guarded(() => this.#share.signedOut()));
    this.#forget();
    this.#wake?.();
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
