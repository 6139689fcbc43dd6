// Reads the official AWS SigV4 test suite from ../shared (Node only; the
// browser test receives these cases as JSON).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const suiteDir = join(repoRoot, "../shared/testdata/aws-sig-v4-test-suite");

/** Every case as { name, files: { req, creq, sts, authz } }. */
export function suiteCases(dir = suiteDir, out = []) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) suiteCases(path, out);
    else if (entry.endsWith(".req")) {
      const read = (ext) => readFileSync(`${path.slice(0, -4)}.${ext}`, "utf8");
      out.push({ name: entry.slice(0, -4), files: { req: read("req"), creq: read("creq"), sts: read("sts"), authz: read("authz") } });
    }
  }
  return out;
}
