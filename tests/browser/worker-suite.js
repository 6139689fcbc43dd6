// Loaded as a module Web Worker and as a module Service Worker by
// tests/browser/workers.test.mjs: imports the package as such a worker would,
// and answers the official suite's cases (sent on a MessagePort) with what
// tests/runtimes/probe.mjs finds: the suite, a presigned URL, a typed error, a hash.
import init, * as sdk from "/pkg/index.js";
import { probe } from "/tests/runtimes/probe.mjs";

self.addEventListener("message", (event) => {
  const port = event.ports[0];
  init()
    .then(() => probe(sdk, { cases: event.data }))
    .then((result) => port.postMessage(result), (e) => port.postMessage({ failed: String(e) }));
});
// A service worker takes over at once (nothing to cache).
self.addEventListener("install", () => self.skipWaiting?.());
