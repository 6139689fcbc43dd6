// The SRP fixtures (tests/fixtures/srp/vectors.json), which src/cognito/srp.rs
// must reproduce natively, are what Amplify's SRP helper computes: regenerated
// here from node_modules and compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./suite-files.mjs";

test("the SRP vectors are Amplify's", () => {
  const dir = join(repoRoot, "tests/fixtures/srp");
  const fresh = JSON.parse(execFileSync(process.execPath, [join(dir, "vectors.mjs")], { encoding: "utf8" }));
  const committed = JSON.parse(readFileSync(join(dir, "vectors.json"), "utf8"));
  assert.ok(committed.length >= 6);
  assert.deepEqual(fresh, committed);
});
