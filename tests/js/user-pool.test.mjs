// UserPool against the devstack's user pool (moto): sign-in challenges as
// typed results answered with respond() (a new password, TOTP and SMS codes),
// and sessions that refresh themselves and feed CognitoIdentityCredentials.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";

const { default: init, UserPool, UserPoolSession, CognitoIdentityCredentials, decodeJwt } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

let stack, c, pool;
before(async () => {
  stack = await startDevstack();
  c = stack.config;
  pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
});
after(() => stack?.stop());

/** An admin call to the pool (moto does not check its signature). */
async function admin(action, body) {
  const res = await fetch(c.userPoolEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${c.region}/cognito-idp/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ UserPoolId: c.userPoolId, ...body }),
  });
  assert.ok(res.ok, `${action}: ${res.status} ${await res.text()}`);
}

let n = 0;
/** A new user of the pool, confirmed with `password` unless `temporary`. */
async function newUser({ temporary } = {}) {
  const username = `challenged-${process.pid}-${++n}@example.com`;
  const password = "First-Passw0rd!";
  await admin("AdminCreateUser", { Username: username, TemporaryPassword: password, MessageAction: "SUPPRESS", UserAttributes: [{ Name: "email", Value: username }] });
  if (!temporary) await admin("AdminSetUserPassword", { Username: username, Password: password, Permanent: true });
  return { username, password };
}

