// The live part of the demo: sign in to the devstack's user pool, turn the
// IdToken into identity-pool credentials, and call the IAM-authorized API, the
// JWT route and S3 from this page. The endpoints come from devstack.json,
// which `npm run demo` writes next to the page.
import { AwsClient, CognitoIdentityCredentials, S3Client, UserPool, clientCredentials, decodeJwt } from "cognito-sigv4/user-pool";

const $ = (id) => document.getElementById(id);
let stack, session;

/** The role the credentials are for: the one picked (S2), else the identity pool's first matching rule (devstack.toml: admin, then user), else its authenticated role. */
function roleName() {
  const picked = $("role").value;
  if (picked) return picked.split("/").pop();
  const group = ["admin", "user"].find((g) => session.groups.includes(g));
  return group ? stack.roles[group].split("/").pop() : "cognito-sigv4-reader";
}

/** A log line: outcome, action, detail (text or a node), and who did it, as which role. */
function log(action, outcome, detail, cls) {
  const li = document.createElement("li");
  li.className = cls;
  const b = document.createElement("b");
  b.textContent = outcome;
  li.append(b, ` ${action}  `, detail);
  if (session) {
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `  · ${session.user.username} as ${roleName()}`;
    li.append(who);
  }
  $("log").prepend(li);
}

/** A link that opens in a new tab, for presigned URLs. */
function link(url) {
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener";
  a.textContent = url;
  return a;
}

function logError(action, error) {
  log(action, error.status ? `${error.name} (${error.status})` : error.name, error.message, "err");
}

async function logResponse(action, response) {
  const text = await response.text();
  log(action, String(response.status), text.slice(0, 400), response.ok ? "ok" : "denied");
}

/** An answer that is not a Response (S3 listings, generated values) as a log line. */
function logValue(action, value) {
  log(action, "OK", typeof value === "string" ? value : JSON.stringify(value), "ok");
}

async function signIn() {
  const user = stack.users.find((u) => u.username === $("user").value);
  signOut();
  try {
    const pool = new UserPool({ region: stack.region, userPoolId: stack.userPoolId, clientId: stack.clientId, endpoint: stack.userPoolEndpoint });
    // USER_SRP_AUTH (the default): the password never leaves the page.
    const tokens = await pool.signIn(user.username, user.password);
    if (tokens.challengeName) throw new Error(`the pool asks for ${tokens.challengeName}: answer it with pool.respond()`);
    const claims = decodeJwt(tokens.idToken).payload;
    const groups = claims["cognito:groups"] ?? [];
    $("groups").textContent = groups.length ? groups.join(", ") : "(none)";
    // moto's IdTokens carry no cognito:roles; the devstack derives them from the groups, as shown.
    const tokenRoles = claims["cognito:roles"] ?? groups.map((g) => stack.roles[g]).filter(Boolean);
    $("roles").textContent = (tokenRoles.join(", ") || "(none)") + (claims["cognito:roles"] ? "" : "  (from the groups)");
    const roles = $("role");
    roles.innerHTML = '<option value="">by the pool\'s rules</option>';
    for (const g of groups) {
      const arn = stack.roles[g];
      if (arn) roles.add(new Option(`${g}: ${arn}`, arn));
    }
    roles.disabled = groups.length < 2;
    // A session that refreshes its tokens before they expire.
    session = { user, tokens, groups, userSession: pool.session(tokens) };
    await connect();
    log(`sign in ${user.username}`, "OK", `USER_SRP_AUTH; groups: ${groups.join(", ") || "none"}`, "ok");
  } catch (e) {
    logError(`sign in ${user.username}`, e);
  }
}

async function connect() {
  const customRoleArn = $("role").value || undefined;
  const credentials = new CognitoIdentityCredentials({
    region: stack.region,
    identityPoolId: stack.identityPoolId,
    idToken: session.userSession.idToken,
    customRoleArn,
    endpoint: stack.identityEndpoint,
    stsEndpoint: stack.stsEndpoint,
    storage: "session",
  });
  session.credentials = credentials;
  $("who").textContent = `${session.user.username}, as ${roleName()}${customRoleArn ? " (picked with CustomRoleArn)" : " (by the pool's rules)"}`;
  session.api = new AwsClient({ credentials, region: stack.region, service: "execute-api" });
  session.s3 = new S3Client({ credentials, region: stack.region, bucket: stack.bucket, endpoint: stack.s3Endpoint, prefix: stack.s3Prefix });
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
  // Revokes the refresh token on the pool; a failure to reach it changes nothing here.
  session?.userSession?.signOut().catch(() => {});
  session = undefined;
  for (const id of ["who", "groups", "roles", "identityId", "credentials"]) $(id).textContent = "–";
}

/** Another identity's key: S3 must refuse it. */
const OTHER = "us-east-1:00000000-0000-4000-8000-000000000000";

/** Credentials as `connect` makes them, with some options changed (S6). */
const credentialsWith = (options) =>
  new CognitoIdentityCredentials({
    region: stack.region, identityPoolId: stack.identityPoolId, endpoint: stack.identityEndpoint, stsEndpoint: stack.stsEndpoint, storage: "memory", ...options,
  });

