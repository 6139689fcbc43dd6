// The SRP fixtures (tests/fixtures/srp/vectors.json), which src/cognito/srp.rs
// must reproduce natively, are what Amplify's SRP helper computes: regenerated
// here from node_modules and compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";

test("the SRP vectors are Amplify's", () => {
  const dir = join(repoRoot, "tests/fixtures/srp");
  const fresh = JSON.parse(execFileSync(process.execPath, [join(dir, "vectors.mjs")], { encoding: "utf8" }));
  const committed = JSON.parse(readFileSync(join(dir, "vectors.json"), "utf8"));
  assert.ok(committed.length >= 6);
  assert.deepEqual(fresh, committed);
});

// The wasm's SRP runs on the platform's BigInt (src/wasm/srp_bigint.rs), which
// cargo test cannot reach: the built package must reproduce the same vectors
// through signIn, its random bytes and clock stubbed to each case's, against
// a fetch that plays the user pool.
test("the package's signIn reproduces them", async () => {
  const { default: init, UserPool } = await import(join(repoRoot, "pkg/user-pool/index.js"));
  await init();
  const vectors = JSON.parse(readFileSync(join(repoRoot, "tests/fixtures/srp/vectors.json"), "utf8"));
  const real = { fetch: globalThis.fetch, random: crypto.getRandomValues, now: Date.now };
  const jwt = (use) => ["e30", Buffer.from(JSON.stringify({ token_use: use, exp: 4e9 })).toString("base64url"), "c2ln"].join(".");
  let c, sent;
  globalThis.fetch = async (request) => {
    const body = await request.json();
    sent.push(body);
    const doc = body.AuthFlow === "USER_SRP_AUTH"
      ? { ChallengeName: "PASSWORD_VERIFIER", Session: "s", ChallengeParameters: { SALT: c.salt, SRP_B: c.B, SECRET_BLOCK: c.secretBlock, USER_ID_FOR_SRP: c.userIdForSrp } }
      : { AuthenticationResult: { IdToken: jwt("id"), AccessToken: jwt("access"), ExpiresIn: 3600, TokenType: "Bearer" } };
    return new Response(JSON.stringify(doc), { headers: { "content-type": "application/x-amz-json-1.1" } });
  };
  try {
    for (c of vectors) {
      sent = [];
      crypto.getRandomValues = (array) => (array.set(Buffer.from(c.a.padStart(256, "0"), "hex")), array);
      Date.now = () => c.ms;
      await new UserPool({ region: "us-east-1", userPoolId: c.poolId, clientId: "client" }).signIn(c.userIdForSrp, c.password);
      assert.equal(sent[0].AuthParameters.SRP_A, c.A, c.userIdForSrp);
      assert.deepEqual(sent[1].ChallengeResponses, {
        USERNAME: c.userIdForSrp,
        PASSWORD_CLAIM_SECRET_BLOCK: c.secretBlock,
        TIMESTAMP: c.timestamp,
        PASSWORD_CLAIM_SIGNATURE: c.signature,
      });
    }
  } finally {
    Object.assign(globalThis, { fetch: real.fetch });
    crypto.getRandomValues = real.random;
    Date.now = real.now;
  }
});
