// The user pool side of the package (UserPool, UserPoolSession) against a
// local HTTP server that plays the Cognito user pool endpoint (UserPool's
// `endpoint` option), for what moto cannot be made to do: short-lived tokens
// and answers that echo what they were sent. Drives the built package (pkg/).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";

const { default: init, UserPool } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

const b64url = (s) => Buffer.from(s).toString("base64url");
const ISS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fake";
let serial = 0;
/** A JWT (the package never checks signatures) of `lifetime` seconds with `left` seconds left. */
function jwt(use, lifetime, left = lifetime) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub: "user-1", iss: ISS, token_use: use, iat: now + left - lifetime, exp: now + left, jti: `t${++serial}` };
  return [b64url('{"alg":"RS256"}'), b64url(JSON.stringify(payload)), "c2ln"].join(".");
}
/** A pool's tokens of `lifetime` seconds with `left` seconds left. */
const tokens = (lifetime, left, refreshToken = "refresh-token-1") => ({
  idToken: jwt("id", lifetime, left),
  accessToken: jwt("access", lifetime, left),
  ...(refreshToken && { refreshToken }),
  expiresIn: lifetime,
});

// The server: each request is recorded; `next` answers it (a function of
// (target, body) to [status, json]); without one, GetTokensFromRefreshToken gets
// fresh 5-minute tokens and anything else a 400.
let server, endpoint, seen, next;
before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const target = req.headers["x-amz-target"]?.split(".").pop();
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}");
      seen.push({ target, body });
      const plan = next.shift();
      const [status, doc] = plan
        ? plan(target, body)
        : target === "GetTokensFromRefreshToken"
          ? [200, { AuthenticationResult: { IdToken: jwt("id", 300), AccessToken: jwt("access", 300), ExpiresIn: 300, TokenType: "Bearer" } }]
          : [400, { __type: "InvalidParameterException", message: "unexpected" }];
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(doc));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());
beforeEach(() => {
  seen = [];
  next = [];
});

const pool = () => new UserPool({ region: "us-east-1", userPoolId: "us-east-1_Fake", clientId: "client", endpoint });
const refreshes = () => seen.filter((r) => r.target === "GetTokensFromRefreshToken").length;

test("a session of 5-minute tokens (Cognito's minimum) does not refresh on every call: 20 calls, at most 1 refresh", async () => {
  const session = pool().session(tokens(300, 300));
  for (let i = 0; i < 10; i++) await session.idToken();
  await Promise.all(Array.from({ length: 5 }, () => session.idToken()));
  for (let i = 0; i < 5; i++) await session.accessToken();
  assert.ok(refreshes() <= 1, `${refreshes()} refreshes for 20 calls`);
  // Past half its lifetime, the token is refreshed, once, and the fresh one is used from then on.
  const old = tokens(300, 100);
  const late = pool().session(old);
  const before = refreshes();
  const ids = await Promise.all(Array.from({ length: 10 }, () => late.idToken()));
  for (let i = 0; i < 10; i++) ids.push(await late.idToken());
  assert.equal(refreshes() - before, 1);
  assert.equal(new Set(ids).size, 1);
  assert.notEqual(ids[0], old.idToken);
  assert.equal(late.tokens.refreshToken, old.refreshToken);
});

test("refreshBeforeSeconds given by the caller is honoured as given", async () => {
  // 60 s asked, 1-hour token with 90 s left: not yet.
  const s = pool().session(tokens(3600, 90), { refreshBeforeSeconds: 60 });
  await s.idToken();
  assert.equal(refreshes(), 0);
  // 60 s asked, 50 s left: refreshed.
  const t = pool().session(tokens(3600, 50), { refreshBeforeSeconds: 60 });
  await t.idToken();
  assert.equal(refreshes(), 1);
  // More than the token's lifetime asked: refreshed now.
  const u = pool().session(tokens(300, 300), { refreshBeforeSeconds: 600 });
  await u.idToken();
  assert.equal(refreshes(), 2);
  await assert.rejects(async () => pool().session(tokens(300, 300), { refreshBeforeSeconds: "60" }), { name: "InvalidConfig" });
});

