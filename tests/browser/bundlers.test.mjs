// The package bundled as apps bundle it, each bundle loaded in real Chromium
// and signing the official suite (tests/runtimes/probe.mjs). The app installs
// the package from `npm pack` of pkg/ (what npm would publish) and imports it
// by name; each bundler runs with its defaults, plus what its own docs say a
// .wasm asset needs:
//   webpack 5   nothing (it emits the `new URL("…wasm", import.meta.url)` asset)
//   Vite        nothing (likewise, production build)
//   esbuild     --platform=browser; the .wasm copied beside the bundle
//   Rollup      @rollup/plugin-node-resolve, and @rollup/plugin-url for the
//               .wasm, whose URL the app passes to init()
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import webpack from "webpack";
import { build as vite } from "vite";
import { build as esbuild } from "esbuild";
import { rollup } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import url from "@rollup/plugin-url";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot, suiteCases } from "../js/suite-files.mjs";
import { EXPECTED } from "../runtimes/probe.mjs";

// No devstack here: the suite, a presign, an error, a hash; a page refuses
// clientCredentials, which only the user-pool entry has.
const { s1, ...SUITE } = EXPECTED;
// Each entry an app imports, by the folder its app is built in.
const ENTRIES = { main: "cognito-sigv4", "user-pool": "cognito-sigv4/user-pool" };
const M2M = { main: undefined, "user-pool": "SecretInBrowser" };
const probePath = JSON.stringify(join(repoRoot, "tests/runtimes/probe.mjs"));
let app, browser;

before(async () => {
  app = mkdtempSync(join(tmpdir(), "bundlers-"));
  // The package as npm installs it: from the tarball `npm pack` makes of pkg/.
  execFileSync("npm", ["pack", join(repoRoot, "pkg"), "--pack-destination", app, "--silent"]);
  const tarball = readdirSync(app).find((f) => f.endsWith(".tgz"));
  mkdirSync(join(app, "node_modules/cognito-sigv4"), { recursive: true });
  execFileSync("tar", ["xzf", join(app, tarball), "-C", join(app, "node_modules/cognito-sigv4"), "--strip-components=1"]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  // One app per entry, each in its own folder (node_modules is found above it).
  for (const [dir, name] of Object.entries(ENTRIES)) {
    const entry = (init) =>
      [`import init, * as sdk from "${name}";`, `import { probe } from ${probePath};`, `window.probe = async (input) => { await ${init}; return probe(sdk, input); };`, ""].join("\n");
    mkdirSync(join(app, dir));
    writeFileSync(join(app, dir, "main.js"), entry("init()"));
    writeFileSync(join(app, dir, "main-rollup.js"), `import wasmUrl from "${name}/cognito_sigv4_wasm_bg.wasm";\n` + entry("init(wasmUrl)"));
    writeFileSync(join(app, dir, "index.html"), '<!doctype html><script type="module" src="/main.js"></script>\n');
  }
  browser = await launch();
});
after(async () => {
  await browser?.close();
  rmSync(app, { recursive: true, force: true });
});

test("the tarball carries both licenses the manifest names, the changelog and the README", () => {
  const installed = join(app, "node_modules/cognito-sigv4");
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.match(readFileSync(join(installed, "LICENSE-MIT"), "utf8"), /^MIT License/);
  assert.match(readFileSync(join(installed, "LICENSE-APACHE"), "utf8"), /Apache License\s+Version 2\.0/);
  assert.match(readFileSync(join(installed, "CHANGELOG.md"), "utf8"), new RegExp(`## ${manifest.version.replace(/\./g, "\\.")}`));
  assert.ok(readFileSync(join(installed, "README.md"), "utf8").length > 1000);
});

const page = (dir, script) => writeFileSync(join(app, "dist", dir, "index.html"), `<!doctype html>${script}\n`);

// Each builds the app of `entry` (a folder of ENTRIES) into dist/`out`.
const BUNDLERS = {
  async "webpack 5"(entry, out) {
    const stats = await promisify(webpack)({ mode: "production", context: join(app, entry), entry: join(app, entry, "main.js"), output: { path: join(app, "dist", out), filename: "main.js" } });
    assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
    page(out, '<script src="main.js"></script>');
  },
  async "Vite (production build)"(entry, out) {
    await vite({ root: join(app, entry), logLevel: "silent", configFile: false, build: { outDir: join(app, "dist", out) } });
  },
  async "esbuild --platform=browser"(entry, out) {
    await esbuild({ entryPoints: [join(app, entry, "main.js")], bundle: true, platform: "browser", format: "esm", outfile: join(app, "dist", out, "main.js"), logLevel: "silent" });
    const pkg = join(app, "node_modules/cognito-sigv4", entry === "main" ? "" : entry);
    copyFileSync(join(pkg, "cognito_sigv4_wasm_bg.wasm"), join(app, "dist", out, "cognito_sigv4_wasm_bg.wasm"));
    page(out, '<script type="module" src="main.js"></script>');
  },
  async "Rollup (node-resolve, url)"(entry, out) {
    const bundle = await rollup({ input: join(app, entry, "main-rollup.js"), plugins: [nodeResolve({ browser: true }), url({ include: ["**/*.wasm"], limit: 0 })], onwarn: () => {} });
    await bundle.write({ dir: join(app, "dist", out), format: "es" });
    page(out, '<script type="module" src="main-rollup.js"></script>');
  },
};

for (const [name, bundle] of Object.entries(BUNDLERS)) for (const entry of Object.keys(ENTRIES)) {
  test(`${name}: the bundle of ${ENTRIES[entry]} signs the official suite in Chromium`, async () => {
    const dir = `${name.split(" ")[0].toLowerCase()}-${entry}`;
    await bundle(entry, dir);
    const code = readdirSync(join(app, "dist", dir), { recursive: true }).filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(app, "dist", dir, f), "utf8")).join("\n");
    assert.ok(!/["']node:/.test(code), "the browser bundle imports no Node module");
    if (entry === "main") assert.ok(!code.includes("UserPoolSession"), "the main entry's bundle has no user pool");
    assert.ok(readdirSync(join(app, "dist", dir), { recursive: true }).some((f) => f.endsWith(".wasm")), "the wasm ships as its own file");
    // Each app at the root of its own origin, where the bundlers' defaults put it.
    const server = await serve(join(app, "dist", dir));
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => typeof window.probe === "function", null, { timeout: 10_000 }).catch(() => assert.fail(`the bundle did not load: ${errors.join("; ")}`));
    const out = await tab.evaluate((cases) => window.probe({ cases }), suiteCases());
    await tab.close();
    server.close();
    assert.deepEqual(out, { ...SUITE, m2m: M2M[entry], s1: undefined });
  });
}
