// Types of the cognito-sigv4 package (hand-written: the JS API in index.js
// wraps a lower-level wasm-bindgen layer whose generated types users never see).

export type InitInput =
  | RequestInfo
  | URL
  | Response
  | BufferSource
  | WebAssembly.Module
  | { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module };

/** Loads the wasm module (fetched beside index.js in browsers, read from disk in Node). */
export default function init(input?: InitInput | Promise<InitInput>): Promise<void>;
/** Synchronous init from the wasm bytes or a compiled module. */
export function initSync(module: BufferSource | WebAssembly.Module | { module: BufferSource | WebAssembly.Module }): void;

/** Error codes of cognito-sigv4 itself; AWS error types (e.g. NotAuthorizedException) appear as they are. */
export type ErrorCode =
  | "InvalidUrl"
  | "InvalidHeader"
  | "InvalidExpires"
  | "InvalidDate"
  | "InvalidBody"
  | "InvalidConfig"
  | "MissingCredentials"
  | "NotInitialized"
  | "Malformed"
  | "Network"
  | "Timeout"
  | "ClockSkew"
  | "SecretInBrowser"
  | "ChallengeRequired"
  /** clear() ran while this exchange was in flight: its answer was dropped. */
  | "Cancelled"
  /** The wasm module trapped (out of memory, a bug): every further call fails so; reload the page. */
  | "ModuleFailed"
  | (string & {});

/** Every error thrown has `name === code`, and a message that says what to fix. */
export interface SdkError extends Error {
  name: ErrorCode;
  code: ErrorCode;
  /** The HTTP status of the AWS answer behind the error (service errors only). */
  status?: number;
}

export interface SignerOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** e.g. "us-east-1" */
  region: string;
  /** e.g. "execute-api" or "s3" (S3 signs the path once-encoded and sends x-amz-content-sha256) */
  service: string;
}

export type HeadersInput = Record<string, string> | Headers | Array<[string, string]>;
export type BodyInput = string | Uint8Array | ArrayBuffer | ArrayBufferView | URLSearchParams | null;

export interface SignRequest {
  /** Default "GET". */
  method?: string;
  url: string | URL;
  headers?: HeadersInput;
  body?: BodyInput;
  /** Signing time: a Date or epoch milliseconds; default now. */
  date?: Date | number;
  /** Sign "UNSIGNED-PAYLOAD" instead of hashing the body (sets x-amz-content-sha256). */
  unsignedPayload?: boolean;
  /** The body's SHA-256, lower-case hex, computed elsewhere (sets x-amz-content-sha256). */
  payloadHash?: string;
  /** Send and sign x-amz-content-sha256 for a service other than S3 too. */
  contentSha256?: boolean;
  /**
   * Sign the URL exactly as given, for clients other than fetch. By default the
   * URL first goes through the platform's URL parser, so that what is signed is
   * exactly what fetch sends (spaces and unicode percent-encoded, dot segments resolved).
   */
  rawUrl?: boolean;
}

export interface SignedRequest {
  method: string;
  url: string;
  /** Lower-case names: the given headers plus host, x-amz-date, authorization, and x-amz-security-token / x-amz-content-sha256 where due. */
  headers: Record<string, string>;
}

export interface PresignRequest {
  method?: string;
  url: string | URL;
  headers?: HeadersInput;
  /** Seconds, 1..604800; default 3600. */
  expiresIn?: number;
  date?: Date | number;
  rawUrl?: boolean;
}

export interface Explained {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
}

/** SigV4 with fixed credentials, region and service; synchronous. */
export class Signer {
  constructor(options: SignerOptions);
  readonly region: string;
  readonly service: string;
  sign(request: SignRequest): SignedRequest;
  presign(request: PresignRequest): string;
  /** Releases the wasm memory now rather than at garbage collection; the signer is unusable after. */
  free(): void;
  /** sign (or presign) and also return the canonical request and string to sign. */
  explain(request: SignRequest | PresignRequest, options?: { presign?: boolean }): Explained;
}

/** Lower-case hex SHA-256 of a string or bytes. */
export function sha256(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): string;
export function sdkError(code: ErrorCode, message: string): SdkError;

/** Temporary AWS credentials from an identity pool. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  identityId: string;
}

/** A token, or a function returning one (sync or async), called whenever a fresh token is needed. */
export type TokenSource = string | (() => string | Promise<string>);

