// `npm test`'s "pkg/ types" step: the shipped types as an app gets them. Packs
// pkg/ (`npm pack`, what npm would publish), installs the tarball into a fresh
// app in a temporary directory (no @types/node, nothing else), and compiles
// tests/types/app/ there with the repository's tsc: strict, skipLibCheck off,
// lib ES2022 + DOM, under each module resolution an app uses (bundler, node16,
// nodenext). usage.ts must compile; misuse.ts holds misuses each marked
// `// @ts-expect-error`, so a misuse the types let through fails the step too.
// Usage: node tests/types/check.mjs [pkg directory, default pkg/]
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const pkg = resolve(process.argv[2] ?? join(repoRoot, "pkg"));
const tsc = join(repoRoot, "node_modules/.bin/tsc");
const app = mkdtempSync(join(tmpdir(), "types-app-"));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

let failed = false;
try {
  run("npm", ["pack", pkg, "--pack-destination", app, "--silent"], app);
  const tgz = readdirSync(app).find((f) => f.endsWith(".tgz"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "types-app", private: true, type: "module" }, null, 2));
  // The package has no dependencies: nothing is fetched.
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", "--loglevel=error", `./${tgz}`], app);
  cpSync(join(repoRoot, "tests/types/app"), join(app, "src"), { recursive: true });
  for (const [resolution, module] of [["bundler", "ES2022"], ["node16", "node16"], ["nodenext", "nodenext"]]) {
    const config = `tsconfig.${resolution}.json`;
    writeFileSync(
      join(app, config),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          module,
          moduleResolution: resolution,
          // No @types/* at all (there are none in the app either): a page's app.
          types: [],
          noUnusedLocals: false,
        },
        include: ["src/*.ts"],
      }),
    );
    try {
      run(tsc, ["-p", config], app);
      console.log(`types: ok with moduleResolution ${resolution}`);
    } catch (e) {
      failed = true;
      console.error(`types: tsc -p ${config} (moduleResolution ${resolution}) failed in ${app}:\n${e.stdout}${e.stderr}`);
    }
  }
} finally {
  if (!failed) rmSync(app, { recursive: true, force: true });
}
if (failed) process.exit(1);
