// Writes pkg/package.json: the published package's manifest.
import { readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
const manifest = {
  name: "cognito-sigv4",
  version,
  description: "Cognito IdToken to temporary AWS credentials, and SigV4 signing in WebAssembly, for single-page apps",
  license: "MIT OR Apache-2.0",
  type: "module",
  main: "./index.js",
  module: "./index.js",
  types: "./index.d.ts",
  // Browsers, workers and bundlers fetch the wasm beside the JS (index.js);
  // Node and Deno read it from disk (node.js).
  exports: {
    ".": { types: "./index.d.ts", node: "./node.js", deno: "./node.js", default: "./index.js" },
    // The whole SDK and the user pool (UserPool, SRP, sessions,
    // clientCredentials): a module of its own, which the main entry's users
    // do not load.
    "./user-pool": { types: "./user-pool/index.d.ts", node: "./user-pool/node.js", deno: "./user-pool/node.js", default: "./user-pool/index.js" },
    // Signer alone (wasm-bindgen + sha2 + hmac + the canonicalization).
    "./signer": { types: "./signer/index.d.ts", node: "./signer/node.js", deno: "./signer/node.js", default: "./signer/index.js" },
    "./cognito_sigv4_wasm_bg.wasm": "./cognito_sigv4_wasm_bg.wasm",
    "./user-pool/cognito_sigv4_wasm_bg.wasm": "./user-pool/cognito_sigv4_wasm_bg.wasm",
    "./package.json": "./package.json",
  },
  // Every .d.ts the types import: index.d.ts re-exports the generated
  // cognito_sigv4_wasm.d.ts, user-pool/ holds its own, signer/index.d.ts
  // imports ../index.d.ts
  // (tests/types/check.mjs compiles an app against the packed tarball).
  files: ["*.js", "index.d.ts", "cognito_sigv4_wasm.d.ts", "cognito_sigv4_wasm_bg.wasm", "snippets/", "user-pool/", "signer/", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md"],
  sideEffects: false,
  engines: { node: ">=18" },
  keywords: ["aws", "sigv4", "cognito", "signature", "wasm", "s3", "api-gateway"],
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(manifest, null, 2) + "\n");
