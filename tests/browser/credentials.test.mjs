// The credentials flow in real Chromium: a page (one origin) signs in to moto's
// user pool and exchanges the IdToken through moto's identity pool and STS
// (another origin, CORS), through pkg/ as the page loads it. Also: the
// IdentityId lands in localStorage under the pool+user key, and
// clientCredentials refuses to run in a page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot } from "../js/suite-files.mjs";
import { startMoto } from "../js/moto.mjs";

let browser, server, moto;
before(async () => {
  [browser, server, moto] = await Promise.all([launch(), serve(repoRoot), startMoto()]);
});
after(async () => {
  await browser?.close();
  server?.close();
  moto?.stop();
});

test("sign-in, both flows and IdentityId storage in Chromium against moto", async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
  const m = { endpoint: moto.endpoint, region: moto.region, userPoolId: moto.userPoolId, clientId: moto.clientId, identityPoolId: moto.identityPoolId, user: moto.user };
  const out = await page.evaluate(async (m) => {
    const sdk = await import("/pkg/user-pool/index.js");
    await sdk.default();
    const pool = new sdk.UserPool({ region: m.region, userPoolId: m.userPoolId, clientId: m.clientId, endpoint: m.endpoint });
    const tokens = await pool.signIn(m.user.username, m.user.password);
    const common = { region: m.region, identityPoolId: m.identityPoolId, idToken: tokens.idToken, endpoint: m.endpoint, stsEndpoint: m.endpoint };
    const enhanced = await new sdk.CognitoIdentityCredentials({ ...common, storage: "local" }).get();
    const basic = await new sdk.CognitoIdentityCredentials({ ...common, storage: "session", flow: "basic", roleArn: "arn:aws:iam::123456789012:role/web" }).get();
    const sub = sdk.decodeJwt(tokens.idToken).payload.sub;
    let secretInBrowser;
    try {
      await sdk.clientCredentials({ tokenEndpoint: m.endpoint + "oauth2/token", clientId: "c", clientSecret: "s" });
    } catch (e) {
      secretInBrowser = e.name;
    }
    let wrongPassword;
    try {
      // moto checks passwords in USER_PASSWORD_AUTH only (it signs in any SRP claim).
      await pool.signIn(m.user.username, "nope", { flow: "password" });
    } catch (e) {
      wrongPassword = e.name;
    }
    return {
      enhanced: { identityId: enhanced.identityId, isDate: enhanced.expiration instanceof Date, key: enhanced.accessKeyId },
      basic: basic.accessKeyId,
      stored: localStorage.getItem(`cognito-sigv4:identity:${m.identityPoolId}:${sub}`),
      storedAnything: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      tokens: [tokens.idToken, enhanced.key],
      secretInBrowser,
      wrongPassword,
    };
  }, m);
  assert.match(out.enhanced.identityId, /^us-east-1:/);
  assert.equal(out.enhanced.isDate, true);
  assert.match(out.basic, /^ASIA/);
  assert.equal(out.stored, out.enhanced.identityId);
  assert.ok(!out.storedAnything.includes(out.tokens[0]), "no IdToken in storage");
  assert.equal(out.secretInBrowser, "SecretInBrowser");
  assert.equal(out.wrongPassword, "NotAuthorizedException");
  await page.close();
});