test("signIn is SRP by default: the password never travels, the claim answers PASSWORD_VERIFIER", async () => {
  const { username, password } = await newUser();
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (request, init) => {
    if (request instanceof Request && request.url.startsWith(c.userPoolEndpoint)) sent.push({ target: request.headers.get("x-amz-target"), body: await request.clone().text() });
    return realFetch(request, init);
  };
  let tokens;
  try {
    tokens = await pool.signIn(username, password);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(decodeJwt(tokens.idToken).payload["cognito:username"], username);
  assert.deepEqual(sent.map((s) => s.target.split(".")[1]), ["InitiateAuth", "RespondToAuthChallenge"]);
  const initiate = JSON.parse(sent[0].body), respond = JSON.parse(sent[1].body);
  assert.equal(initiate.AuthFlow, "USER_SRP_AUTH");
  assert.match(initiate.AuthParameters.SRP_A, /^[0-9a-f]{700,768}$/);
  assert.equal(respond.ChallengeName, "PASSWORD_VERIFIER");
  assert.match(respond.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE, /^[A-Za-z0-9+/]{43}=$/);
  assert.match(respond.ChallengeResponses.TIMESTAMP, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [1-9]\d? \d\d:\d\d:\d\d UTC \d{4}$/);
  assert.ok(sent.every((s) => !s.body.includes(password)), "the password is never sent");
  // A new A each time.
  const again = await pool.signIn(username, password);
  assert.ok(again.idToken);
  // A temporary password under SRP: the next challenge comes back to answer.
  const fresh = await newUser({ temporary: true });
  const challenge = await pool.signIn(fresh.username, fresh.password);
  assert.equal(challenge.challengeName, "NEW_PASSWORD_REQUIRED");
  assert.ok((await pool.respond(challenge, "Third-Passw0rd!")).idToken);
});

test("NEW_PASSWORD_REQUIRED comes back as a challenge; respond() with the new password gives tokens", async () => {
  const { username, password } = await newUser({ temporary: true });
  const challenge = await pool.signIn(username, password, { flow: "password" });
  assert.equal(challenge.challengeName, "NEW_PASSWORD_REQUIRED");
  assert.equal(challenge.username, username);
  assert.ok(challenge.session);
  assert.equal(challenge.idToken, undefined);
  const tokens = await pool.respond(challenge, "Second-Passw0rd!");
  assert.equal(decodeJwt(tokens.idToken).payload["cognito:username"], username);
  assert.ok(tokens.refreshToken);
  // The new password is the password now.
  const again = await pool.signIn(username, "Second-Passw0rd!", { flow: "password" });
  assert.ok(again.idToken && !again.challengeName);
  await assert.rejects(pool.signIn(username, password, { flow: "password" }), (e) => e.name === "NotAuthorizedException" && !e.message.includes(password));
});

test("SOFTWARE_TOKEN_MFA and SMS_MFA: the code answers them", async () => {
  for (const [settings, name] of [
    [{ SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }, "SOFTWARE_TOKEN_MFA"],
    [{ SMSMfaSettings: { Enabled: true, PreferredMfa: true } }, "SMS_MFA"],
  ]) {
    const { username, password } = await newUser();
    await admin("AdminUpdateUserAttributes", { Username: username, UserAttributes: [{ Name: "phone_number", Value: "+15555550100" }] });
    if (name === "SOFTWARE_TOKEN_MFA") {
      // An authenticator app is associated and verified first.
      const { accessToken } = await pool.signIn(username, password, { flow: "password" });
      await admin("AssociateSoftwareToken", { AccessToken: accessToken });
      await admin("VerifySoftwareToken", { AccessToken: accessToken, UserCode: "123456" });
    }
    await admin("AdminSetUserMFAPreference", { Username: username, ...settings });
    const challenge = await pool.signIn(username, password, { flow: "password" });
    assert.equal(challenge.challengeName, name);
    const tokens = await pool.respond(challenge, "123456");
    assert.equal(decodeJwt(tokens.idToken).payload["cognito:username"], username, name);
    // An object answers with ChallengeResponses fields as they are.
    const second = await pool.signIn(username, password, { flow: "password" });
    const viaObject = await pool.respond(second, { [`${name}_CODE`]: "654321" });
    assert.ok(viaObject.idToken, name);
  }
});

test("respond() refuses what it cannot send, before sending", async () => {
  const challenge = { challengeName: "SOFTWARE_TOKEN_MFA", session: "s", username: "u", parameters: {} };
  await assert.rejects(pool.respond(challenge, 123456), { name: "InvalidConfig" });
  await assert.rejects(pool.respond({ ...challenge, challengeName: "CUSTOM_CHALLENGE" }, "x"), /respond\(\) answers NEW_PASSWORD_REQUIRED/);
  await assert.rejects(pool.respond({}, "x"), { name: "InvalidConfig" });
  await assert.rejects(pool.signIn("u", "p", { flow: "magic" }), /flow must be "srp" or "password"/);
});

test("a session refreshes its tokens once for concurrent callers, and serves CognitoIdentityCredentials", async () => {
  const { username, password } = await newUser();
  const tokens = await pool.signIn(username, password, { flow: "password" });
  // Tokens live an hour: asked to refresh with less than 2 hours left, it refreshes now.
  const session = pool.session(tokens, { refreshBeforeSeconds: 7200 });
  assert.ok(session instanceof UserPoolSession);
  const realFetch = globalThis.fetch;
  let refreshes = 0;
  globalThis.fetch = (request, init) => {
    if (request instanceof Request && request.headers.get("x-amz-target")?.endsWith(".GetTokensFromRefreshToken")) refreshes++;
    return realFetch(request, init);
  };
  let ids;
  try {
    ids = await Promise.all([session.idToken(), session.idToken(), session.accessToken()]);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(refreshes, 1, "one refresh for three callers");
  assert.equal(ids[0], ids[1]);
  // The devstack's app client rotates refresh tokens: the session holds the new one.
  assert.notEqual(session.tokens.refreshToken, tokens.refreshToken, "the rotated refresh token is taken");
  assert.equal(typeof session.tokens.refreshToken, "string");
  await assert.rejects(pool.refresh(tokens.refreshToken), (e) => e.name === "RefreshTokenReuseException" && /already spent/.test(e.message), "the old one is spent");
  assert.equal(decodeJwt(ids[0]).payload["cognito:username"], username);
  // Fresh enough tokens are served as they are.
  const calm = pool.session(tokens);
  assert.equal(await calm.idToken(), tokens.idToken);
  // `idToken` is bound: it is the provider's token function as it is.
  const credentials = new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken: calm.idToken, endpoint: c.identityEndpoint, stsEndpoint: c.stsEndpoint, storage: "memory" });
  const keys = await credentials.get();
  assert.match(keys.accessKeyId, /^[A-Z0-9]{16,}$/);
  assert.throws(() => pool.session({ challengeName: "SMS_MFA" }), /not from a challenge/);
});

test("signOut revokes the refresh token on the pool, forgets the tokens and clears the credentials", async () => {
  const { username, password } = await newUser();
  const tokens = await pool.signIn(username, password);
  const session = pool.session(tokens);
  let cleared = 0;
  await session.signOut({ clear: () => cleared++ });
  assert.equal(cleared, 1);
  assert.equal(session.tokens, null);
  await assert.rejects(session.idToken(), /signed out/);
  // The refresh token no longer refreshes.
  await assert.rejects(pool.refresh(tokens.refreshToken), (e) => e.name === "NotAuthorizedException" && !e.message.includes(tokens.refreshToken));
  // Revoking again, or a token the pool does not know, is no error.
  await pool.revoke(tokens.refreshToken);
  await assert.rejects(pool.revoke(""), { name: "InvalidConfig" });
});
