// Every ```js block of README.md, of the package's README
// (src/wasm/js/package-readme.md) and of the guides in docs/, run as a new user would run it: as a
// module that imports "cognito-sigv4" (resolved to the built pkg/), against
// the devstack, its results checked (presigned links fetched, form uploads
// posted, from Chromium too). A block throws, answers wrong, or has no entry
// below: the test fails.
//
// A block's text is changed only where the devstack must stand in for AWS,
// the same way for every block:
//   - `new UserPool(o)`, `new CognitoIdentityCredentials(o)`, `new S3Client(o)`
//     and `new AwsClient(o)` get the devstack's endpoints added to `o`
//     (`at()` below); the README's placeholder bucket and prefix become the
//     devstack's, whose policies let a user reach their own prefix only;
//   - a string literal naming an `*.amazonaws.com` URL becomes the devstack's
//     URL for it (`url()` below): API Gateway paths go to its API, an S3
//     object's key goes under the signed-in user's own prefix.
// The free variables a block uses (credentials, ids, a user, a file) come from
// its prelude in BLOCKS, the global `readmeTest`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./suite-files.mjs";
import { startDevstack } from "./devstack.mjs";

// The READMEs, and every guide in docs/.
const READMES = ["README.md", "src/wasm/js/package-readme.md", ...readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Blocks that cannot run here, and where their lines do run. Keep it short. */
const SKIPPED = {
  rollup: "a bundler's import of the .wasm (Rollup's plugin-url): tests/browser/bundlers.test.mjs bundles these lines with Rollup and runs them in Chromium",
  workers: "a Workers-only import of the .wasm as a WebAssembly.Module: tests/js/runtimes.test.mjs runs these lines in workerd",
};

const signedInUser = "user@example.com";

/** Per block: `prelude` (its free variables), `exports` (what `check` gets), `check`. */
const BLOCKS = {
  "quick-start": {
    prelude: "const { accessKeyId, secretAccessKey, sessionToken } = readmeTest.awsCredentials;",
    exports: ["res", "link"],
    async check({ res, link }) {
      assert.equal(res.status, 200, `the signed API call: ${await res.text()}`);
      await fetchesObject(link, "report.pdf");
    },
  },
  credentials: {
    prelude: [
      "const { userPoolId, clientId, identityPoolId } = readmeTest.config;",
      'const { username, password } = readmeTest.user("admin@example.com");',
      'const askUser = () => { throw new Error("the devstack users have no challenge"); };',
    ].join("\n"),
    exports: ["res", "session", "credentials"],
    async check({ res, credentials }) {
      assert.equal(res.status, 200, `admin@example.com calls /v1/admin: ${await res.text()}`);
    },
  },
  s3: {
    prelude: [
      `const credentials = readmeTest.credentials(${JSON.stringify(signedInUser)});`,
      'const file = new File([new Uint8Array(6 << 20).fill(7)], "photo.jpg", { type: "image/jpeg" });   // two parts',
      "const bar = { value: 0 };",
      "const controller = new AbortController();",
    ].join("\n"),
    exports: ["s3", "key", "etag", "head", "text", "objects", "prefixes", "link", "upload", "form", "deleted", "errors", "bar"],
    async check({ s3, key, etag, head, text, objects, prefixes, link, upload, form, deleted, errors, bar }) {
      assert.match(etag, /^"[0-9a-f]{32}-2"$/, "a multipart upload");
      assert.equal(bar.value, 1, "onProgress reached the whole file");
      assert.equal(head.size, 5);
      assert.equal(text, "hello");
      assert.ok(objects.some((o) => o.key.endsWith("/photo.jpg")) && prefixes.includes(await s3.myPrefix("notes/")), "the listing");
      assert.deepEqual(errors, []);
      assert.deepEqual(deleted.sort(), [key, await s3.myPrefix("photo.jpg")].sort());
      // The presigned PUT, then the presigned GET, as their users would.
      const put = await fetch(upload, { method: "PUT", headers: { "content-type": "text/plain" }, body: "through a link" });
      assert.equal(put.status, 200, `the presigned PUT: ${await put.text()}`);
      const got = await fetch(link);
      assert.equal(got.status, 200, `the presigned GET: ${await got.clone().text()}`);
      assert.equal(await got.text(), "through a link");
      await s3.deleteObject(key);
      // The form: its fields, then the file, as multipart/form-data (Chromium's form below too).
      const body = new FormData();
      for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
      body.append("file", new Blob(["from a form"], { type: "text/plain" }), "form.txt");
      const posted = await fetch(form.url, { method: "POST", body });
      assert.equal(posted.status, 204, `the form upload: ${await posted.text()}`);
      const uploaded = await s3.myPrefix("inbox/form.txt");
      assert.equal(await (await s3.getObject(uploaded)).text(), "from a form", "S3 put the file at the prefix + its name");
      await s3.deleteObject(uploaded);
      formFromBlock = { form, s3 };
    },
  },
  "package-sdk": {
    prelude: [
      "const { region, userPoolId, clientId, identityPoolId } = readmeTest.config;",
      `const { username, password } = readmeTest.user(${JSON.stringify(signedInUser)});`,
      'const file = new File(["a file"], "file.txt", { type: "text/plain" });',
    ].join("\n"),
    exports: ["res", "s3", "objects"],
    async check({ res, s3, objects }) {
      assert.equal(res.status, 200, `the signed API call: ${await res.text()}`);
      const keys = [await s3.myPrefix("data.txt"), await s3.myPrefix("file.txt")];
      for (const key of keys) assert.ok(objects.some((o) => o.key === key), `${key} is listed`);
      assert.equal(await (await s3.getObject(keys[0])).text(), "hello");
      assert.equal(await (await s3.getObject(keys[1])).text(), "a file");
      await s3.deleteObjects(keys);
    },
  },
  "local-development": {
    // Runs where `npm run devstack` wrote .devstack/config.json (see `before`).
    prelude: "",
    cwd: "devstack",
    exports: ["res", "text", "s3", "key"],
    async check({ res, text, s3, key }) {
      assert.equal(res.status, 200, `the signed API call: ${await res.text()}`);
      assert.equal(text, "hello");
      assert.equal(key, `${c.s3Prefix}/${identityIds[signedInUser]}/hello.txt`, "the user's own prefix");
      await s3.deleteObject(key);
    },
  },
  "persist-session": {
    prelude: [
      "const { userPoolId, clientId } = readmeTest.config;",
      `const { username, password } = readmeTest.user(${JSON.stringify(signedInUser)});`,
      "const store = { map: new Map(), getItem(k) { return this.map.get(k) ?? null; }, setItem(k, v) { this.map.set(k, v); } };",
    ].join("\n"),
    exports: ["store", "session", "idToken"],
    async check({ store, session, idToken }) {
      const saved = JSON.parse(store.getItem("session"));
      assert.equal(saved.idToken, idToken);
      assert.equal(typeof saved.refreshToken, "string");
      // The devstack's client rotates: a refresh saves the new refresh token.
      const { UserPool: Pool, UserPoolSession } = await import(join(repoRoot, "pkg/user-pool/node.js"));
      const pool = new Pool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
      const again = new UserPoolSession(pool, saved, { refreshBeforeSeconds: 7200, onRefresh: (t) => store.setItem("session", JSON.stringify(t)) });
      await again.idToken();
      assert.notEqual(JSON.parse(store.getItem("session")).refreshToken, saved.refreshToken, "onRefresh saved the rotated refresh token");
      await again.signOut();
      await session.signOut().catch(() => {});
    },
  },
  "migrate-aws4fetch": {
    prelude: "const { accessKeyId, secretAccessKey, sessionToken } = readmeTest.awsCredentials;",
    exports: ["res"],
    async check({ res }) {
      assert.equal(res.status, 200, `the signed API call: ${await res.text()}`);
    },
  },
  "migrate-sdk-v3": {
    prelude: [
      "const { identityPoolId } = readmeTest.config;",
      `const idToken = readmeTest.idToken(${JSON.stringify(signedInUser)});`,
      'const file = new File([new Uint8Array(6 << 20).fill(1)], "video.mp4", { type: "video/mp4" });   // two parts',
      "const console = { log() {} };",
    ].join("\n"),
    exports: ["res", "s3", "key", "etag", "link"],
    async check({ res, s3, key, etag, link }) {
      assert.equal(res.status, 200, `the signed API call: ${await res.text()}`);
      assert.match(etag, /-2"$/, "a multipart upload");
      assert.equal((await fetch(link)).status, 200, "the presigned link");
      await s3.deleteObject(key);
    },
  },
  "migrate-amplify": {
    prelude: [
      "const { userPoolId, clientId, identityPoolId } = readmeTest.config;",
      `const { username, password } = readmeTest.user(${JSON.stringify(signedInUser)});`,
      'const file = new File(["a photo"], "photo.jpg", { type: "image/jpeg" });',
      "const console = { log() {} };",
    ].join("\n"),
    exports: ["identityId", "key", "url", "session"],
    async check({ identityId, key, url, session }) {
      assert.equal(identityId, identityIds[signedInUser]);
      assert.ok(key.includes(identityId));
      const got = await fetch(url);
      assert.equal(got.status, 200, "the presigned link");
      assert.equal(await got.text(), "a photo");
      assert.equal(session.tokens, null, "signed out");
      const cleanup = await readmeTest.at((await import(join(repoRoot, "pkg/node.js"))).S3Client, { credentials: readmeTest.credentials(signedInUser), region: c.region });
      await cleanup.deleteObject(key);
    },
  },
  "package-signer": {
    prelude: "const { accessKeyId, secretAccessKey, sessionToken } = readmeTest.awsCredentials;",
    exports: ["res", "link"],
    async check({ res, link }) {
      assert.equal(res.status, 200, `the signed API call: ${await res.text()}`);
      await fetchesObject(link, "a/b.txt");
    },
  },
};

/** Every ```js/ts block of a README with the name its `<!-- readme-test: NAME -->` marker gives. */
function blocksOf(file) {
  const text = readFileSync(join(repoRoot, file), "utf8");
  const found = [];
  for (const m of text.matchAll(/(?:<!-- readme-test: ([\w-]+) -->\n)?```(\w*)\n([\s\S]*?)^```/gm)) {
    if (!/^(js|javascript|mjs|ts|typescript)$/.test(m[2])) continue;
    const line = text.slice(0, m.index).split("\n").length;
    found.push({ name: m[1], file, line, code: m[3] });
  }
  return found;
}
const blocks = READMES.flatMap(blocksOf);

// The devstack, and what the preludes hand out.
let stack, c, dir, identityIds = {}, formFromBlock;
const objects = { "report.pdf": "a report", "a/b.txt": "b's text" };

before(async () => {
  stack = await startDevstack();
  c = stack.config;
  const sdk = await import(join(repoRoot, "pkg/node.js"));
  await sdk.default();
  // Sign-in through the user-pool entry; credentials and S3 are the main one's.
  const withPool = await import(join(repoRoot, "pkg/user-pool/node.js"));
  await withPool.default();
  const pool = new withPool.UserPool({ region: c.region, userPoolId: c.userPoolId, clientId: c.clientId, endpoint: c.userPoolEndpoint });
  const tokens = {};
  for (const u of c.users) tokens[u.username] = (await pool.signIn(u.username, u.password)).idToken;
  const idToken = (username) => tokens[username];
  const at = (Class, options) => new Class({ ...options, ...overrides(Class.name) });
  const credentials = (username) => at(sdk.CognitoIdentityCredentials, { region: c.region, identityPoolId: c.identityPoolId, idToken: tokens[username] });
  const mine = await credentials(signedInUser).get();
  identityIds[signedInUser] = mine.identityId;
  // The objects the blocks presign links to, under the user's own prefix.
  const s3 = at(sdk.S3Client, { credentials: credentials(signedInUser), region: c.region });
  for (const [key, body] of Object.entries(objects)) await s3.putObject(await s3.myPrefix(key), body);
  globalThis.readmeTest = {
    config: c,
    user: (username) => c.users.find((u) => u.username === username),
    credentials,
    idToken,
    awsCredentials: mine,
    at,
    url,
  };
  // A directory where `import … from "cognito-sigv4"` is the built package.
  dir = mkdtempSync(join(tmpdir(), "readme-test-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(repoRoot, "pkg"), join(dir, "node_modules/cognito-sigv4"), "dir");
  // What `npm run devstack` writes, for the local-development guide.
  mkdirSync(join(dir, "devstack/.devstack"), { recursive: true });
  writeFileSync(join(dir, "devstack/.devstack/config.json"), JSON.stringify(c));
});
after(() => {
  stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Options the devstack needs in place of AWS's host names. */
function overrides(className) {
  switch (className) {
    case "UserPool":
      return { endpoint: c.userPoolEndpoint };
    case "CognitoIdentityCredentials":
      // Node has no localStorage (the README says to pass "memory" there).
      return { endpoint: c.identityEndpoint, stsEndpoint: c.stsEndpoint, storage: "memory" };
    case "S3Client":
      return { endpoint: c.s3Endpoint, bucket: c.bucket, prefix: c.s3Prefix };
    case "AwsClient":
      // Service and region come from AWS host names, which 127.0.0.1 is not.
      return { region: c.region, service: "execute-api" };
    default:
      throw new Error(`no devstack options for ${className}`);
  }
}

/** The devstack's URL for an AWS one the README names. */
function url(aws) {
  const u = new URL(aws);
  if (/\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(u.hostname)) {
    const base = c.apiUrl.replace(/\/v1$/, "");
    return `${base}${u.pathname}${u.search}`;
  }
  if (/\.s3\.[a-z0-9-]+\.amazonaws\.com$/.test(u.hostname)) {
    return `${c.s3Endpoint}/${c.bucket}/${c.s3Prefix}/${identityIds[signedInUser]}${u.pathname}`;
  }
  throw new Error(`no devstack URL for ${aws}`);
}

/** The block as the module the test imports. */
function moduleOf(block, spec) {
  let code = block.code;
  code = code.replace(/\bnew (UserPool|CognitoIdentityCredentials|S3Client|AwsClient)\(/g, "readmeTest.at($1, ");
  code = code.replace(/"(https:\/\/[^"\s]*\.amazonaws\.com[^"\s]*)"/g, (_, u) => `readmeTest.url(${JSON.stringify(u)})`);
  return `${spec.prelude}\n${code}\nexport { ${spec.exports.join(", ")} };\n`;
}

async function fetchesObject(link, key) {
  assert.equal(typeof link, "string");
  const res = await fetch(link);
  assert.equal(res.status, 200, `the presigned link to ${key}: ${await res.clone().text()}`);
  assert.equal(await res.text(), objects[key]);
}

test("README: every js block has a readme-test marker with an entry here, and every entry a block", () => {
  const names = blocks.map((b) => b.name);
  for (const b of blocks) assert.ok(b.name in BLOCKS || b.name in SKIPPED, `${b.file}:${b.line}: a js block without a known <!-- readme-test: NAME --> marker above it`);
  assert.equal(new Set(names).size, names.length, "marker names are unique");
  for (const name of [...Object.keys(BLOCKS), ...Object.keys(SKIPPED)]) assert.ok(names.includes(name), `no README block is marked ${name}`);
});

for (const block of blocks) {
  const spec = BLOCKS[block.name];
  const title = `README block ${block.name ?? "(unmarked)"} (${block.file}:${block.line})`;
  if (!spec) {
    test(title, { skip: SKIPPED[block.name] ?? "no entry: see the marker test" }, () => {});
    continue;
  }
  test(`${title} runs against the devstack`, async () => {
    const file = join(dir, `${block.name}.mjs`);
    writeFileSync(file, moduleOf(block, spec));
    const cwd = process.cwd();
    if (spec.cwd) process.chdir(join(dir, spec.cwd));
    try {
      await spec.check(await import(pathToFileURL(file).href));
    } finally {
      process.chdir(cwd);
    }
  });
}

test("README block s3: the presigned POST form uploads from Chromium, under the file's name", async (t) => {
  if (!formFromBlock) return t.skip("the s3 block did not run");
  const { form, s3 } = formFromBlock;
  const { launch } = await import("../browser/chromium.mjs");
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const hidden = Object.entries(form.fields).map(([name, value]) => {
      const input = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
      return `<input type="hidden" name="${input(name)}" value="${input(value)}">`;
    });
    await page.setContent(`<form action="${form.url}" method="post" enctype="multipart/form-data">${hidden.join("")}<input type="file" name="file"><button>Upload</button></form>`);
    await page.setInputFiles("input[type=file]", { name: "chosen by the user.txt", mimeType: "text/plain", buffer: Buffer.from("picked in a browser") });
    const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("button")]);
    assert.equal(answer.status(), 204, await answer.text().catch(() => ""));
    const key = await s3.myPrefix("inbox/chosen by the user.txt");
    assert.equal(await (await s3.getObject(key)).text(), "picked in a browser");
    await s3.deleteObject(key);
  } finally {
    await browser.close();
  }
});
