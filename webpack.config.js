// Bundles the demo page (www/) the way an app would bundle cognito-sigv4: the
// package comes from www/node_modules (installed from `npm pack` of pkg/ by
// scripts/bundle-demo.sh), and webpack 5 resolves its
// `new URL("…_bg.wasm", import.meta.url)` and emits the wasm next to the bundle.
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default {
  mode: "production",
  entry: here("./www/src/main.js"),
  output: { path: here("./www/dist"), filename: "main.js", assetModuleFilename: "[name][ext]", clean: true },
  experiments: { topLevelAwait: true },
  performance: { hints: false },
};
