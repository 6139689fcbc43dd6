// CognitoIdentityCredentials: an IdToken (or other logins) becomes temporary
// AWS credentials through a Cognito Identity Pool. The rules (cache, refresh
// margin, retries, stale IdentityId, per-user storage) live in Rust
// (src/credentials/); this drives them with fetch and keeps one exchange in
// flight for all callers.

import { RawProvider } from "./cognito_sigv4_wasm.js";
import { decodeJwt } from "./user-pool.js";
import { fetchWithTimeout, requireReady, requireString, sdkError } from "./util.js";

const DEFAULT_TIMEOUT_MS = 10_000;

/** The storage of the IdentityId: localStorage, sessionStorage, or memory. */
function pickStorage(kind = "local") {
  if (kind && typeof kind === "object" && typeof kind.getItem === "function") return kind;
  const web = kind === "session" ? "sessionStorage" : kind === "local" ? "localStorage" : null;
  if (web) {
    try {
      const s = globalThis[web];
      if (s && typeof s.getItem === "function") return s;
    } catch {
      // Storage access can throw (sandboxed iframes, privacy modes): fall back to memory.
    }
  } else if (kind !== "memory") {
    throw sdkError("InvalidConfig", 'storage must be "local", "session" or "memory"');
  }
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)), removeItem: (k) => map.delete(k) };
}

async function resolveToken(value, what) {
  const token = typeof value === "function" ? await value() : value;
  if (typeof token !== "string" || token === "") {
    throw sdkError("InvalidConfig", `${what} must be a token string, or a function returning one (sync or async)`);
  }
  return token;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class CognitoIdentityCredentials {
  #raw;
  #idToken;
  #logins;
  #flight = null;
  #timeoutMs;

  constructor(options = {}) {
    requireReady();
    const { region, identityPoolId, idToken, logins, customRoleArn, accountId, flow = "enhanced", roleArn, endpoint, stsEndpoint, storage = "local" } = options;
    requireString(region, "region", "InvalidConfig");
    requireString(identityPoolId, "identityPoolId", "InvalidConfig");
    if (flow !== "enhanced" && flow !== "basic") throw sdkError("InvalidConfig", 'flow must be "enhanced" or "basic"');
    if (flow === "basic") requireString(roleArn, 'roleArn (the IAM role to assume; required by flow: "basic")', "InvalidConfig");
    if (logins != null && typeof logins !== "object") throw sdkError("InvalidConfig", "logins must be an object mapping provider names to tokens");
    this.#idToken = idToken;
    this.#logins = logins || {};
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const margin = options.refreshMarginMs ?? 5 * 60_000;
    if (!Number.isInteger(margin) || margin < 0) throw sdkError("InvalidConfig", "refreshMarginMs must be a whole number of milliseconds, 0 or more");
    const config = { region, identityPoolId, accountId, customRoleArn, roleArn: flow === "basic" ? roleArn : undefined, endpoint, stsEndpoint, refreshMarginMs: margin };
    let lines = "";
    for (const [name, value] of Object.entries(config)) {
      if (value == null) continue;
      if (typeof value !== "string" && typeof value !== "number") throw sdkError("InvalidConfig", `${name} must be a string`);
      if (/[\r\n]/.test(String(value))) throw sdkError("InvalidConfig", `${name} must not contain line breaks`);
      lines += `${name}=${value}\n`;
    }
    this.#raw = new RawProvider(lines, pickStorage(storage));
  }

  /** Credentials valid for at least the refresh margin: `{accessKeyId, secretAccessKey, sessionToken, expiration, identityId}`. */
  async get() {
    for (;;) {
      const step = this.#raw.poll(Date.now());
      if (step.kind === "ready") return toCredentials(step);
      if (this.#flight) {
        // Another caller's exchange is in flight: share its outcome.
        await this.#flight;
        continue;
      }
      this.#flight = this.#exchange(step).finally(() => (this.#flight = null));
      return toCredentials(await this.#flight);
    }
  }

  /** The IdentityId (exchanging first if it is not known yet). */
  async identityId() {
    return this.#raw.identityId() ?? (await this.get()).identityId;
  }

  /** Sign-out: forget the credentials and this user's stored IdentityId. */
  clear() {
    this.#raw.clear();
  }

  /** Server time minus local time, as learned from AWS answers (ms). */
  get clockOffset() {
    return this.#raw.clockOffset;
  }

  set clockOffset(ms) {
    this.#raw.clockOffset = ms;
  }

  async #freshLogins() {
    const keys = [], tokens = [];
    for (const [key, value] of Object.entries(this.#logins)) {
      keys.push(key);
      tokens.push(await resolveToken(value, `logins["${key}"]`));
    }
    if (this.#idToken !== undefined) {
      const token = await resolveToken(this.#idToken, "idToken");
      const { payload } = decodeJwt(token);
      if (typeof payload.iss !== "string") throw sdkError("Malformed", "the idToken has no `iss` claim: pass a Cognito User Pool IdToken, or give `logins` explicitly");
      keys.push(payload.iss.replace(/^https?:\/\//, "").replace(/\/$/, ""));
      tokens.push(token);
    }
    if ([...keys, ...tokens].some((v) => /[\r\n]/.test(v))) throw sdkError("InvalidConfig", "login provider names and tokens must not contain line breaks");
    this.#raw.setLogins(keys.map((k, i) => `${k}\n${tokens[i]}`).join("\n"));
  }

  /** Runs one exchange from `step` to ready (or throws), driving the Rust state machine. */
  async #exchange(step) {
    for (;;) {
      switch (step.kind) {
        case "ready":
          return step;
        case "logins":
          await this.#freshLogins();
          step = this.#raw.poll(Date.now());
          break;
        case "sleep":
          await sleep(step.until - Date.now());
          step = this.#raw.poll(Date.now());
          break;
        case "send": {
          let response;
          try {
            response = await fetchWithTimeout(step.url, { method: step.method, headers: step.headers, body: step.body }, this.#timeoutMs);
          } catch (failure) {
            step = this.#raw.onNetworkError(!!failure?.timedOut, Date.now());
            break;
          }
          const body = await response.text().catch(() => "");
          step = this.#raw.onResponse(response.status, response.headers.get("date") ?? undefined, body, Date.now());
          break;
        }
        default:
          // "wait" cannot happen here: this is the only exchange in flight.
          step = this.#raw.poll(Date.now());
      }
    }
  }
}

function toCredentials(step) {
  return {
    accessKeyId: step.accessKeyId,
    secretAccessKey: step.secretAccessKey,
    sessionToken: step.sessionToken,
    expiration: new Date(step.expiration),
    identityId: step.identityId,
  };
}
