// Cold start: the time from importing a library to its first signature, with
// nothing cached, ours (fetch + compile + instantiate of the wasm, then
// sign) beside aws4fetch's. Node: a fresh process per run. Chromium: a fresh
// browser context per run (no HTTP or code cache), the page timing itself
// from its first script to the signature. Median of RUNS runs.

import { build } from "esbuild";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNS = 7;
const KEYS = '{ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" }';
const URL_TO_SIGN = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items?a=1";

// The same few lines for Node and the page: import, (init), one signature.
const FIRST_SIGNATURE = {
  ours: (from) => `
    const t0 = performance.now();
    const { default: init, Signer } = await import(${JSON.stringify(from)});
    await init();
    new Signer({ ...${KEYS}, region: "us-east-1", service: "execute-api" }).sign({ url: ${JSON.stringify(URL_TO_SIGN)} });
    const ms = performance.now() - t0;`,
  aws4fetch: (from) => `
    const t0 = performance.now();
    const { AwsV4Signer } = await import(${JSON.stringify(from)});
    await new AwsV4Signer({ ...${KEYS}, url: ${JSON.stringify(URL_TO_SIGN)}, region: "us-east-1", service: "execute-api" }).sign();
    const ms = performance.now() - t0;`,
};

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `{ ours, aws4fetch }`: median ms from import to the first signature, each in a new Node process. */
export async function coldStartNode() {
  const from = { ours: join(ROOT, "pkg/node.js"), aws4fetch: "aws4fetch" };
  const out = {};
  for (const lib of Object.keys(FIRST_SIGNATURE)) {
    const script = join(ROOT, `bench/dist/cold-${lib}.mjs`);
    await writeFile(script, `${FIRST_SIGNATURE[lib](from[lib])}\nconsole.log(ms);\n`);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const stdout = await new Promise((resolve, reject) =>
        execFile(process.execPath, [script], { cwd: ROOT, timeout: 30_000 }, (err, out) => (err ? reject(err) : resolve(out))),
      );
      runs.push(Number(stdout));
    }
    out[lib] = median(runs);
  }
  return out;
}

/** Bundles the page scripts of `coldStartChromium` into `dist` (esbuild, as an app would). */
export async function bundleColdPages(dist) {
  const from = { ours: join(ROOT, "pkg/index.js"), aws4fetch: "aws4fetch" };
  for (const lib of Object.keys(FIRST_SIGNATURE)) {
    const entry = join(dist, `cold-${lib}-entry.mjs`);
    // esbuild bundles the import() into the one file: timed from the script's start.
    await writeFile(entry, `${FIRST_SIGNATURE[lib](from[lib])}\nwindow.coldMs = ms;\n`);
    await build({ entryPoints: [entry], outfile: join(dist, `cold-${lib}.js`), bundle: true, format: "esm", platform: "browser", external: ["node:fs/promises"], logLevel: "error", splitting: false });
    await writeFile(join(dist, `cold-${lib}.html`), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="cold-${lib}.js"></script>\n`);
  }
}

/** `{ ours, aws4fetch }`: median ms in Chromium, a new browser context (empty caches) per run. */
export async function coldStartChromium(browser, origin) {
  const out = {};
  for (const lib of Object.keys(FIRST_SIGNATURE)) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/cold-${lib}.html`);
        runs.push(await page.waitForFunction(() => window.coldMs, null, { timeout: 30_000 }).then((h) => h.jsonValue()));
      } finally {
        await context.close();
      }
    }
    out[lib] = median(runs);
  }
  return out;
}
