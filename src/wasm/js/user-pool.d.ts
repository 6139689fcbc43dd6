// Types of cognito-sigv4/user-pool: the whole SDK (sdk.d.ts, the main
// entry's index.d.ts over this module's generated types) and the user pool
// (UserPool and clientCredentials generated from src/wasm/user_pool.rs; the
// session written here, as user-pool.js is).

import type { UserPool, UserPoolTokens } from "./cognito_sigv4_wasm.js";

export * from "./sdk.js";
export { default } from "./sdk.js";
export { UserPool, clientCredentials } from "./cognito_sigv4_wasm.js";
export type {
  UserPoolOptions,
  UserPoolTokens,
  AuthChallenge,
  SignInOptions,
  ClientCredentialsOptions,
  ClientCredentialsToken,
} from "./cognito_sigv4_wasm.js";

/** Options of a UserPoolSession. */
export interface UserPoolSessionOptions {
  /**
   * Refresh a token when it has less than this left, in seconds. By default
   * 300, or half the token's lifetime (exp - iat) where that is less: a
   * pool's 5-minute tokens are refreshed once 2.5 minutes are left, not on
   * every call. A value given here is used as it is.
   */
  refreshBeforeSeconds?: number;
  /**
   * Share one refresh with the other tabs (and workers) of this origin that
   * hold this sign-in's tokens: it runs under a Web Lock, and every tab takes
   * the new tokens, a rotated refresh token included, so none refreshes with
   * a refresh token another already spent. signOut() in one tab signs this
   * user out in all. On by default where the platform has BroadcastChannel
   * and Web Locks (browsers); off in Node and, unless true, in Deno.
   */
  shareAcrossTabs?: boolean;
  /** Told when another tab refreshed this session's tokens, or signed the user out. */
  onTabEvent?: (event: { type: "refreshed" | "signedOut" }) => void;
  /**
   * Called with the new tokens after every refresh, this tab's or another's:
   * where the app persists the session, it saves these (a rotated refresh
   * token replaces the one saved before, which is spent).
   */
  onRefresh?: (tokens: UserPoolTokens) => void;
}

/**
 * A signed-in user's tokens, kept fresh with the refresh token; `idToken` can
 * be CognitoIdentityCredentials' `idToken` as it is.
 */
export class UserPoolSession {
  constructor(pool: UserPool, tokens: UserPoolTokens, options?: UserPoolSessionOptions);
  /** The tokens as they are now (no refresh); null once signed out. Save these, not the first ones, if you persist a session: a rotated refresh token replaces the old. */
  readonly tokens: UserPoolTokens | null;
  /**
   * The IdToken, refreshed first (one refresh for concurrent callers) when it
   * is within `refreshBeforeSeconds` of expiry. Without a refresh token, the
   * token is handed out until it expires, then this rejects (InvalidConfig).
   */
  idToken(): Promise<string>;
  /** The AccessToken, as idToken() (by the access token's own expiry). */
  accessToken(): Promise<string>;
  /** RevokeToken on the pool, forget the tokens (in every tab of this user, when shared), and clear `credentials`. */
  signOut(credentials?: { clear(): void }): Promise<void>;
}

// What user-pool.js adds to the module's UserPool.
declare module "./cognito_sigv4_wasm.js" {
  interface UserPool {
    /** A session of `tokens` that refreshes itself. */
    session(tokens: UserPoolTokens, options?: UserPoolSessionOptions): UserPoolSession;
  }
}
