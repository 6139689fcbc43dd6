// The SDK in Node against the devstack, which (unlike moto) validates tokens,
// maps roles, verifies signatures and answers AWS's errors: the credential
// provider's error paths and recovery against a real server, and S1–S6.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";

const { default: init, UserPool, CognitoIdentityCredentials, AwsClient, S3Client, decodeJwt, clientCredentials } = await import(join(repoRoot, "pkg/user-pool/index.js"));
await init();

let stack, c, tokens = {};
before(async () => {
  stack = await startDevstack();
  c = stack.config;
  const pool = new UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  for (const u of c.users) tokens[u.username] = (await pool.signIn(u.username, u.password)).idToken;
});
after(() => stack?.stop());

const credentials = (username, extra = {}) =>
  new CognitoIdentityCredentials({ region: c.region, identityPoolId: c.identityPoolId, idToken: tokens[username], endpoint: c.identityEndpoint, stsEndpoint: c.stsEndpoint, storage: "memory", ...extra });

async function status(creds, route) {
  const res = await new AwsClient({ credentials: creds, region: c.region, service: "execute-api" }).fetch(`${c.apiUrl}/${route}`);
  return res.status;
}

test("S1: each group's role reaches its own route only", async () => {
  assert.deepEqual([await status(credentials("admin@example.com"), "admin"), await status(credentials("admin@example.com"), "user")], [200, 403]);
  assert.deepEqual([await status(credentials("user@example.com"), "user"), await status(credentials("user@example.com"), "admin")], [200, 403]);
});

test("S2: CustomRoleArn picks one of the token's roles; another is a typed error", async () => {
  const asUser = credentials("both@example.com", { customRoleArn: c.roles.user });
  assert.deepEqual([await status(asUser, "user"), await status(asUser, "admin")], [200, 403]);
  await assert.rejects(credentials("user@example.com", { customRoleArn: c.roles.admin }).get(), { name: "InvalidParameterException" });
});

test("classic flow through the devstack's STS", async () => {
  const basic = credentials("admin@example.com", { flow: "basic", roleArn: c.roles.admin });
  assert.equal(await status(basic, "admin"), 200);
});

test("S6: a pool without roles, and a tampered IdToken, are typed errors that say what to fix", async () => {
  const misconfigured = credentials("admin@example.com", { identityPoolId: c.misconfiguredIdentityPoolId });
  await assert.rejects(misconfigured.get(), (e) => e.name === "InvalidIdentityPoolConfigurationException" && /set roles on the identity pool/.test(e.message));
  const [h, p, s] = tokens["admin@example.com"].split(".");
  const tampered = `${h}.${p}.${s.slice(0, -4)}AAAA`;
  const err = await credentials("admin@example.com", { idToken: tampered }).get().catch((e) => e);
  assert.equal(err.name, "NotAuthorizedException");
  assert.ok(!err.message.includes(tampered), "the token is not echoed");
});

test("a stored IdentityId the pool does not know is dropped and GetId retried once", async () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k) };
  const sub = decodeJwt(tokens["user@example.com"]).payload.sub;
  const key = `cognito-sigv4:identity:${c.identityPoolId}:${sub}`;
  store.set(key, "us-east-1:00000000-0000-4000-8000-000000000000");
  const creds = credentials("user@example.com", { storage });
  const got = await creds.get();
  assert.notEqual(got.identityId, "us-east-1:00000000-0000-4000-8000-000000000000");
  assert.equal(store.get(key), got.identityId);
  assert.equal(await status(creds, "user"), 200);
});

test("S5: client credentials in Node, cached, accepted by the JWT authorizer", async () => {
  const options = { tokenEndpoint: c.tokenEndpoint, clientId: c.m2mClientId, clientSecret: c.m2mClientSecret, scope: c.m2mScope };
  const first = await clientCredentials(options);
  assert.equal(await clientCredentials(options), first, "cached until near expiry");
  assert.ok(first.expiresAt.getTime() > Date.now() + 50 * 60_000);
  const res = await fetch(`${c.jwtApiUrl}/m2m`, { headers: { authorization: `Bearer ${first.accessToken}` } });
  assert.equal(res.status, 200);
  await assert.rejects(clientCredentials({ ...options, clientSecret: "wrong" }), { name: "invalid_client" });
});

const s3For = (username) =>
  new S3Client({ credentials: credentials(username), region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint, prefix: c.s3Prefix });

