// The package where pages put work off the main thread, in real Chromium: a
// module Web Worker and a module Service Worker each import pkg/index.js,
// init() the wasm and sign the official suite (tests/browser/worker-suite.js).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { repoRoot, suiteCases } from "../js/suite-files.mjs";
import { EXPECTED } from "../runtimes/probe.mjs";

let browser, server, page;
before(async () => {
  [browser, server] = await Promise.all([launch(), serve(repoRoot)]);
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
});
after(async () => {
  await browser?.close();
  server?.close();
});

for (const kind of ["Web Worker", "Service Worker"]) {
  test(`a module ${kind} signs the official suite (31 cases)`, async () => {
    const cases = suiteCases();
    const out = await page.evaluate(
      async ({ kind, cases }) => {
        const target =
          kind === "Web Worker"
            ? new Worker("/tests/browser/worker-suite.js", { type: "module" })
            : await navigator.serviceWorker
                .register("/tests/browser/worker-suite.js", { type: "module", scope: "/tests/browser/" })
                .then((r) => r.active ?? r.waiting ?? r.installing);
        // (navigator.serviceWorker.ready would wait for a worker of this page's scope.)
        if (kind === "Service Worker" && target.state !== "activated") {
          await new Promise((resolve, reject) =>
            target.addEventListener("statechange", () => (target.state === "activated" ? resolve() : target.state === "redundant" && reject(new Error("the service worker failed to install")))),
          );
        }
        const channel = new MessageChannel();
        const reply = new Promise((resolve) => (channel.port1.onmessage = (e) => resolve(e.data)));
        target.postMessage(cases, [channel.port2]);
        return reply;
      },
      { kind, cases },
    );
    assert.equal(out.failed, undefined, out.failed);
    const { s1, ...expected } = EXPECTED;
    // The main entry: no clientCredentials (worker-m2m.js asks the user-pool entry's).
    assert.deepEqual(out, { ...expected, m2m: undefined, s1: undefined });
  });
}

test("clientCredentials refuses with SecretInBrowser in a module Web Worker, Shared Worker and Service Worker", async () => {
  const names = await page.evaluate(async () => {
    const ask = async (kind) => {
      if (kind === "Shared Worker") {
        const worker = new SharedWorker("/tests/browser/worker-m2m.js", { type: "module" });
        const reply = new Promise((resolve) => (worker.port.onmessage = (e) => resolve(e.data)));
        worker.port.start();
        return reply;
      }
      const target =
        kind === "Web Worker"
          ? new Worker("/tests/browser/worker-m2m.js", { type: "module" })
          : await navigator.serviceWorker
              .register("/tests/browser/worker-m2m.js", { type: "module", scope: "/tests/browser/m2m/" })
              .then((r) => r.installing ?? r.waiting ?? r.active);
      if (kind === "Service Worker" && target.state !== "activated") {
        await new Promise((resolve, reject) =>
          target.addEventListener("statechange", () => (target.state === "activated" ? resolve() : target.state === "redundant" && reject(new Error("the service worker failed to install")))),
        );
      }
      const channel = new MessageChannel();
      const reply = new Promise((resolve) => (channel.port1.onmessage = (e) => resolve(e.data)));
      target.postMessage(null, [channel.port2]);
      return reply;
    };
    const out = {};
    for (const kind of ["Web Worker", "Shared Worker", "Service Worker"]) out[kind] = await ask(kind);
    return out;
  });
  assert.deepEqual(names, { "Web Worker": "SecretInBrowser", "Shared Worker": "SecretInBrowser", "Service Worker": "SecretInBrowser" });
});
