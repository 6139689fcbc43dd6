// Bundles the demo page (www/) the way an app would bundle cognito-sigv4:
// webpack 5 resolves the package's `new URL("…_bg.wasm", import.meta.url)` and
// emits the wasm as an asset next to the bundle.
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default {
  mode: "production",
  entry: here("./www/src/main.js"),
  output: { path: here("./www/dist"), filename: "main.js", assetModuleFilename: "[name][ext]", clean: true },
  resolve: { alias: { "cognito-sigv4": here("./pkg/index.js") } },
  experiments: { topLevelAwait: true },
  performance: { hints: false },
};
