// Compiled (not run) by `npm test`: the shipped types accept the documented API.
import init, { Signer, CognitoIdentityCredentials, AwsClient, UserPool, decodeJwt, clientCredentials, initSync, sha256 } from "../../pkg/index.js";

async function main(): Promise<void> {
  await init();
  initSync(new Uint8Array());
  const signer = new Signer({ accessKeyId: "a", secretAccessKey: "s", region: "us-east-1", service: "s3" });
  const signed: { method: string; url: string; headers: Record<string, string> } = signer.sign({ url: "https://b.s3.amazonaws.com/k", body: new Uint8Array(), date: new Date() });
  const link: string = signer.presign({ url: new URL("https://b.s3.amazonaws.com/k"), expiresIn: 60 });
  const pool = new UserPool({ region: "us-east-1", userPoolId: "us-east-1_x", clientId: "c" });
  const { idToken } = await pool.signIn("u", "p");
  const creds = new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "us-east-1:x", idToken: () => idToken, storage: "session", flow: "basic", roleArn: "arn" });
  const c = await creds.get();
  const expires: Date = c.expiration;
  const aws = new AwsClient({ credentials: creds });
  const res: Response = await aws.fetch("https://abc.execute-api.us-east-1.amazonaws.com/v1/admin", { method: "GET" });
  const claims = decodeJwt(idToken).payload["cognito:groups"];
  const m2m = await clientCredentials({ tokenEndpoint: "https://x/oauth2/token", clientId: "c", clientSecret: "s", scope: ["a/b"] });
  void [signed, link, expires, res, claims, m2m.accessToken, sha256("x")];
}
void main;
