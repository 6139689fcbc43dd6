// What every runtime and bundle check runs, whatever loaded the package: the
// official suite through Signer, a presigned URL, a typed error, a hash,
// clientCredentials' refusal (SecretInBrowser in browsers only), and,
// when given the devstack's config, scenario S1 end to end (sign in, exchange
// the IdToken for credentials, call API Gateway's two routes). It never
// imports the package itself: each caller passes the namespace it imported
// its own way (by name in Node, Deno and Bun, bundled for workerd and the
// browser bundles), already init()ed.
import { checkCase } from "../js/suite.mjs";

export async function probe(sdk, { cases, stack }) {
  const problems = cases.flatMap((c) => checkCase(sdk.Signer, c.name, c.files));
  const signer = new sdk.Signer({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3" });
  const presigned = signer.presign({ url: "https://b.s3.amazonaws.com/k", expiresIn: 60, date: new Date(0) });
  let error;
  try {
    signer.sign({ url: "not a url" });
  } catch (e) {
    error = e.name;
  }
  // clientCredentials refuses in browsers (pages and workers) before it reads
  // its options; elsewhere the empty options are what it refuses.
  let m2m;
  try {
    await sdk.clientCredentials({});
  } catch (e) {
    m2m = e.name;
  }
  return { cases: cases.length, problems, presigned: presigned.includes("X-Amz-Signature="), error, hash: sdk.sha256("abc"), m2m, s1: stack && (await scenarioS1(sdk, stack)) };
}

/** S1: each group's role reaches its own route only: { admin: [GET /admin, GET /user], user: [...] }. */
async function scenarioS1(sdk, c) {
  const pool = new sdk.UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  const out = {};
  for (const group of ["admin", "user"]) {
    const user = c.users.find((u) => u.username.startsWith(`${group}@`));
    const { idToken } = await pool.signIn(user.username, user.password);
    const credentials = new sdk.CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken, endpoint: c.identityEndpoint, storage: "memory" });
    const client = new sdk.AwsClient({ credentials, region: c.region, service: "execute-api" });
    out[group] = [];
    for (const route of ["admin", "user"]) {
      const res = await client.fetch(`${c.apiUrl}/${route}`);
      await res.arrayBuffer();
      out[group].push(res.status);
    }
  }
  return out;
}

/** What a runtime that passes answers (the suite's 31 cases, S1 when asked). */
export const EXPECTED = {
  cases: 31,
  problems: [],
  presigned: true,
  error: "InvalidUrl",
  hash: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  /** A server or edge runtime (a browser answers SecretInBrowser). */
  m2m: "InvalidConfig",
  s1: { admin: [200, 403], user: [403, 200] },
};
