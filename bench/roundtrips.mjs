// Network round trips per signed request with CognitoIdentityCredentials +
// AwsClient, against a real moto (identity pool) and a local HTTP target:
// cold (first request of a page), after a reload (IdentityId remembered), and
// steady state (credentials cached). Prints a markdown table on stdout.
import { createServer } from "node:http";
import init, { AwsClient, CognitoIdentityCredentials, UserPool } from "../pkg/user-pool/index.js";
import { startMoto } from "../tests/js/moto.mjs";

await init();
const moto = await startMoto();
const target = createServer((req, res) => res.end("ok"));
await new Promise((r) => target.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${target.address().port}/v1/items`;

try {
  const { idToken } = await new UserPool({ region: moto.region, userPoolId: moto.userPoolId, clientId: moto.clientId, endpoint: moto.endpoint }).signIn(moto.user.username, moto.user.password);
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k) };
  const page = () => {
    // moto's credentials live about 90 s, less than the default 5-minute margin.
    const credentials = new CognitoIdentityCredentials({ region: moto.region, identityPoolId: moto.identityPoolId, idToken, endpoint: moto.endpoint, storage, refreshMarginMs: 0 });
    return new AwsClient({ credentials, region: "us-east-1", service: "execute-api" });
  };
  const realFetch = globalThis.fetch;
  let trips = 0;
  globalThis.fetch = (...args) => (trips++, realFetch(...args));
  const count = async (fn) => {
    trips = 0;
    await fn();
    return trips;
  };
  const first = page();
  const cold = await count(() => first.fetch(url));
  const steady = await count(() => first.fetch(url));
  const reloaded = page();
  const reload = await count(() => reloaded.fetch(url));
  globalThis.fetch = realFetch;
  console.log("\n| Round trips per signed request (CognitoIdentityCredentials + AwsClient, moto) | count |");
  console.log("| --- | ---: |");
  console.log(`| cold: GetId + GetCredentialsForIdentity + the request | ${cold} |`);
  console.log(`| after a page reload, IdentityId remembered: GetCredentialsForIdentity + the request | ${reload} |`);
  console.log(`| steady state, credentials cached | ${steady} |`);
} finally {
  moto.stop();
  target.close();
}
