// Many users on one page, in turn, in real Chromium against the devstack: ten
// users (half in group admin, half in user) each sign in (SRP, in the page),
// get credentials (IdentityId remembered in localStorage), write an object
// under their own S3 prefix, call their group's API route, and sign out
// (clear()); then all ten again. Checked against the devstack: each user's
// IdentityId is the one the identity pool gives that user, the same in both
// rounds and no one else's; each object holds its owner's name; every other
// user's prefix is refused; each role reaches its own route only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve } from "../../scripts/serve.mjs";
import { launch, sdkPage } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";
import { startDevstack } from "../js/devstack.mjs";

const { default: init, Signer, CognitoIdentityCredentials, UserPool } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

const USERS = Array.from({ length: 10 }, (_, i) => ({ username: `many-${i}@example.com`, password: `Passw0rd!many${i}`, group: i % 2 ? "user" : "admin" }));
let browser, server, stack, page, c;

/** An admin call to moto's user pool (moto reads the signature's key, not its validity). */
async function idp(action, body) {
  const signer = new Signer({ accessKeyId: "testing", secretAccessKey: "testing", region: c.region, service: "cognito-idp" });
  const signed = signer.sign({ method: "POST", url: `${c.userPoolEndpoint}/`, headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${action}` }, body: JSON.stringify(body) });
  const res = await fetch(`${c.userPoolEndpoint}/`, { method: "POST", headers: signed.headers, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `${action}: ${await res.text()}`);
}

before(async () => {
  [browser, server, stack] = await Promise.all([launch(), serve(repoRoot), startDevstack()]);
  c = stack.config;
  for (const u of USERS) {
    await idp("AdminCreateUser", { UserPoolId: c.userPoolId, Username: u.username, MessageAction: "SUPPRESS", UserAttributes: [{ Name: "email", Value: u.username }, { Name: "email_verified", Value: "true" }] });
    await idp("AdminSetUserPassword", { UserPoolId: c.userPoolId, Username: u.username, Password: u.password, Permanent: true });
    await idp("AdminAddUserToGroup", { UserPoolId: c.userPoolId, Username: u.username, GroupName: u.group });
  }
  page = await sdkPage(browser, server, "/pkg/user-pool/index.js");
});
after(async () => {
  await browser?.close();
  server?.close();
  stack?.stop();
});

test("ten users signing in and out in turn on one page: each IdentityId, object and role stays theirs", async () => {
  const rounds = await page.evaluate(
    async ({ c, users }) => {
      localStorage.clear();
      const pool = new sdk.UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
      const rounds = [];
      for (let round = 0; round < 2; round++) {
        const seen = [];
        for (const u of users) {
          const { idToken } = await pool.signIn(u.username, u.password);
          const creds = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint });
          const keys = await creds.get();
          const s3 = new sdk.S3Client({ credentials: creds, region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint, prefix: c.s3Prefix });
          const key = await s3.myPrefix("who.txt");
          await s3.putObject(key, u.username);
          const aws = new sdk.AwsClient({ credentials: creds, region: c.region, service: "execute-api" });
          const routes = [(await aws.fetch(`${c.apiUrl}/admin`)).status, (await aws.fetch(`${c.apiUrl}/user`)).status];
          // Every other user's object of the round before: refused.
          const others = [];
          for (const o of rounds[0] ?? []) {
            if (o.username === u.username) continue;
            others.push(await s3.getObject(o.key).then((r) => r.status, (e) => e.name));
          }
          seen.push({ username: u.username, identityId: keys.identityId, key, routes, others, stored: Object.keys(localStorage).length });
          creds.clear(); // sign-out
        }
        rounds.push(seen);
      }
      return rounds;
    },
    { c, users: USERS },
  );
  // The identity pool's own answer for each user, asked directly.
  const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  const ids = new Set();
  for (const [i, u] of USERS.entries()) {
    const { idToken } = await pool.signIn(u.username, u.password, { flow: "password" });
    const truth = await new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, storage: "memory" }).identityId();
    for (const round of rounds) {
      const seen = round[i];
      assert.equal(seen.username, u.username);
      assert.equal(seen.identityId, truth, `${u.username}: the IdentityId the pool gives this user`);
      assert.equal(seen.key, `${c.s3Prefix}/${truth}/who.txt`);
      assert.deepEqual(seen.routes, u.group === "admin" ? [200, 403] : [403, 200], `${u.username}: its group's route only`);
      assert.equal(seen.stored, 1, "only the signed-in user's IdentityId is kept");
    }
    assert.deepEqual(rounds[1][i].others, Array(9).fill("AccessDenied"), `${u.username} reads no one else's object`);
    ids.add(truth);
  }
  assert.equal(ids.size, 10, "ten users, ten identities");
  // What S3 holds: each object its owner's name.
  const { S3Client } = await import(join(repoRoot, "pkg/user-pool/index.js"));
  for (const u of USERS) {
    const { idToken } = await pool.signIn(u.username, u.password, { flow: "password" });
    const creds = new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, storage: "memory" });
    const s3 = new S3Client({ credentials: creds, region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint, prefix: c.s3Prefix });
    assert.equal(await (await s3.getObject(await s3.myPrefix("who.txt"))).text(), u.username);
  }
});
