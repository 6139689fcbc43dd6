// Compiled (not run) by tests/types/check.mjs in an app that installed the
// packed package: the shipped types accept the documented API, by package name.
import init, { Signer, CognitoIdentityCredentials, AwsClient, S3Client, decodeJwt, initSync, sha256 } from "cognito-sigv4";
import type { ErrorCode, SdkError, UploadProgress } from "cognito-sigv4";
// The user pool's entry: all of the main one, and the user pool.
import initPool, { UserPool, UserPoolSession, clientCredentials, S3Client as PoolS3Client, CognitoIdentityCredentials as PoolCredentials } from "cognito-sigv4/user-pool";
import type { AuthChallenge, UserPoolSessionOptions, UserPoolTokens, ErrorCode as PoolErrorCode } from "cognito-sigv4/user-pool";
import initSigner, { Signer as OnlySigner, sha256 as onlySha256 } from "cognito-sigv4/signer";

declare function askUser(challengeName: string, parameters?: Record<string, string>): Promise<string>;
declare const bar: { value: number };
declare const file: File;

async function main(): Promise<void> {
  await init();
  await initPool();
  initSync(new Uint8Array());
  const signer = new Signer({ accessKeyId: "a", secretAccessKey: "s", region: "us-east-1", service: "s3" });
  const signed: { method: string; url: string; headers: Record<string, string> } = signer.sign({ url: "https://b.s3.amazonaws.com/k", body: new Uint8Array(), date: new Date() });
  const big: { headers: Record<string, string> } = await signer.signAsync({ method: "PUT", url: "https://b.s3.amazonaws.com/k", body: new Uint8Array(1 << 20) });
  const link: string = signer.presign({ url: new URL("https://b.s3.amazonaws.com/k"), expiresIn: 60 });
  const pool = new UserPool({ region: "us-east-1", userPoolId: "us-east-1_x", clientId: "c" });
  const signedIn = await pool.signIn("u", "p", { flow: "password" });
  // A challenge is a typed result to answer, not an error.
  const tokens = "challengeName" in signedIn ? await pool.respond(signedIn, "123456") : signedIn;
  if ("challengeName" in tokens) throw new Error(`another challenge: ${tokens.challengeName} ${tokens.parameters.CODE_DELIVERY_DESTINATION}`);
  const { idToken } = tokens;
  const session = pool.session(tokens, { refreshBeforeSeconds: 60 });
  const fresh: string = await session.idToken();
  const sessionCreds = new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "us-east-1:x", idToken: session.idToken });
  // The same, all from the user pool's entry (one module).
  const poolCreds = new PoolCredentials({ region: "us-east-1", identityPoolId: "us-east-1:x", idToken: session.idToken });
  const poolS3: { myPrefix(name?: string): Promise<string> } = new PoolS3Client({ credentials: poolCreds, region: "us-east-1", bucket: "b" });
  const poolCode: PoolErrorCode = "SignedOut";
  const creds = new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "us-east-1:x", idToken: () => idToken, storage: "session", flow: "basic", roleArn: "arn" });
  const c = await creds.get();
  const expires: Date = c.expiration;
  const aws = new AwsClient({ credentials: creds });
  const res: Response = await aws.fetch("https://abc.execute-api.us-east-1.amazonaws.com/v1/admin", { method: "GET" });
  const claims = decodeJwt(idToken).payload["cognito:groups"];
  const m2m = await clientCredentials({ tokenEndpoint: "https://x/oauth2/token", clientId: "c", clientSecret: "s", scope: ["a/b"] });
  const s3 = new S3Client({ credentials: creds, region: "us-east-1", bucket: "b", endpoint: "http://127.0.0.1:9000", prefix: "cognito-test" });
  const key: string = await s3.myPrefix("data.txt");
  const { etag } = await s3.putObject(key, new Blob(["x"]), { contentType: "text/plain" });
  const text: string = await (await s3.getObject(key, { range: [0, 9] })).text();
  const listing = await s3.listObjects({ prefix: await s3.myPrefix(), maxKeys: 10 });
  const first: Date | undefined = listing.objects[0]?.lastModified;
  const put: string = await s3.presignPut(key, { expiresIn: 60, contentType: "text/plain" });
  await s3.deleteObject(key, { signal: AbortSignal.timeout(1000) });
  const controller = new AbortController();
  const up = await s3.upload(key, new Blob(["x"]), { partSize: 8 << 20, concurrency: 2, signal: controller.signal, onProgress: ({ loaded, total, uploadId }) => void [loaded, total, uploadId], leavePartsOnError: true });
  const resumed: string | null = (await s3.upload(key, new Uint8Array(1), { uploadId: up.uploadId })).etag;
  const head = await s3.headObject(key);
  const size: number = head.size;
  const color: string | undefined = head.metadata.color;
  await s3.copyObject(key, `${key}.copy`);
  const { deleted, errors } = await s3.deleteObjects([key, `${key}.copy`]);
  for await (const o of s3.listAll({ prefix: "p/" })) void o.key;
  const form = await s3.presignPost("p/", { keyPrefix: true, conditions: [["content-length-range", 0, 100]] });
  const action: string = form.url + form.fields["x-amz-signature"];
  await session.signOut(sessionCreds);
  await pool.revoke("refresh");
  void [fresh, resumed, size, color, deleted, errors[0]?.code, action];
  void [signed, big, link, expires, res, claims, m2m.accessToken, sha256("x"), etag, text, first, put, listing.nextContinuationToken];

  // `using` needs lib esnext.disposable; its symbol is still typed here.
  const dispose: () => void = s3[Symbol.dispose].bind(s3);
  void dispose;

  // Typed errors.
  try {
    await creds.get();
  } catch (e) {
    const err = e as SdkError;
    const code: ErrorCode = err.code;
    if (code === "NotInitialized" || code === "WasmBlocked" || err.status === 400) void err.message;
    const resumeWith: string | undefined = err.uploadId;
    const deletedBefore: string[] | undefined = err.result?.deleted;
    void resumeWith, deletedBefore;
  }
}
void main;

