// Compiled by tests/types/check.mjs beside usage.ts: each line after a
// `// @ts-expect-error` is a misuse the shipped types must refuse (tsc fails
// on an expect-error that has no error to expect).
import { CognitoIdentityCredentials, S3Client, Signer } from "cognito-sigv4";
import { UserPool } from "cognito-sigv4/user-pool";
// @ts-expect-error the main entry has no user pool (cognito-sigv4/user-pool has)
import { UserPool as NotInMain } from "cognito-sigv4";
import { Signer as OnlySigner } from "cognito-sigv4/signer";

export async function misuses(s3: S3Client, pool: UserPool): Promise<void> {
  // @ts-expect-error a misspelt option: identityPoolID for identityPoolId
  new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "us-east-1:x", identityPoolID: "us-east-1:x", idToken: "t" });
  // @ts-expect-error a required option left out (identityPoolId)
  new CognitoIdentityCredentials({ region: "us-east-1", idToken: "t" });
  // @ts-expect-error storage is "local", "session", "memory" or a Storage
  new CognitoIdentityCredentials({ region: "us-east-1", identityPoolId: "us-east-1:x", idToken: "t", storage: "disk" });
  // @ts-expect-error a number where a key belongs
  await s3.putObject(42, "body");
  // @ts-expect-error a number where a key belongs
  await s3.getObject(7);
  // @ts-expect-error a misspelt option of S3Client: bucketName
  new S3Client({ credentials: { accessKeyId: "a", secretAccessKey: "s" }, region: "us-east-1", bucketName: "b" });
  // @ts-expect-error a misspelt option of UserPool: userPoolID
  new UserPool({ region: "us-east-1", userPoolID: "us-east-1_x", clientId: "c" });
  // @ts-expect-error a challenge is not a session's tokens
  pool.session(await pool.signIn("u", "p"));
  // @ts-expect-error accessKeyId is a string
  new Signer({ accessKeyId: 1, secretAccessKey: "s", region: "us-east-1", service: "s3" });
  // @ts-expect-error the signer entry has no explain()
  new OnlySigner({ accessKeyId: "a", secretAccessKey: "s", region: "us-east-1", service: "s3" }).explain({ url: "https://x" });
  // @ts-expect-error total may be undefined (a stream): not a number to divide by as it is
  await s3.upload("k", "x", { onProgress: ({ loaded, total }) => void (loaded / total) });
}
