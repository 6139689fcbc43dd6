// Starts a real moto server (the pinned one in .venv) for the SDK's
// integration tests, and seeds it over the AWS JSON 1.1 wire protocol:
// a user pool with an app client and a user, and an identity pool trusting it.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function call(endpoint, target, body) {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

/** Starts moto and seeds it; `stop()` ends it. */
export async function startMoto() {
  const port = await freePort();
  // The devstack's moto_server.py: moto plus the RevokeToken and
  // GetTokensFromRefreshToken (the SDK's refresh) it lacks.
  const server = join(repoRoot, "tests/devstack/moto_server.py");
  const child = spawn(join(repoRoot, ".venv/bin/python"), [server, "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(endpoint + "moto-api/");
      break;
    } catch {
      if (Date.now() > deadline) throw new Error("moto did not start in 20 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const idp = (op, body) => call(endpoint, `AWSCognitoIdentityProviderService.${op}`, body);
  const { UserPool } = await idp("CreateUserPool", { PoolName: "sdk-test" });
  const { UserPoolClient } = await idp("CreateUserPoolClient", {
    UserPoolId: UserPool.Id, ClientName: "spa", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  });
  const user = { username: "alice@example.com", password: "Passw0rd!alice" };
  await idp("AdminCreateUser", { UserPoolId: UserPool.Id, Username: user.username, MessageAction: "SUPPRESS" });
  await idp("AdminSetUserPassword", { UserPoolId: UserPool.Id, Username: user.username, Password: user.password, Permanent: true });
  const pool = await call(endpoint, "AWSCognitoIdentityService.CreateIdentityPool", {
    IdentityPoolName: "sdk_test", AllowUnauthenticatedIdentities: true,
    CognitoIdentityProviders: [{ ProviderName: `cognito-idp.us-east-1.amazonaws.com/${UserPool.Id}`, ClientId: UserPoolClient.ClientId }],
  });
  return {
    endpoint, region: "us-east-1", userPoolId: UserPool.Id, clientId: UserPoolClient.ClientId, identityPoolId: pool.IdentityPoolId, user,
    stop: () => child.kill("SIGTERM"),
  };
}