// The README's examples, as written there.
async function readmeSignIn(pool: UserPool, username: string, password: string, identityPoolId: string): Promise<Response> {
  let signedIn = await pool.signIn(username, password);   // { flow: "password" } for USER_PASSWORD_AUTH
  while ("challengeName" in signedIn) {                    // NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP…
    signedIn = await pool.respond(signedIn, await askUser(signedIn.challengeName, signedIn.parameters));
  }
  const session = pool.session(signedIn);                 // refreshes its tokens before they expire
  const credentials = new CognitoIdentityCredentials({
    region: "us-east-1",
    identityPoolId,
    idToken: session.idToken,
  });
  const aws = new AwsClient({ credentials });
  const res = await aws.fetch("https://abc123.execute-api.us-east-1.amazonaws.com/v1/admin");
  await session.signOut(credentials);
  return res;
}
void readmeSignIn;

async function readmeUpload(s3: S3Client, controller: AbortController): Promise<string | null> {
  const { etag } = await s3.upload(await s3.myPrefix(file.name), file, {   // any size, multipart above one part
    onProgress: ({ loaded, total, uploadId }) => {       // total: undefined for a stream; uploadId: to resume
      if (total) bar.value = loaded / total;
    },
    signal: controller.signal,      // cancel: the upload is aborted on S3 too
  });
  return etag;
}
void readmeUpload;

// The package's README (src/wasm/js/package-readme.md), as written there.
declare const region: string, userPoolId: string, clientId: string, username: string, password: string, identityPoolId: string;
async function packageReadme(): Promise<Response> {
  await init();
  const pool = new UserPool({ region, userPoolId, clientId });
  let tokens = await pool.signIn(username, password);     // tokens, or a challenge (MFA, a new password…)
  while ("challengeName" in tokens) tokens = await pool.respond(tokens, await askUser(tokens.challengeName));
  const session = pool.session(tokens);                   // refreshes itself
  const credentials = new CognitoIdentityCredentials({ region, identityPoolId, idToken: session.idToken });
  const res = await new AwsClient({ credentials }).fetch("https://abc123.execute-api.us-east-1.amazonaws.com/v1/items");
  const s3 = new S3Client({ credentials, region, bucket: "my-bucket", prefix: "private" });
  await s3.putObject(await s3.myPrefix("data.txt"), "hello");   // private/{identityId}/data.txt
  await s3.upload(await s3.myPrefix(file.name), file, { onProgress: (p) => console.log(p.loaded, p.total) });  // multipart
  const { objects } = await s3.listObjects({ prefix: await s3.myPrefix() });
  void objects;
  return res;
}
void packageReadme;

// A session from tokens kept elsewhere, and its class by name.
function restore(pool: UserPool, tokens: UserPoolTokens): UserPoolSession {
  const options: UserPoolSessionOptions = { refreshBeforeSeconds: 120 };
  return new UserPoolSession(pool, tokens, options);
}
void restore;
const isChallenge = (x: UserPoolTokens | AuthChallenge): x is AuthChallenge => "challengeName" in x;
void isChallenge;
const progress: UploadProgress = { loaded: 1 };
void progress;

// cognito-sigv4/signer: the Signer alone.
async function signerEntry(): Promise<string> {
  await initSigner();
  const s = new OnlySigner({ accessKeyId: "A", secretAccessKey: "S", region: "us-east-1", service: "s3" });
  const { headers } = s.sign({ url: "https://b.s3.amazonaws.com/k", payloadHash: onlySha256("x") });
  return headers.authorization + s.presign({ url: "https://b.s3.amazonaws.com/k", expiresIn: 60 });
}
void signerEntry;
