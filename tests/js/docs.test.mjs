// The guides in docs/ against what is tested: the IAM policies, role mapping
// and CORS headers they show are the devstack's (tests/devstack/devstack.toml,
// which the devstack enforces), the CSP is the one tests/browser/csp.test.mjs
// loads the package under, the README links every guide, and every relative
// link resolves. (Their js blocks run in tests/js/readme.test.mjs.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { repoRoot } from "./suite-files.mjs";
import { devstackBlock } from "../fixtures/docs.mjs";

const guides = readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md"));

/** devstack.toml as JSON (Python's tomllib, from the devstack's venv). */
const world = JSON.parse(
  execFileSync(join(repoRoot, ".venv/bin/python"), ["-c", "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))", join(repoRoot, "tests/devstack/devstack.toml")], { encoding: "utf8" }),
);

test("deploying.md: the user role's policy is the devstack's", () => {
  const policy = JSON.parse(devstackBlock("roles.user.policy"));
  assert.equal(policy.Version, "2012-10-17");
  assert.deepEqual(policy.Statement, world.roles.user.policy);
});

test("deploying.md: the role mapping is the devstack's main identity pool's rules", () => {
  const mapping = JSON.parse(devstackBlock("identity_pools.main.rules"));
  assert.equal(mapping.Type, "Rules");
  const rules = mapping.RulesConfiguration.Rules.map((r) => ({
    claim: r.Claim,
    match: r.MatchType,
    value: r.Value,
    role: r.RoleARN.replace(`arn:aws:iam::${world.account_id}:role/cognito-sigv4-`, ""),
  }));
  assert.deepEqual(rules, world.identity_pools.find((p) => p.name === "main").rules);
});

test("deploying.md: the CORS headers are the ones the devstack answers", () => {
  assert.deepEqual(JSON.parse(devstackBlock("cors.api_allow_headers")), world.cors.api_allow_headers);
  assert.deepEqual(JSON.parse(devstackBlock("cors.s3_allowed_headers")), world.cors.s3_allowed_headers);
});

test("deploying.md: the bucket's CORS rule allows what the devstack's S3 allows, and exposes ETag, which the devstack exposes", () => {
  const [rule] = JSON.parse(devstackBlock("s3-cors-rule"));
  assert.deepEqual(rule.AllowedHeaders, world.cors.s3_allowed_headers);
  assert.ok(rule.ExposeHeaders.includes("ETag"));
  // What the devstack exposes (tests/devstack/src/cors.rs EXPOSE_HEADERS).
  const cors = readFileSync(join(repoRoot, "tests/devstack/src/cors.rs"), "utf8");
  const exposed = /EXPOSE_HEADERS: &str = "([^;]*?)";/s.exec(cors)[1].replace(/\\\n/g, "").split(/,\s*/);
  for (const h of rule.ExposeHeaders) assert.ok(exposed.includes(h), `${h} is exposed by the devstack`);
  for (const m of rule.AllowedMethods) assert.ok(["GET", "PUT", "POST", "DELETE", "HEAD"].includes(m));
});

test("deploying.md: the CSP is the one csp.test.mjs runs the package under", () => {
  const csp = readFileSync(join(repoRoot, "tests/browser/csp.test.mjs"), "utf8");
  assert.match(csp, /devstackBlock\("csp"\)/, "csp.test.mjs reads its policy from the guide");
  assert.match(devstackBlock("csp"), /^script-src 'self' 'wasm-unsafe-eval'$/);
});

test("the README links every guide, and every relative link of the guides and README resolves", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  for (const g of guides) assert.ok(readme.includes(`](docs/${g})`), `README.md does not link docs/${g}`);
  for (const file of ["README.md", ...guides.map((g) => `docs/${g}`)]) {
    const text = readFileSync(join(repoRoot, file), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(repoRoot, dirname(file), target)), `${file}: ${target} does not exist`);
    }
  }
});

test("the API reference builds with TypeDoc from the shipped types: no warning, every export described", () => {
  // scripts/docs.sh without its build: npm test has built pkg/ already.
  const out = execFileSync(join(repoRoot, "node_modules/.bin/typedoc"), ["--out", join(repoRoot, "target/docs-api")], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  assert.doesNotMatch(out, /warning|error/i, out);
  assert.ok(existsSync(join(repoRoot, "target/docs-api/classes/index.S3Client.html")), "a page per class");
});
