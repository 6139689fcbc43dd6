// cognito-sigv4/signer in Node and Deno (the "node"/"deno" conditions): the
// same module, with an init() that reads the wasm from disk. index.js can do
// that itself only where process.getBuiltinModule exists (Node 20.16+, 22.3+):
// Node 18 and older 20s need this import of node:fs, which index.js must not
// name (bundlers would follow it).
import { readFile } from "node:fs/promises";
import initFrom from "./index.js";

export * from "./index.js";

export default async function init(input) {
  return initFrom(input ?? (await readFile(new URL("./cognito_sigv4_signer_bg.wasm", import.meta.url))));
}
