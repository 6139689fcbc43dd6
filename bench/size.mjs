// What each signer adds to a web app: its JS bundled and minified by esbuild
// for the browser, then gzip -9; for our package also the wasm file, gzip -9.

import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function minifiedGzipSize(entry) {
  const { outputFiles } = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    // The wasm is fetched at run time, and node:fs is only imported in Node.
    external: ["*.wasm", "node:fs/promises"],
    write: false,
    logLevel: "error",
  });
  return gzipSize(outputFiles[0].contents);
}

/** Gzipped bytes: { ours: { js, wasm }, aws4fetch: { js }, smithy: { js } }. */
export async function packageSizes() {
  return {
    ours: {
      js: await minifiedGzipSize(`export * from "./pkg/index.js"; export { default } from "./pkg/index.js";`),
      wasm: gzipSize(await readFile(`${ROOT}/pkg/cognito_sigv4_wasm_bg.wasm`)),
    },
    aws4fetch: { js: await minifiedGzipSize(`export { AwsV4Signer } from "aws4fetch";`) },
    smithy: {
      js: await minifiedGzipSize(`export { SignatureV4 } from "@smithy/signature-v4"; export { Sha256 } from "@aws-crypto/sha256-js";`),
    },
  };
}