test("S3: each identity writes, reads, lists and deletes under its own prefix only", async () => {
  const s3 = s3For("user@example.com");
  const key = await s3.myPrefix("data.txt");
  assert.match(key, new RegExp(`^${c.s3Prefix}/${c.region}:[0-9a-f-]{36}/data\\.txt$`));
  const { etag } = await s3.putObject(key, "hello S3", { contentType: "text/plain" });
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const got = await s3.getObject(key);
  assert.equal(await got.text(), "hello S3");
  assert.equal(got.headers.get("content-type"), "text/plain");
  assert.equal(await (await s3.getObject(key, { range: [0, 4] })).text(), "hello");
  // Keys with unicode, spaces and reserved characters round-trip through URL, signature and listing.
  const odd = await s3.myPrefix("dir/ü ñ+(1)&=;:,'!*@$.txt");
  await s3.putObject(odd, new Uint8Array([1, 2, 3]));
  assert.deepEqual(new Uint8Array(await (await s3.getObject(odd)).arrayBuffer()), new Uint8Array([1, 2, 3]));
  const listing = await s3.listObjects({ prefix: await s3.myPrefix(), delimiter: "/" });
  assert.deepEqual(listing.objects.map((o) => [o.key, o.size]), [[key, 8]]);
  assert.deepEqual(listing.prefixes, [await s3.myPrefix("dir/")]);
  assert.ok(listing.objects[0].lastModified instanceof Date && !isNaN(listing.objects[0].lastModified));
  const deep = await s3.listObjects({ prefix: await s3.myPrefix("dir/") });
  assert.deepEqual(deep.objects.map((o) => o.key), [odd]);
  // Another identity's prefix: AccessDenied, for reading, writing and listing.
  const other = s3For("admin@example.com");
  const theirs = await other.myPrefix("data.txt");
  await other.putObject(theirs, "admin's");
  await assert.rejects(s3.getObject(theirs), (e) => e.name === "AccessDenied" && e.status === 403 && /own prefix/.test(e.message));
  await assert.rejects(s3.putObject(theirs, "x"), { name: "AccessDenied" });
  await assert.rejects(s3.listObjects({ prefix: await other.myPrefix() }), { name: "AccessDenied" });
  await s3.deleteObject(odd);
  await s3.deleteObject(key);
  await assert.rejects(s3.getObject(key), { name: "NoSuchKey", status: 404 });
});

test("S3: keys with a CR, a line feed or a control character list, and deleteObjects deletes exactly the key it was given", async () => {
  const s3 = s3For("user@example.com");
  const dir = await s3.myPrefix("xml-keys/");
  const keys = ["cr\rkey", "cr\nkey", "crlf\r\nkey", "ctl\u0001key", "tab\tkey", "sp ace+plus%25pct"].map((k) => dir + k);
  for (const key of keys) await s3.putObject(key, "x");
  // Listed as they are (ListObjectsV2 with encoding-type=url, decoded): one
  // control character made its whole page Malformed before.
  const listed = (await s3.listObjects({ prefix: dir })).objects.map((o) => o.key);
  assert.deepEqual(listed.sort(), [...keys].sort());
  // "cr\rkey" travelled raw in the XML body and S3's parser read it as "cr\nkey".
  const result = await s3.deleteObjects([dir + "cr\rkey"]);
  assert.deepEqual(result, { deleted: [dir + "cr\rkey"], errors: [] });
  const left = (await s3.listObjects({ prefix: dir })).objects.map((o) => o.key);
  assert.deepEqual(left.sort(), keys.filter((k) => k !== dir + "cr\rkey").sort());
  assert.equal((await s3.deleteObjects(left)).deleted.length, left.length);
  assert.deepEqual((await s3.listObjects({ prefix: dir })).objects, []);
});

test("S3: paging with continuation tokens", async () => {
  const mine = s3For("user@example.com");
  const base = await mine.myPrefix("page/");
  for (const n of [1, 2, 3, 4, 5]) await mine.putObject(`${base}${n}`, String(n));
  const seen = [];
  let token;
  do {
    const page = await mine.listObjects({ prefix: base, maxKeys: 2, continuationToken: token });
    assert.ok(page.objects.length <= 2);
    seen.push(...page.objects.map((o) => o.key.slice(base.length)));
    token = page.nextContinuationToken;
  } while (token);
  assert.deepEqual(seen, ["1", "2", "3", "4", "5"]);
  for (const n of seen) await mine.deleteObject(base + n);
});

