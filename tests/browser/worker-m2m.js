// Loaded as a module Web Worker, Shared Worker and Service Worker by
// tests/browser/workers.test.mjs: calls clientCredentials as a page's worker
// might, and answers the error's name (a client secret must not run in any
// browser scope: SecretInBrowser, before anything is sent).
import init, { clientCredentials } from "/pkg/user-pool/index.js";

async function answer() {
  await init();
  try {
    // A token endpoint of this origin (the test server answers 404): a
    // runtime that let the call through would say Malformed, not SecretInBrowser.
    await clientCredentials({ tokenEndpoint: `${self.location.origin}/oauth2/token`, clientId: "client", clientSecret: "secret" });
    return "resolved";
  } catch (e) {
    return e.name;
  }
}

const reply = (port) => answer().then((r) => port.postMessage(r), (e) => port.postMessage(`failed: ${e}`));
self.addEventListener("message", (event) => reply(event.ports[0]));
// A Shared Worker is spoken to through its port.
self.addEventListener("connect", (event) => reply(event.ports[0]));
self.addEventListener("install", () => self.skipWaiting?.());
