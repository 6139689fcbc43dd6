// Where the wasm bytes are: the code of each module as rustc linked it
// (before wasm-bindgen and wasm-opt), attributed to crates by the symbol names
// of its name section. Raw bytes, not gzipped: wasm-opt then shrinks all of
// it by about the same factor. scripts/build.sh keeps the two modules in
// target/wasm-sizes/.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CRATES = ["cognito_sigv4", "sigv4", "num_bigint", "num_integer", "num_traits", "sha2", "hmac", "digest", "block_buffer", "base64", "wasm_bindgen_futures", "wasm_bindgen", "js_sys", "web_sys", "gloo_net", "serde_wasm_bindgen", "serde_core", "serde", "dlmalloc", "lol_alloc", "std", "alloc", "core", "compiler_builtins"];

/** `{ code: total, data, crates: { name: bytes } }` of a wasm file with a name section. */
export function crateBytes(path) {
  const buf = readFileSync(path);
  let p = 8;
  const u = () => {
    let r = 0, s = 0, b;
    do {
      b = buf[p++];
      r += (b & 0x7f) * 2 ** s;
      s += 7;
    } while (b & 0x80);
    return r;
  };
  let imported = 0, data = 0;
  const bodies = [], names = new Map();
  while (p < buf.length) {
    const id = buf[p++];
    const size = u();
    const start = p;
    if (id === 2) {
      for (let n = u(); n > 0; n--) {
        { const l = u(); p += l; } { const l = u(); p += l; }
        const kind = buf[p++];
        if (kind === 0) { u(); imported++; }
        else if (kind === 1) { p++; if (buf[p++] & 1) { u(); u(); } else u(); }
        else if (kind === 2) { if (buf[p++] & 1) { u(); u(); } else u(); }
        else p += 2;
      }
    } else if (id === 10) {
      for (let n = u(); n > 0; n--) { const s = u(); bodies.push(s); p += s; }
    } else if (id === 11) {
      data = size;
    } else if (id === 0) {
      const l = u();
      if (buf.toString("utf8", p, p + l) === "name") {
        p += l;
        while (p < start + size) {
          const sub = buf[p++], len = u(), end = p + len;
          if (sub === 1) for (let n = u(); n > 0; n--) { const idx = u(), nl = u(); names.set(idx, buf.toString("utf8", p, p + nl)); p += nl; }
          p = end;
        }
      }
    }
    p = start + size;
  }
  const crates = {};
  const functions = [];
  bodies.forEach((bytes, i) => {
    const name = names.get(imported + i) ?? "";
    functions.push([demangle(name), bytes]);
    // The crate whose name comes first in the symbol (v0 `4core`, legacy `_ZN4core` or `core..`, or `core::`).
    let best = "other", at = Infinity;
    for (const c of CRATES) {
      for (const form of [`${c.length}${c}`, `${c}::`, `${c}..`]) {
        const k = name.indexOf(form);
        if (k >= 0 && k < at) [best, at] = [c, k];
      }
    }
    if (best === "digest" || best === "block_buffer") best = "sha2";
    // Type descriptors: run by wasm-bindgen's CLI at build time, then removed.
    if (name.startsWith("__wbindgen_describe") || name.includes("WasmDescribe") || name.includes("describe..inform")) best = "(wasm-bindgen descriptors: dropped by its CLI)";
    if (best === "other") {
      if (name.startsWith("__wbindgen_describe")) best = "(wasm-bindgen descriptors: dropped by its CLI)";
      else if (name.startsWith("__wbg") || name.startsWith("__wbindgen")) best = "wasm_bindgen";
      else if (/^[a-z][a-z0-9_]*$/.test(name.replace(/_[0-9a-f]{16}$/, ""))) best = "cognito_sigv4 (exports)";
    }
    crates[best] = (crates[best] ?? 0) + bytes;
  });
  return { code: bodies.reduce((a, b) => a + b, 0), data, crates, functions };
}

/** A legacy-mangled Rust symbol (`_ZN13cognito_sigv44wasm6upload…17h…E`) as a path; others as they are. */
export function demangle(name) {
  if (!name.startsWith("_ZN")) return name;
  const parts = [];
  let p = 3;
  while (p < name.length && name[p] !== "E") {
    const m = /^\d+/.exec(name.slice(p));
    if (!m) break;
    p += m[0].length;
    parts.push(name.slice(p, p + Number(m[0])));
    p += Number(m[0]);
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1) ?? "")) parts.pop();
  const codes = { SP: "@", BP: "*", RF: "&", LT: "<", GT: ">", LP: "(", RP: ")", C: "," };
  return parts
    .join("::")
    .replace(/\$u([0-9a-f]+)\$/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/\$([A-Z]{1,2})\$/g, (w, c) => codes[c] ?? w)
    .replace(/\.\./g, "::")
    .replace(/(^|::)_(?=[<{])/g, "$1");
}

/** The module of this crate a symbol belongs to (`wasm::upload`, `op`, `s3`, …), or null. */
function ownModule(name) {
  const m = /^<?cognito_sigv4::((?:wasm::|s3::|op::)?[a-z0-9_]+)/.exec(name);
  return m ? m[1] : null;
}

/** Rows `[module, bytes]` of this crate's code with the user pool (every module), largest first (the shell is `wasm::…`). */
export function moduleTable() {
  const { functions } = crateBytes(`${ROOT}/target/wasm-sizes/user-pool.wasm`);
  const modules = {};
  for (const [name, bytes] of functions) {
    const m = ownModule(name);
    if (m) modules[m] = (modules[m] ?? 0) + bytes;
  }
  return Object.entries(modules).sort((a, b) => b[1] - a[1]);
}

/** The `n` largest functions of the main entry's module: `[name (shortened), bytes]`. */
export function largestFunctions(n = 20) {
  const { functions } = crateBytes(`${ROOT}/target/wasm-sizes/main.wasm`);
  const short = (name) => (name.length > 110 ? name.slice(0, 107) + "…" : name).replace(/\|/g, "\\|");
  return [...functions].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, bytes]) => [short(name), bytes]);
}

/** Rows `[crate, main entry, with the user pool, signer entry]` (bytes), largest first. */
export function crateTable() {
  const modules = ["main", "user-pool", "signer"].map((m) => crateBytes(`${ROOT}/target/wasm-sizes/${m}.wasm`));
  const names = [...new Set(modules.flatMap((m) => Object.keys(m.crates)))];
  const rows = names.map((n) => [n, ...modules.map((m) => m.crates[n] ?? 0)]).sort((a, b) => b[1] - a[1]);
  rows.push(["data (strings, tables)", ...modules.map((m) => m.data)]);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`${"crate".padEnd(24)} ${"main".padStart(9)} ${"user-pool".padStart(9)} ${"signer".padStart(9)}`);
  for (const [name, ...bytes] of crateTable()) console.log(`${name.padEnd(24)} ${bytes.map((b) => String(b).padStart(9)).join(" ")}`);
  console.log("\nthis crate, by module (with the user pool):");
  for (const [m, b] of moduleTable()) console.log(`${m.padEnd(24)} ${String(b).padStart(8)}`);
  console.log("\nlargest functions (main entry):");
  for (const [name, b] of largestFunctions()) console.log(`${String(b).padStart(8)} ${name}`);
}
