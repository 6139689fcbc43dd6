#!/usr/bin/env bash
# Builds the npm package into pkg/: the Rust crate compiled to wasm32, run
# through wasm-bindgen's CLI (its glue loads the module, carries values across
# and holds the #[wasm_bindgen] classes; it also writes their TypeScript types),
# shrunk by wasm-opt from npm binaryen (Debian's binaryen 108 emits wasm
# Chromium rejects), the JS around it (src/wasm/js/), the user pool's
# entry in pkg/user-pool/ and the signer-only entry in pkg/signer/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

rm -rf pkg
mkdir -p target/wasm-sizes

# One build of the whole SDK: the crate with `features`, its glue and module
# in `out`, and the JS around them (src/wasm/js/).
sdk_build() {
  local features=$1 out=$2 sizes=$3
  cargo build --quiet --lib --release --target wasm32-unknown-unknown --no-default-features --features "$features"
  mkdir -p "$out"
  # The linked module as rustc left it (with its name section), for the
  # bench's bytes-per-crate table (bench/crates.mjs).
  cp target/wasm32-unknown-unknown/release/cognito_sigv4.wasm "target/wasm-sizes/$sizes.wasm"
  # The glue and the generated types (cognito_sigv4_wasm.d.ts, which index.d.ts re-exports).
  wasm-bindgen --target web --out-dir "$out" --out-name cognito_sigv4_wasm \
    target/wasm32-unknown-unknown/release/cognito_sigv4.wasm
  # The glue's exports go through util.js's guardExports: whatever escapes an
  # entry the event loop calls (a trap in an async task, an out-of-memory abort)
  # fails the module and settles every pending promise, instead of being thrown
  # where nobody hears it. wasm-bindgen has no hook for this: one line patched.
  node -e '
    const fs = require("fs"), file = process.argv[1] + "/cognito_sigv4_wasm.js";
    const glue = fs.readFileSync(file, "utf8");
    const line = "wasm = instance.exports;";
    if (glue.split(line).length !== 2) throw new Error(file + ": expected one `" + line + "` (wasm-bindgen changed?)");
    fs.writeFileSync(file, "import { guardExports } from \"./util.js\";\n" + glue.replace(line, "wasm = guardExports(instance.exports);"));
  ' "$out"
  # The features Rust's wasm32 target enables by default; wasm-opt must accept them.
  node_modules/.bin/wasm-opt -Oz --converge \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --strip-debug --strip-producers \
    "$out/cognito_sigv4_wasm_bg.wasm" -o "$out/cognito_sigv4_wasm_bg.wasm"
  cp src/wasm/js/{util,signer,signer-api,node}.js "$out/"
}

# The main entry, cognito-sigv4: everything but the user pool.
sdk_build sdk pkg main
cp src/wasm/js/index.js src/wasm/js/index.d.ts pkg/
cp src/wasm/js/package-readme.md pkg/README.md
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md pkg/

# cognito-sigv4/user-pool: a module of its own, the whole SDK and the user
# pool (UserPool, SRP, sessions, clientCredentials). Its index.js is
# user-pool.js over the main entry's index.js (as sdk.js), so that an app
# imports everything from this one entry and loads one module.
sdk_build sdk,user-pool pkg/user-pool user-pool
cp src/wasm/js/index.js pkg/user-pool/sdk.js
cp src/wasm/js/index.d.ts pkg/user-pool/sdk.d.ts
cp src/wasm/js/user-pool.js pkg/user-pool/index.js
cp src/wasm/js/user-pool.d.ts pkg/user-pool/index.d.ts

# The signer-only entry, cognito-sigv4/signer: the same crate with the
# signer-entry feature, behind wasm-bindgen's glue (src/wasm/signer_entry.rs).
cargo build --quiet --lib --release --target wasm32-unknown-unknown --no-default-features --features tiny,signer-entry
mkdir -p pkg/signer
cp target/wasm32-unknown-unknown/release/cognito_sigv4.wasm target/wasm-sizes/signer.wasm
wasm-bindgen --target web --no-typescript --out-dir pkg/signer --out-name cognito_sigv4_signer \
  target/wasm32-unknown-unknown/release/cognito_sigv4.wasm
node_modules/.bin/wasm-opt -Oz --converge \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers \
  pkg/signer/cognito_sigv4_signer_bg.wasm -o pkg/signer/cognito_sigv4_signer_bg.wasm
cp src/wasm/js/signer-entry.js pkg/signer/index.js
cp src/wasm/js/signer-node.js pkg/signer/node.js
cp src/wasm/js/signer-entry.d.ts pkg/signer/index.d.ts
node scripts/write-pkg-json.mjs
echo "pkg/ built: $(du -b pkg/cognito_sigv4_wasm_bg.wasm | cut -f1) bytes of wasm, with the user pool $(du -b pkg/user-pool/cognito_sigv4_wasm_bg.wasm | cut -f1), signer entry $(du -b pkg/signer/cognito_sigv4_signer_bg.wasm | cut -f1)" >&2