const actions = {
  admin: () => session.api.fetch(`${stack.apiUrl}/admin`),
  user: () => session.api.fetch(`${stack.apiUrl}/user`),
  jwt: () => fetch(`${stack.jwtApiUrl}/me`, { headers: { authorization: session.tokens.idToken } }),
  put: async () => {
    const { etag } = await session.s3.putObject(await session.s3.myPrefix("data.txt"), `hello from ${session.user.username} at ${new Date().toISOString()}`, { contentType: "text/plain" });
    return new Response(`written, ETag ${etag}`, { status: 200 });
  },
  get: async () => session.s3.getObject(await session.s3.myPrefix("data.txt")),
  other: () => session.s3.getObject(`${stack.s3Prefix}/${OTHER}/data.txt`),
  presign: async () => {
    const url = await session.s3.presignGet(await session.s3.myPrefix("data.txt"), { expiresIn: 300 });
    log("presigned GET (5 min)", "URL", link(url), "ok");
    return fetch(url);
  },
  presignPut: async () => {
    const key = await session.s3.myPrefix("uploaded.txt");
    const url = await session.s3.presignPut(key, { expiresIn: 300, contentType: "text/plain" });
    const put = await fetch(url, { method: "PUT", body: `uploaded by ${session.user.username} through a presigned PUT`, headers: { "content-type": "text/plain" } });
    if (!put.ok) return put;
    // Read the PUT's (empty) answer: left unread, the page aborts the request when it collects it.
    await put.arrayBuffer();
    return fetch(await session.s3.presignGet(key, { expiresIn: 300 }));
  },
  big: async () => {
    const bytes = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251);
    const key = await session.s3.myPrefix("big.bin");
    const started = performance.now();
    const { etag } = await session.s3.putObject(key, new Blob([bytes], { type: "application/octet-stream" }));
    const back = new Uint8Array(await (await session.s3.getObject(key)).arrayBuffer());
    const same = back.length === bytes.length && back.every((b, i) => b === bytes[i]);
    return new Response(`5 MB up and back ${same ? "identical" : "DIFFERENT"} in ${Math.round(performance.now() - started)} ms, ETag ${etag}`, { status: same ? 200 : 500 });
  },
  upload: async () => {
    // A multipart upload with a progress bar and a Cancel button (which aborts it on S3 too).
    const file = $("upload-file").files[0] ?? new File([new Uint8Array(24 * 1024 * 1024).map((_, i) => i % 253)], "test-24MiB.bin", { type: "application/octet-stream" });
    const key = await session.s3.myPrefix(`uploads/${file.name}`);
    const controller = new AbortController();
    const cancel = $("upload-cancel");
    cancel.disabled = false;
    cancel.onclick = () => controller.abort();
    const bar = $("upload-progress");
    const status = $("upload-status");
    bar.value = 0;
    status.className = "";
    status.textContent = "";
    const started = performance.now();
    try {
      const { etag, parts } = await session.s3.upload(key, file, {
        signal: controller.signal,
        onProgress: ({ loaded, total }) => {
          bar.value = total ? loaded / total : 0;
          status.textContent = `${(loaded / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB`;
        },
      });
      return new Response(`${file.name}: ${file.size} B in ${parts} part(s) in ${Math.round(performance.now() - started)} ms, ETag ${etag}`, { status: 200 });
    } catch (e) {
      if (!controller.signal.aborted) throw e;
      // Cancelled: the bar starts over, and S3 has no parts left (the upload was aborted there too).
      bar.value = 0;
      status.className = "cancelled";
      status.textContent = "cancelled";
      log(`${file.name}`, "Cancelled", "the upload was aborted, on S3 too", "denied");
      return undefined;
    } finally {
      cancel.disabled = true;
    }
  },
  list: async () => {
    const listing = await session.s3.listObjects({ prefix: await session.s3.myPrefix() });
    logValue("S3: list my prefix", listing.objects.map((o) => `${o.key.split("/").pop()} (${o.size} B)`).join(", ") || "(empty)");
  },
  m2m: async () => {
    // S5 belongs on servers: in a page, the SDK refuses to use a client secret.
    await clientCredentials({ tokenEndpoint: stack.tokenEndpoint, clientId: stack.m2mClientId, clientSecret: "never-in-a-page", scope: stack.m2mScope });
  },
  misconfigured: () => credentialsWith({ identityPoolId: stack.misconfiguredIdentityPoolId, idToken: session.tokens.idToken }).get(),
  tampered: () => {
    // A token whose signature does not verify: the pool refuses it as it refuses an expired one.
    const [h, p, sig] = session.tokens.idToken.split(".");
    return credentialsWith({ idToken: `${h}.${p}.${sig.slice(0, -4)}AAAA` }).get();
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
        const result = await actions[action]();
        if (result instanceof Response) await logResponse(button.textContent, result);
        else if (result !== undefined) logValue(button.textContent, "done");
      } catch (e) {
        logError(button.textContent, e);
      }
    });
  }
}