test("S3: presigned PUT then presigned GET, and a 5 MB upload", async () => {
  const s3 = s3For("user@example.com");
  const key = await s3.myPrefix("presigned.txt");
  const putUrl = await s3.presignPut(key, { expiresIn: 300, contentType: "text/plain" });
  assert.equal((await fetch(putUrl, { method: "PUT", body: "via a link", headers: { "content-type": "text/plain" } })).status, 200);
  const getUrl = await s3.presignGet(key, { expiresIn: 300 });
  const res = await fetch(getUrl);
  assert.equal(await res.text(), "via a link");
  // The signed content type is enforced.
  assert.equal((await fetch(putUrl, { method: "PUT", body: "x", headers: { "content-type": "image/png" } })).status, 403);
  const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251);
  const bigKey = await s3.myPrefix("big.bin");
  await s3.putObject(bigKey, new Blob([big], { type: "application/octet-stream" }));
  const back = new Uint8Array(await (await s3.getObject(bigKey)).arrayBuffer());
  assert.equal(back.length, big.length);
  assert.ok(back.every((b, i) => b === big[i]));
  await s3.deleteObject(bigKey);
  await s3.deleteObject(key);
});

test("S3: wrong keys are SignatureDoesNotMatch, an ArrayBuffer body works, a missing key is NoSuchKey", async () => {
  const good = await credentials("user@example.com").get();
  const s3 = s3For("user@example.com");
  const key = await s3.myPrefix("buffer.bin");
  await s3.putObject(key, new Uint8Array([9, 8, 7]).buffer);
  assert.deepEqual(new Uint8Array(await (await s3.getObject(key)).arrayBuffer()), new Uint8Array([9, 8, 7]));
  const forged = new S3Client({ credentials: { ...good, secretAccessKey: good.secretAccessKey.slice(0, -2) + "xx" }, region: c.region, bucket: c.bucket, endpoint: c.s3Endpoint });
  const err = await forged.getObject(key).catch((e) => e);
  assert.equal(err.name, "SignatureDoesNotMatch");
  assert.match(err.message, /check the secret key and region/);
  assert.ok(!err.message.includes(good.secretAccessKey.slice(0, -2)), "the secret is not echoed");
  await s3.deleteObject(key);
  await assert.rejects(s3.getObject(await s3.myPrefix("never-written")), { name: "NoSuchKey" });
});

