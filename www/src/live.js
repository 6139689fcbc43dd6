// The live part of the demo: sign in to the devstack's user pool, turn the
// IdToken into identity-pool credentials, and call the IAM-authorized API, the
// JWT route and S3 from this page. The endpoints come from devstack.json,
// which `npm run demo` writes next to the page.
import { AwsClient, CognitoIdentityCredentials, UserPool, decodeJwt } from "cognito-sigv4";

const $ = (id) => document.getElementById(id);
let stack, session;

function log(action, outcome, detail, cls) {
  const li = document.createElement("li");
  li.className = cls;
  const b = document.createElement("b");
  b.textContent = outcome;
  li.append(b, ` ${action}  `, detail);
  $("log").prepend(li);
}

function logError(action, error) {
  log(action, error.name, error.message, "err");
}

async function logResponse(action, response) {
  const text = await response.text();
  log(action, String(response.status), text.slice(0, 400), response.ok ? "ok" : "denied");
}

/** S3 key path with each segment encoded, so ':' in an IdentityId travels as %3A. */
function s3Url(key) {
  return `${stack.s3Endpoint}/${stack.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

async function signIn() {
  const user = stack.users.find((u) => u.username === $("user").value);
  signOut();
  try {
    const pool = new UserPool({ region: stack.region, userPoolId: stack.userPoolId, clientId: stack.clientId, endpoint: stack.userPoolEndpoint });
    const tokens = await pool.signIn(user.username, user.password);
    const claims = decodeJwt(tokens.idToken).payload;
    const groups = claims["cognito:groups"] ?? [];
    $("groups").textContent = groups.length ? groups.join(", ") : "(none)";
    const roles = $("role");
    roles.innerHTML = '<option value="">by the pool\'s rules</option>';
    for (const g of groups) {
      const arn = stack.roles[g];
      if (arn) roles.add(new Option(`${g}: ${arn}`, arn));
    }
    roles.disabled = groups.length < 2;
    session = { user, tokens };
    await connect();
    log(`sign in ${user.username}`, "OK", `groups: ${groups.join(", ") || "none"}`, "ok");
  } catch (e) {
    logError(`sign in ${user.username}`, e);
  }
}

async function connect() {
  const customRoleArn = $("role").value || undefined;
  const credentials = new CognitoIdentityCredentials({
    region: stack.region,
    identityPoolId: stack.identityPoolId,
    idToken: () => session.tokens.idToken,
    customRoleArn,
    endpoint: stack.identityEndpoint,
    stsEndpoint: stack.stsEndpoint,
    storage: "session",
  });
  session.credentials = credentials;
  session.api = new AwsClient({ credentials, region: stack.region, service: "execute-api" });
  session.s3 = new AwsClient({ credentials, region: stack.region, service: "s3" });
  try {
    const c = await credentials.get();
    session.identityId = c.identityId;
    $("identityId").textContent = c.identityId;
    $("credentials").textContent = `${c.accessKeyId} until ${c.expiration.toLocaleTimeString()}${customRoleArn ? ` (role ${customRoleArn.split("/").pop()})` : ""}`;
  } catch (e) {
    $("credentials").textContent = `${e.name}`;
    logError("credentials", e);
  }
}

function signOut() {
  session?.credentials?.clear();
  session = undefined;
  for (const id of ["groups", "identityId", "credentials"]) $(id).textContent = "–";
}

const actions = {
  admin: () => session.api.fetch(`${stack.apiUrl}/admin`),
  user: () => session.api.fetch(`${stack.apiUrl}/user`),
  jwt: () => fetch(`${stack.jwtApiUrl}/me`, { headers: { authorization: session.tokens.idToken } }),
  put: () => session.s3.fetch(s3Url(`${stack.s3Prefix}/${session.identityId}/data.txt`), { method: "PUT", body: `hello from ${session.user.username} at ${new Date().toISOString()}`, headers: { "content-type": "text/plain" } }),
  get: () => session.s3.fetch(s3Url(`${stack.s3Prefix}/${session.identityId}/data.txt`)),
  other: () => session.s3.fetch(s3Url(`${stack.s3Prefix}/us-east-1:00000000-0000-4000-8000-000000000000/data.txt`)),
  presign: async () => {
    const url = await session.s3.presign(s3Url(`${stack.s3Prefix}/${session.identityId}/data.txt`), { expiresIn: 300 });
    log("presigned GET (5 min)", "URL", url, "ok");
    return fetch(url);
  },
};

export async function startLive() {
  try {
    const res = await fetch("./devstack.json", { cache: "no-store" });
    if (!res.ok) throw new Error("no devstack.json");
    stack = await res.json();
  } catch {
    $("live-missing").classList.remove("hidden");
    for (const b of document.querySelectorAll("#live button, #live select")) b.disabled = true;
    return;
  }
  for (const u of stack.users) $("user").add(new Option(`${u.username} (${u.groups.join(", ") || "no group"})`, u.username));
  $("signin").addEventListener("click", signIn);
  $("signout").addEventListener("click", () => {
    signOut();
    log("sign out", "OK", "credentials and this user's IdentityId forgotten", "ok");
  });
  $("role").addEventListener("change", () => session && connect());
  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", async () => {
      const action = button.dataset.action;
      if (!session) return log(button.textContent, "—", "sign in first", "denied");
      try {
        await logResponse(button.textContent, await actions[action]());
      } catch (e) {
        logError(button.textContent, e);
      }
    });
  }
}
