// The package's entry in Node and Deno ("node" condition of package.json's
// exports): the same API, with an init() that reads the wasm from disk, since
// their fetch cannot read file: URLs. Browsers and bundlers get index.js, which
// names no Node module at all.
import { readFile } from "node:fs/promises";
import initFrom from "./index.js";
import { isReady } from "./util.js";

export * from "./index.js";

// Node 18 has Web Crypto only as node:crypto's webcrypto (19+ as the global
// `crypto`, as browsers, Deno and Bun): bodies are hashed by its digest, and
// the user-pool entry's SRP sign-in draws its randomness there. Imported only
// there (3-5 ms of a cold start elsewhere); `in` reads no lazy global.
if (!("crypto" in globalThis)) globalThis.crypto = (await import("node:crypto")).webcrypto;

export default async function init(input) {
  if (input === undefined && !isReady()) input = await readFile(new URL("./cognito_sigv4_wasm_bg.wasm", import.meta.url));
  return initFrom(input);
}
