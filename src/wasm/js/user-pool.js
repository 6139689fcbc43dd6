// User-pool sign-in (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH), JWT decoding,
// and the OAuth2 client-credentials grant for servers and edge runtimes.

import { decodeRequest, put, take, wasm } from "./wasm.js";
import { fetchAnswer, noBreak, requireReady, requireString, sdkError } from "./util.js";

const TIMEOUT_MS = 10_000;
// User pool and token endpoint answers are a few KB of tokens.
const MAX_ANSWER_BYTES = 1 << 20;

function networkError(failure) {
  if (failure?.tooLarge) return sdkError("Malformed", `the answer is larger than ${MAX_ANSWER_BYTES} bytes, which no user pool answer is: check the endpoint`);
  return failure?.timedOut
    ? sdkError("Timeout", "the user pool did not answer in time: check the network")
    : sdkError("Network", "could not reach the user pool: check the network, the endpoint, and CORS/CSP connect-src");
}

export class UserPool {
  #endpoint;

  constructor(options = {}) {
    requireReady();
    const { region, userPoolId, clientId, endpoint } = options;
    requireString(region, "region", "InvalidConfig");
    requireString(userPoolId, "userPoolId", "InvalidConfig");
    requireString(clientId, "clientId (the app client id, without a secret)", "InvalidConfig");
    this.region = region;
    this.userPoolId = userPoolId;
    this.clientId = clientId;
    if (endpoint === undefined) put([noBreak(region, "region", "InvalidConfig")]);
    this.#endpoint = endpoint ?? take(wasm.user_pool_endpoint());
  }

  /** Sends the request the wasm export `build` makes of `fields`; parses the tokens. */
  async #call(build, fields, secret) {
    put([noBreak(String(this.#endpoint), "endpoint", "InvalidConfig"), noBreak(this.clientId, "clientId", "InvalidConfig"), ...fields]);
    const request = decodeRequest(take(wasm[build]()).split("\n"));
    let answer;
    try {
      answer = await fetchAnswer(request.url, request, TIMEOUT_MS, MAX_ANSWER_BYTES);
    } catch (failure) {
      throw networkError(failure);
    }
    const f = take(wasm.user_pool_tokens(answer.status, put([secret], answer.body))).split("\n");
    const tokens = { idToken: f[0], accessToken: f[1], expiresIn: Number(f[3]) };
    if (f[2]) tokens.refreshToken = f[2];
    return tokens;
  }

  /** USER_PASSWORD_AUTH: `{ idToken, accessToken, refreshToken, expiresIn }`. */
  signIn(username, password) {
    requireString(username, "username", "InvalidConfig");
    requireString(password, "password", "InvalidConfig");
    // The password goes last: it is the one field that may hold a line break.
    return this.#call("user_pool_sign_in", [noBreak(username, "username", "InvalidConfig"), password], password);
  }

  /** REFRESH_TOKEN_AUTH: new id and access tokens (the refresh token stays). */
  refresh(refreshToken) {
    requireString(refreshToken, "refreshToken", "InvalidConfig");
    return this.#call("user_pool_refresh", [noBreak(refreshToken, "refreshToken", "InvalidConfig")], refreshToken);
  }
}

/** `{ header, payload }` of a JWT. No signature check: AWS verifies tokens. The rule lives in src/jwt.rs. */
export function decodeJwt(token) {
  requireReady();
  if (typeof token !== "string") throw sdkError("Malformed", "the token is not a JWT (it must be a string): pass the IdToken string from sign-in, not the whole response");
  put([token]);
  const [header, payload] = take(wasm.jwt_segments()).split("\0");
  return { header: JSON.parse(header), payload: JSON.parse(payload) };
}

const m2mCache = new Map();

/**
 * OAuth 2.0 client-credentials grant against a user pool's /oauth2/token, for
 * servers and edge runtimes. The access token is cached until a minute before
 * it expires. Refuses to run in a browser page: a client secret must never be
 * shipped to one.
 */
export async function clientCredentials({ tokenEndpoint, clientId, clientSecret, scope } = {}) {
  if (typeof window !== "undefined" && typeof document !== "undefined") {
    throw sdkError("SecretInBrowser", "clientCredentials runs on servers and edge runtimes only: a client secret in a web page is public. Call it from your backend");
  }
  requireString(tokenEndpoint, "tokenEndpoint", "InvalidConfig");
  requireString(clientId, "clientId", "InvalidConfig");
  requireString(clientSecret, "clientSecret", "InvalidConfig");
  // The secret is part of the key (in memory only): another secret must not get this token.
  const key = `${tokenEndpoint}\n${clientId}\n${clientSecret}\n${scope ?? ""}`;
  const cached = m2mCache.get(key);
  if (cached && cached.expiresAt.getTime() - 60_000 > Date.now()) return cached;
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (scope) form.set("scope", Array.isArray(scope) ? scope.join(" ") : scope);
  let answer;
  try {
    answer = await fetchAnswer(tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`) },
      body: form.toString(),
    }, TIMEOUT_MS, MAX_ANSWER_BYTES);
  } catch (failure) {
    throw networkError(failure);
  }
  let body;
  try {
    body = JSON.parse(new TextDecoder().decode(answer.body));
  } catch {
    throw sdkError("Malformed", "the token endpoint did not answer JSON: check tokenEndpoint (https://<domain>/oauth2/token)");
  }
  if (answer.status >= 300 || typeof body?.access_token !== "string") {
    // OAuth error codes are snake_case words; anything else is not one (and must not forge a name).
    const code = typeof body?.error === "string" && /^[A-Za-z0-9_.]{1,64}$/.test(body.error) ? body.error : "Malformed";
    const advice = { invalid_client: "check clientId and clientSecret, and that the app client has a secret", invalid_scope: "request only scopes the app client is allowed", unauthorized_client: "enable the client_credentials flow on the app client", unsupported_grant_type: "the endpoint does not support client_credentials" }[code];
    throw sdkError(code, `the token endpoint refused: ${advice ?? "see its answer"} (${code})`);
  }
  const result = { accessToken: body.access_token, expiresAt: new Date(Date.now() + (Number(body.expires_in) || 3600) * 1000) };
  m2mCache.set(key, result);
  return result;
}