export interface CognitoIdentityCredentialsOptions {
  region: string;
  /** e.g. "us-east-1:01234567-89ab-cdef-0123-456789abcdef" */
  identityPoolId: string;
  /** A user-pool IdToken; the Logins key is derived from its `iss`. */
  idToken?: TokenSource;
  /** Other providers: `{ "accounts.google.com": token, … }`. Neither idToken nor logins: a guest identity. */
  logins?: Record<string, TokenSource>;
  /** Pick one of the token's `cognito:roles` (enhanced flow). */
  customRoleArn?: string;
  accountId?: string;
  /** "enhanced" (default): GetId + GetCredentialsForIdentity. "basic": GetOpenIdToken + STS AssumeRoleWithWebIdentity with `roleArn`. */
  flow?: "enhanced" | "basic";
  roleArn?: string;
  /** Cognito Identity endpoint (local stacks, tests). */
  endpoint?: string;
  /** STS endpoint for the basic flow. */
  stsEndpoint?: string;
  /** Where the IdentityId is remembered, per pool and user (never credentials). Default "local". */
  storage?: "local" | "session" | "memory" | Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Refresh this long before expiry (default 300000 = 5 minutes). */
  refreshMarginMs?: number;
  /** Per-request timeout, the answer's body included (default 10000 ms). */
  timeoutMs?: number;
  /** Answers larger than this are refused as Malformed (default 1 MiB). */
  maxAnswerBytes?: number;
}

export class CognitoIdentityCredentials {
  constructor(options: CognitoIdentityCredentialsOptions);
  /**
   * Cached credentials, refreshed before they expire; concurrent callers share one exchange.
   * The token functions are called on every call: credentials only ever go to the user whose tokens they are.
   */
  get(): Promise<AwsCredentials>;
  /** The IdentityId of the user whose tokens the token functions return now. */
  identityId(): Promise<string>;
  /** Sign-out: forget the credentials and this user's stored IdentityId; an exchange in flight rejects with Cancelled and stores nothing. */
  clear(): void;
  /** Server time minus local time (ms), learned from AWS answers. Setting more than a day either way throws ClockSkew. */
  clockOffset: number;
}

export interface AwsClientOptions {
  credentials: { get(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> } | { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Inferred from AWS host names (execute-api, s3, …) when omitted. */
  region?: string;
  service?: string;
  /** Retries of throttling, 5xx and network failures (default 3). */
  retries?: number;
}

/** Signed fetch: a drop-in for window.fetch. */
export class AwsClient {
  constructor(options: AwsClientOptions);
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The signed Request that fetch would send. */
  sign(input: RequestInfo | URL, init?: RequestInit): Promise<Request>;
  presign(url: string | URL, options?: { method?: string; expiresIn?: number; headers?: HeadersInput }): Promise<string>;
}

export interface S3ClientOptions {
  credentials: AwsClientOptions["credentials"] | CognitoIdentityCredentials;
  region: string;
  bucket: string;
  /** A custom endpoint (local stacks, MinIO, proxies); AWS's when omitted. */
  endpoint?: string;
  /** Bucket in the path instead of the host name (automatic for IPs, localhost and dotted buckets). */
  forcePathStyle?: boolean;
  /** The folder above the per-identity prefixes: myPrefix() is `PREFIX/{identityId}/`. */
  prefix?: string;
  retries?: number;
}

export interface S3Object {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface S3Listing {
  objects: S3Object[];
  /** With a delimiter: the common prefixes ("folders"). */
  prefixes: string[];
  /** Present when there is more: pass it back as continuationToken. */
  nextContinuationToken?: string;
}

/** S3 objects under IAM credentials. Failures throw with S3's code as the name (AccessDenied, NoSuchKey, …). */
export class S3Client {
  constructor(options: S3ClientOptions);
  readonly region: string;
  readonly bucket: string;
  readonly prefix: string;
  /** The object's URL, the key encoded segment by segment. */
  url(key: string): string;
  /** `PREFIX/{identityId}/`, or `PREFIX/{identityId}/name`. */
  myPrefix(name?: string): Promise<string>;
  getObject(key: string, options?: { range?: string | [number, number?]; headers?: HeadersInput }): Promise<Response>;
  putObject(key: string, body: string | Uint8Array | ArrayBuffer | Blob, options?: { contentType?: string; headers?: HeadersInput }): Promise<{ etag: string | null }>;
  deleteObject(key: string): Promise<void>;
  listObjects(options?: { prefix?: string; delimiter?: string; continuationToken?: string; startAfter?: string; maxKeys?: number }): Promise<S3Listing>;
  presignGet(key: string, options?: { expiresIn?: number }): Promise<string>;
  presignPut(key: string, options?: { expiresIn?: number; contentType?: string }): Promise<string>;
}

export interface UserPoolTokens {
  idToken: string;
  accessToken: string;
  /** Absent from refresh answers. */
  refreshToken?: string;
  expiresIn: number;
}

/** User-pool sign-in with USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH (app client without a secret). */
export class UserPool {
  constructor(options: { region: string; userPoolId: string; clientId: string; endpoint?: string });
  signIn(username: string, password: string): Promise<UserPoolTokens>;
  refresh(refreshToken: string): Promise<UserPoolTokens>;
}

/** Header and payload of a JWT; no signature check. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> };

/** OAuth 2.0 client credentials, cached until a minute before expiry. Servers and edge only: throws SecretInBrowser in a page. */
export function clientCredentials(options: { tokenEndpoint: string; clientId: string; clientSecret: string; scope?: string | string[] }): Promise<{ accessToken: string; expiresAt: Date }>;
