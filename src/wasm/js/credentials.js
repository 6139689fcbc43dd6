// CognitoIdentityCredentials: an IdToken (or other logins) becomes temporary
// AWS credentials through a Cognito Identity Pool. The rules (cache, refresh
// margin, retries, stale IdentityId, per-user storage) live in Rust
// (src/credentials/); this drives them with fetch and keeps one exchange in
// flight for all callers.

import { decodeRequest, freeQuietly, handle, put, take, useStorage, wasm } from "./wasm.js";
import { fetchAnswer, noBreak, requireReady, requireString, sdkError, sleepUntil } from "./util.js";

const DEFAULT_TIMEOUT_MS = 10_000;
// Cognito and STS answers are a few KB; more is not an answer from AWS.
const MAX_ANSWER_BYTES = 1 << 20;
// An exchange is a handful of requests and retries; a driver that takes more
// steps than this is looping, and fails instead of freezing the page.
const MAX_STEPS = 100;

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

// Frees the wasm side of providers that are garbage collected.
const finalizer = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((h) => freeQuietly("provider_free", h)) : null;

/**
 * A step of the Rust state machine (src/wasm/provider.rs), decoded:
 * `{kind: "ready", accessKeyId, …}`, `{kind: "send", method, url, headers, body}`,
 * `{kind: "wait"}`, `{kind: "sleep", until}`, `{kind: "logins"}`; an error is thrown.
 */
function decodeStep(n) {
  const f = take(n).split("\n");
  switch (f[0]) {
    case "ready":
      return { kind: "ready", accessKeyId: f[1], secretAccessKey: f[2], sessionToken: f[3], expiration: Number(f[4]), identityId: f[5] };
    case "send":
      return { kind: "send", ...decodeRequest(f, 1) };
    case "sleep":
      return { kind: "sleep", until: Number(f[1]) };
    default:
      return { kind: f[0] };
  }
}


export class CognitoIdentityCredentials {
  #raw;
  #storage;
  #idToken;
  #logins;
  #flight = null;
  #timeoutMs;
  #answerLimit;

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
    this.#answerLimit = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    const margin = options.refreshMarginMs ?? 5 * 60_000;
    if (!Number.isInteger(margin) || margin < 0) throw sdkError("InvalidConfig", "refreshMarginMs must be a whole number of milliseconds, 0 or more");
    const config = { region, identityPoolId, accountId, customRoleArn, roleArn: flow === "basic" ? roleArn : undefined, endpoint, stsEndpoint, refreshMarginMs: margin };
    let lines = "";
    for (const [name, value] of Object.entries(config)) {
      if (value == null) continue;
      if (typeof value !== "string" && typeof value !== "number") throw sdkError("InvalidConfig", `${name} must be a string`);
      lines += `${name}=${noBreak(String(value), name, "InvalidConfig")}\n`;
    }
    this.#storage = pickStorage(storage);
    put([lines]);
    this.#raw = handle(wasm.provider_new());
    finalizer?.register(this, this.#raw);
  }

  /** Calls a provider export with this provider's storage in reach of the wasm side. */
  #call(name, ...args) {
    useStorage(this.#storage);
    try {
      return wasm[name](this.#raw, ...args);
    } finally {
      useStorage(null);
    }
  }

  #step(name, ...args) {
    return decodeStep(this.#call(name, ...args));
  }

  /**
   * Credentials valid for at least the refresh margin: `{accessKeyId, secretAccessKey, sessionToken, expiration, identityId}`.
   * The token functions are called on every call, so that credentials only
   * ever go to the user whose tokens they are: keep them cheap.
   */
  async get() {
    for (;;) {
      const step = this.#step("provider_poll", Date.now());
      if (step.kind === "ready") return toCredentials(step);
      if (this.#flight) {
        // Another caller's exchange is in flight: share its outcome, then ask again.
        await this.#flight;
        continue;
      }
      const flight = this.#exchange(step, this.#call("provider_generation"));
      this.#flight = flight;
      // clear() may have replaced the flight meanwhile: only forget our own.
      flight.then(
        () => this.#flight === flight && (this.#flight = null),
        () => this.#flight === flight && (this.#flight = null),
      );
      return toCredentials(await flight);
    }
  }

  /** The IdentityId of the user signed in now (exchanging first if it is not known yet). */
  async identityId() {
    return (await this.get()).identityId;
  }

  /**
   * Sign-out: forget the credentials, the logins and this user's stored
   * IdentityId. An exchange in flight is dropped (its callers get `Cancelled`)
   * and stores nothing.
   */
  clear() {
    this.#flight = null;
    this.#call("provider_clear");
  }

  /** Server time minus local time, as learned from AWS answers (ms). */
  get clockOffset() {
    return this.#call("provider_clock_offset");
  }

  /** Throws `ClockSkew` for more than a day either way: the device's clock is wrong. */
  set clockOffset(ms) {
    const n = this.#call("provider_set_clock_offset", Number(ms));
    if (n < 0) take(n);
  }

  async #freshLogins(generation) {
    const fields = [];
    for (const [key, value] of Object.entries(this.#logins)) fields.push(key, await resolveToken(value, `logins["${key}"]`));
    // An empty key: the wasm side derives it from the IdToken's `iss`.
    if (this.#idToken !== undefined) fields.push("", await resolveToken(this.#idToken, "idToken"));
    put(fields.map((v) => noBreak(v, "login provider names and tokens", "InvalidConfig")));
    const n = this.#call("provider_set_logins", generation);
    if (n < 0) take(n);
  }

  /**
   * Runs one exchange of `generation` from `step` to ready (or throws),
   * driving the Rust state machine. Every step either awaits or fails:
   * nothing here can spin.
   */
  async #exchange(step, generation) {
    for (let steps = 0; steps < MAX_STEPS; steps++) {
      switch (step.kind) {
        case "ready":
          return step;
        case "logins":
          await this.#freshLogins(generation);
          step = this.#step("provider_poll", Date.now());
          break;
        case "sleep":
          await sleepUntil(step.until);
          step = this.#step("provider_resume", generation, Date.now());
          break;
        case "send": {
          let answer;
          try {
            answer = await fetchAnswer(step.url, { method: step.method, headers: step.headers, body: step.body }, this.#timeoutMs, this.#answerLimit);
          } catch (failure) {
            if (failure?.tooLarge) {
              // More than any Cognito or STS answer: the core reads it as what
              // could be read of it, nothing (Malformed, or retried if a 5xx).
              answer = { status: failure.status, date: "", body: new Uint8Array(0) };
            } else {
              step = this.#step("provider_on_network_error", generation, !!failure?.timedOut, Date.now());
              break;
            }
          }
          const date = (answer.date ?? "").replace(/[\r\n]/g, "");
          const bodyLen = put([date], answer.body);
          step = this.#step("provider_on_response", generation, answer.status, bodyLen, Date.now());
          break;
        }
        default:
          // "wait" (another exchange in flight) cannot be this one's step.
          throw sdkError("Cancelled", "the credential exchange was superseded by another: call get() again");
      }
    }
    throw sdkError("Network", `the credential exchange did not finish within ${MAX_STEPS} steps: check the endpoint`);
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
