// What every runtime and bundle check runs, whatever loaded the package: the
// official suite through Signer, a presigned URL, a typed error, a hash,
// clientCredentials' refusal (SecretInBrowser in browsers only; the
// user-pool entry's, absent from the main one), and, when given the devstack's
// config (the user-pool entry), scenario S1 end to end (sign in, exchange
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
    if (sdk.clientCredentials) await sdk.clientCredentials({});
  } catch (e) {
    m2m = e.name;
  }
  return { cases: cases.length, problems, presigned: presigned.includes("X-Amz-Signature="), error, hash: sdk.sha256("abc"), m2m, s1: stack && (await scenarioS1(sdk, stack)) };
}

/** S1: each group's role reaches its own route only: { admin: [GET /admin, GET /user], user: [...] }. */
async function scenarioS1(sdk, c) {
  // The main entry has no UserPool: its app's IdToken comes from elsewhere
  // (here a plain USER_PASSWORD_AUTH InitiateAuth, as another library would).
  const signIn = sdk.UserPool
    ? (u) => new sdk.UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint }).signIn(u.username, u.password)
    : (u) => plainSignIn(c, u);
  const out = {};
  for (const group of ["admin", "user"]) {
    const user = c.users.find((u) => u.username.startsWith(`${group}@`));
    const { idToken } = await signIn(user);
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

async function plainSignIn(c, user) {
  const res = await fetch(c.userPoolEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth" },
    body: JSON.stringify({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: c.clientId, AuthParameters: { USERNAME: user.username, PASSWORD: user.password } }),
  });
  if (!res.ok) throw new Error(`InitiateAuth: ${res.status}`);
  return { idToken: (await res.json()).AuthenticationResult.IdToken };
}

/** What a runtime that passes answers (the suite's 31 cases, S1 when asked), with the user-pool entry. */
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

/** The same with the main entry, which has no clientCredentials (no `m2m` once through JSON). */
export const EXPECTED_MAIN = Object.fromEntries(Object.entries(EXPECTED).filter(([key]) => key !== "m2m"));