test("a session without a refresh token hands out an IdToken with 240 s left, and refuses an expired one", async () => {
  const t = tokens(300, 240, null);
  const session = pool().session(t);
  assert.equal(await session.idToken(), t.idToken);
  assert.equal(await session.accessToken(), t.accessToken);
  // Even within a margin the caller asked for: it is still valid, and there is nothing to refresh with.
  const asked = pool().session(t, { refreshBeforeSeconds: 3600 });
  assert.equal(await asked.idToken(), t.idToken);
  const expired = pool().session(tokens(300, -5, null));
  await assert.rejects(expired.idToken(), { name: "InvalidConfig" });
  assert.equal(seen.length, 0);
});

test("a 6-character password or new password echoed by the user pool never appears in the error", async () => {
  const echo = (type) => (target, body) => {
    const said = JSON.stringify(body);
    return [400, { __type: type, message: `${target} refused ${said}` }];
  };
  // USER_PASSWORD_AUTH: the password is in AuthParameters.PASSWORD.
  next.push(echo("NotAuthorizedException"));
  const e1 = await pool().signIn("alice", "Pw1234", { flow: "password" }).catch((e) => e);
  assert.equal(e1.name, "NotAuthorizedException");
  assert.ok(seen[0].body.AuthParameters.PASSWORD === "Pw1234", "the fake saw the password");
  assert.ok(!e1.message.includes("Pw1234"), e1.message);
  assert.ok(e1.message.includes("<redacted>"), e1.message);

  // NEW_PASSWORD_REQUIRED, answered with a string and with an object (USERNAME last).
  const challenge = { challengeName: "NEW_PASSWORD_REQUIRED", session: "sess", username: "alice", parameters: {} };
  next.push(echo("InvalidPasswordException"));
  const e2 = await pool().respond(challenge, "New123").catch((e) => e);
  assert.equal(e2.name, "InvalidPasswordException");
  assert.ok(!e2.message.includes("New123"), e2.message);
  next.push(echo("InvalidPasswordException"));
  const e3 = await pool().respond(challenge, { NEW_PASSWORD: "Abc987", USERNAME: "alice" }).catch((e) => e);
  assert.ok(!e3.message.includes("Abc987"), e3.message);
  // A code of 6 digits is cut out too.
  const mfa = { ...challenge, challengeName: "SOFTWARE_TOKEN_MFA" };
  next.push(echo("CodeMismatchException"));
  const e4 = await pool().respond(mfa, "123456").catch((e) => e);
  assert.ok(!e4.message.includes("123456"), e4.message);

  // Echoed as the error's type: it never becomes err.name.
  next.push(() => [400, { __type: "Pw1234", message: "no" }]);
  const e5 = await pool().signIn("alice", "Pw1234", { flow: "password" }).catch((e) => e);
  assert.ok(!`${e5.name} ${e5.code} ${e5.message}`.includes("Pw1234"), `${e5.name}: ${e5.message}`);
});

test("clientCredentials: a token endpoint that echoes the client secret as its error code never puts it in the error", async () => {
  const { clientCredentials } = await import(join(repoRoot, "pkg/user-pool/index.js"));
  const secret = "s3cretValue42";
  const echo = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: secret, error_description: "nope" }));
    });
  });
  await new Promise((r) => echo.listen(0, "127.0.0.1", r));
  try {
    const tokenEndpoint = `http://127.0.0.1:${echo.address().port}/oauth2/token`;
    const e = await clientCredentials({ tokenEndpoint, clientId: "c", clientSecret: secret }).catch((e) => e);
    assert.equal(e.name, "OAuthError");
    assert.ok(!JSON.stringify({ name: e.name, code: e.code, message: e.message }).includes(secret), e.message);
  } finally {
    echo.close();
  }
});