test("S3: bodies are sent with their hash (over 16 MiB as hashed parts: tests/js/s3-upload.test.mjs)", async () => {
  const s3 = s3For("user@example.com");
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (request, init) => {
    // The uploads only (the credential exchange fetches Requests too).
    if (request instanceof Request && request.method === "PUT") sent.push(request.headers.get("x-amz-content-sha256"));
    return realFetch(request, init);
  };
  try {
    const key = await s3.myPrefix("hashed.bin");
    await s3.putObject(key, new Uint8Array(1024).fill(7));
    assert.match(sent[0], /^[0-9a-f]{64}$/);
    const head = await s3.getObject(key, { range: "bytes=0-3" });
    assert.deepEqual(new Uint8Array(await head.arrayBuffer()), new Uint8Array([7, 7, 7, 7]));
    await s3.deleteObject(key);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test("S3: headObject, copyObject within the prefix, deleteObjects per key, listAll over pages", async () => {
  const s3 = s3For("user@example.com");
  const key = await s3.myPrefix("objects/a.txt");
  await s3.putObject(key, "hello head", { contentType: "text/plain", headers: { "x-amz-meta-color": "blue" } });
  const head = await s3.headObject(key);
  assert.equal(head.size, 10);
  assert.equal(head.contentType, "text/plain");
  assert.match(head.etag, /^"[0-9a-f]{32}"$/);
  assert.ok(head.lastModified instanceof Date && !isNaN(head.lastModified));
  assert.deepEqual(head.metadata, { color: "blue" });
  await assert.rejects(s3.headObject(await s3.myPrefix("objects/none")), (e) => e.name === "NotFound" && e.status === 404);
  const copy = await s3.myPrefix("objects/b.txt");
  const { etag } = await s3.copyObject(key, copy);
  assert.equal(etag, head.etag);
  assert.equal(await (await s3.getObject(copy)).text(), "hello head");
  // Copying another identity's object, or into their prefix: AccessDenied.
  const other = s3For("admin@example.com");
  const theirs = await other.myPrefix("objects/secret.txt");
  await other.putObject(theirs, "admin's");
  await assert.rejects(s3.copyObject(theirs, await s3.myPrefix("objects/stolen.txt")), { name: "AccessDenied" });
  await assert.rejects(s3.copyObject(key, await other.myPrefix("objects/pushed.txt")), { name: "AccessDenied" });
  const keys = [];
  for (const n of [1, 2, 3, 4, 5]) {
    keys.push(await s3.myPrefix(`objects/page/${n}`));
    await s3.putObject(keys.at(-1), String(n));
  }
  const seen = [];
  for await (const o of s3.listAll({ prefix: await s3.myPrefix("objects/page/"), maxKeys: 2 })) seen.push(o.key);
  assert.deepEqual(seen, keys);
  const result = await s3.deleteObjects([...keys, key, copy, await s3.myPrefix("objects/never-there"), theirs]);
  assert.equal(result.deleted.length, 8);
  // Another identity's key: S3's answer for that key alone; the rest are deleted.
  assert.deepEqual(result.errors.map((e) => [e.key, e.code]), [[theirs, "AccessDenied"]]);
  assert.equal(await (await other.getObject(theirs)).text(), "admin's");
  assert.deepEqual((await s3.listObjects({ prefix: await s3.myPrefix("objects/") })).objects, []);
  await assert.rejects(s3.deleteObjects("not an array"), { name: "InvalidConfig" });
  assert.deepEqual(await s3.deleteObjects([]), { deleted: [], errors: [] });
  await other.deleteObject(theirs);
});

test("S3: presignPost: a plain form upload S3 checks against the signed policy", async () => {
  const s3 = s3For("user@example.com");
  const prefix = await s3.myPrefix("forms/");
  const post = await s3.presignPost(prefix, { keyPrefix: true, contentType: "text/plain", expiresIn: 300, conditions: [["content-length-range", 1, 64]] });
  assert.equal(post.url, `${c.s3Endpoint}/${c.bucket}`);
  const send = (fields, content) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob([content], { type: "text/plain" }), "note.txt");
    return fetch(post.url, { method: "POST", body: form });
  };
  // The key field is the prefix then `${filename}`, which S3 fills in with the file's name.
  assert.equal(post.fields.key, `${prefix}\${filename}`);
  const ok = await send(post.fields, "sent by a form");
  assert.equal(ok.status, 204, await ok.text());
  assert.equal(await (await s3.getObject(`${prefix}note.txt`)).text(), "sent by a form");
  // What the policy does not allow: S3 refuses it.
  assert.equal((await send(post.fields, "x".repeat(100))).status, 400, "over the content-length-range");
  // A key outside the signed prefix breaks the policy (AWS: 403; s3s: 400).
  assert.ok([400, 403].includes((await send({ ...post.fields, key: "cognito-test/someone-else/x.txt" }, "x")).status), "a key outside the prefix");
  const forged = { ...post.fields, "x-amz-signature": "0".repeat(64) };
  assert.equal((await send(forged, "x")).status, 403, "a wrong signature");
  await s3.deleteObject(`${prefix}note.txt`);
  await assert.rejects(s3.presignPost(prefix, { conditions: ["not a condition"] }), { name: "InvalidConfig" });
  await assert.rejects(s3.presignPost(prefix, { expiresIn: 604801 }), { name: "InvalidExpires" });
});

test("S3: bad keys and buckets are typed errors before anything is sent", async () => {
  const s3 = s3For("user@example.com");
  assert.throws(() => s3.url("a/../b"), { name: "InvalidConfig" });
  assert.throws(() => s3.url(""), { name: "InvalidConfig" });
  assert.throws(() => new S3Client({ credentials: credentials("user@example.com"), region: c.region, bucket: "Not_A_Bucket" }).url("k"), /bucket name/);
  const plain = new S3Client({ credentials: { accessKeyId: "AKID", secretAccessKey: "s" }, region: c.region, bucket: c.bucket });
  await assert.rejects(plain.myPrefix(), { name: "InvalidConfig" });
});

test("S4: the JWT route takes the IdToken itself, no SigV4", async () => {
  const res = await fetch(`${c.jwtApiUrl}/me`, { headers: { authorization: tokens["admin@example.com"] } });
  assert.equal(res.status, 200);
  assert.equal((await fetch(`${c.jwtApiUrl}/me`)).status, 401);
});
