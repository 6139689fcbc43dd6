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
    define: { "process.env.NODE_ENV": '"production"' },
    // The wasm is fetched at run time.
    external: ["*.wasm"],
    write: false,
    logLevel: "error",
  });
  return gzipSize(outputFiles[0].contents);
}

// What an app imports to do what our whole SDK does, per alternative, each
// bundled and gzipped the same way (tree-shaken to these exports).
export const ALTERNATIVES = {
  "aws4fetch (AwsClient: signing only, no credentials)": `export { AwsClient } from "aws4fetch";`,
  "AWS SDK v3: Cognito credentials + signer": `
    export { fromCognitoIdentityPool } from "@aws-sdk/credential-provider-cognito-identity";
    export { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
    export { SignatureV4 } from "@smithy/signature-v4";
    export { Sha256 } from "@aws-crypto/sha256-js";`,
  "AWS SDK v3: Cognito credentials + signer + S3 client and presigner": `
    export { fromCognitoIdentityPool } from "@aws-sdk/credential-provider-cognito-identity";
    export { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
    export { SignatureV4 } from "@smithy/signature-v4";
    export { Sha256 } from "@aws-crypto/sha256-js";
    export { S3Client, GetObjectCommand, PutObjectCommand, DeleteObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
    export { getSignedUrl } from "@aws-sdk/s3-request-presigner";`,
  "Amplify v6: fetchAuthSession": `
    export { Amplify } from "aws-amplify";
    export { fetchAuthSession, signIn } from "aws-amplify/auth";`,
  "Amplify v6: fetchAuthSession + Storage": `
    export { Amplify } from "aws-amplify";
    export { fetchAuthSession, signIn } from "aws-amplify/auth";
    export { uploadData, downloadData, list, remove, getUrl } from "aws-amplify/storage";`,
};

/** Gzipped JS bytes of each of ALTERNATIVES. */
export async function alternativeSizes() {
  const sizes = {};
  for (const [name, entry] of Object.entries(ALTERNATIVES)) sizes[name] = await minifiedGzipSize(entry);
  return sizes;
}

/**
 * Gzipped bytes: { ours: { js, wasm } (the main entry), userPool: { js, wasm }
 * (cognito-sigv4/user-pool), signer: { js, wasm }, aws4fetch: { js }, smithy: { js } }.
 */
export async function packageSizes() {
  return {
    ours: {
      js: await minifiedGzipSize(`export * from "./pkg/index.js"; export { default } from "./pkg/index.js";`),
      wasm: gzipSize(await readFile(`${ROOT}/pkg/cognito_sigv4_wasm_bg.wasm`)),
    },
    userPool: {
      js: await minifiedGzipSize(`export * from "./pkg/user-pool/index.js"; export { default } from "./pkg/user-pool/index.js";`),
      wasm: gzipSize(await readFile(`${ROOT}/pkg/user-pool/cognito_sigv4_wasm_bg.wasm`)),
    },
    signer: {
      js: await minifiedGzipSize(`export * from "./pkg/signer/index.js"; export { default } from "./pkg/signer/index.js";`),
      wasm: gzipSize(await readFile(`${ROOT}/pkg/signer/cognito_sigv4_signer_bg.wasm`)),
    },
    aws4fetch: { js: await minifiedGzipSize(`export { AwsV4Signer } from "aws4fetch";`) },
    smithy: {
      js: await minifiedGzipSize(`export { SignatureV4 } from "@smithy/signature-v4"; export { Sha256 } from "@aws-crypto/sha256-js";`),
    },
  };
}
