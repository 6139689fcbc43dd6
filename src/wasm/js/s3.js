// S3Client: object reads, writes, listings and presigned links, signed in the
// page. URLs, ListObjectsV2 answers and S3 error documents are handled in Rust
// (src/s3/); signing and fetch go through AwsClient (retries, clock skew).

import { AwsClient } from "./client.js";
import { put, take, wasm } from "./wasm.js";
import { noBreak, readCapped, requireReady, requireString, sdkError } from "./util.js";

// Above this, bodies go as UNSIGNED-PAYLOAD (TLS protects them in transit)
// instead of being hashed first; below, WebCrypto hashes them in milliseconds.
const HASH_LIMIT = 16 * 1024 * 1024;

// A ListObjectsV2 page of 1,000 keys is about 300 KB; error documents are
// smaller still. More is not an answer from S3, and is refused unread.
const MAX_ANSWER_BYTES = 16 << 20;

/** The body of an S3 answer that is read (listings, errors), at most MAX_ANSWER_BYTES. */
async function answerBody(response, operation) {
  try {
    return await readCapped(response, MAX_ANSWER_BYTES);
  } catch (failure) {
    if (failure?.tooLarge) throw sdkError("Malformed", `the answer to ${operation} is larger than ${MAX_ANSWER_BYTES} bytes, which S3 never sends: check the endpoint`);
    throw sdkError("Network", `the answer to ${operation} was cut off: check the network`);
  }
}

export class S3Client {
  #aws;
  #credentials;
  #where;

  constructor(options = {}) {
    requireReady();
    const { credentials, region, bucket, endpoint = "", forcePathStyle = false, prefix = "", retries } = options;
    requireString(region, "region", "InvalidConfig");
    requireString(bucket, "bucket", "InvalidConfig");
    this.#aws = new AwsClient({ credentials, region, service: "s3", retries });
    this.#credentials = credentials;
    this.#where = [region, bucket, String(endpoint), forcePathStyle ? "1" : "0"].map((v) => noBreak(v, "region, bucket and endpoint", "InvalidConfig"));
    this.region = region;
    this.bucket = bucket;
    this.prefix = String(prefix).replace(/\/+$/, "");
  }

  /** The URL of an object (keys are encoded segment by segment; `:` travels as %3A). */
  url(key) {
    if (typeof key !== "string") throw sdkError("InvalidConfig", "the object key must be a string");
    put([...this.#where, key]);
    return take(wasm.s3_object_url());
  }

  /**
   * This user's own prefix, `PREFIX/{identityId}/` (what per-identity IAM
   * policies with `${cognito-identity.amazonaws.com:sub}` allow), or a key under it.
   */
  async myPrefix(name = "") {
    if (typeof this.#credentials?.identityId !== "function") {
      throw sdkError("InvalidConfig", "myPrefix() needs credentials from CognitoIdentityCredentials (it uses the IdentityId)");
    }
    const id = await this.#credentials.identityId();
    return `${this.prefix ? this.prefix + "/" : ""}${id}/${name}`;
  }

  async #send(operation, url, init) {
    const response = await this.#aws.fetch(url, init);
    if (response.ok) return response;
    take(wasm.s3_error(response.status, put([operation], await answerBody(response, operation))));
  }

  /** GetObject: the Response (stream it, or read .text(), .blob(), …). `range`: "bytes=0-99" or [start, end]. */
  getObject(key, { range, headers } = {}) {
    const h = new Headers(headers);
    if (range !== undefined) h.set("range", Array.isArray(range) ? `bytes=${range[0]}-${range[1] ?? ""}` : String(range));
    return this.#send("GetObject", this.url(key), { headers: h });
  }

  /** PutObject from a string, Uint8Array, ArrayBuffer or Blob: `{ etag }`. */
  async putObject(key, body, { contentType, headers } = {}) {
    const h = new Headers(headers);
    if (typeof Blob !== "undefined" && body instanceof Blob) {
      if (!contentType && body.type) contentType = body.type;
      body = await body.arrayBuffer();
    }
    if (contentType) h.set("content-type", contentType);
    const size = typeof body === "string" ? body.length * 3 : body?.byteLength ?? 0;
    const response = await this.#send("PutObject", this.url(key), { method: "PUT", headers: h, body, unsignedPayload: size > HASH_LIMIT });
    return { etag: response.headers.get("etag") };
  }

  /** DeleteObject (S3 answers 204 whether or not the key existed). */
  async deleteObject(key) {
    await this.#send("DeleteObject", this.url(key), { method: "DELETE" });
  }

  /** ListObjectsV2: `{ objects: [{ key, size, etag, lastModified }], prefixes, nextContinuationToken }`. */
  async listObjects({ prefix = "", delimiter = "", continuationToken = "", startAfter = "", maxKeys } = {}) {
    if (maxKeys !== undefined && !(Number.isInteger(maxKeys) && maxKeys >= 1 && maxKeys <= 1000)) {
      throw sdkError("InvalidConfig", "maxKeys must be a whole number from 1 to 1000");
    }
    const params = [maxKeys ?? "", prefix, delimiter, continuationToken, startAfter].map((v) => noBreak(String(v), "list parameters", "InvalidConfig"));
    put([...this.#where, ...params]);
    const response = await this.#send("ListObjectsV2", take(wasm.s3_list_url()));
    const f = take(wasm.s3_parse_list(put([], await answerBody(response, "ListObjectsV2")))).split("\0");
    const objects = [];
    const count = Number(f[1]);
    for (let i = 0, at = 2; i < count; i++, at += 4) {
      objects.push({ key: f[at], size: Number(f[at + 1]), etag: f[at + 2], lastModified: new Date(f[at + 3]) });
    }
    return { objects, prefixes: f.slice(2 + 4 * count), nextContinuationToken: f[0] || undefined };
  }

  /** A presigned GET link, valid `expiresIn` seconds (default 3600, at most 7 days). */
  presignGet(key, { expiresIn } = {}) {
    return this.#aws.presign(this.url(key), { expiresIn });
  }

  /**
   * A presigned PUT link. With `contentType`, the upload must send that same
   * Content-Type header (it is signed).
   */
  presignPut(key, { expiresIn, contentType } = {}) {
    return this.#aws.presign(this.url(key), { method: "PUT", expiresIn, headers: contentType ? { "content-type": contentType } : undefined });
  }
}
