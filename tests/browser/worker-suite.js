// Loaded as a module Web Worker and as a module Service Worker by
// tests/browser/workers.test.mjs: imports the package as such a worker would,
// and answers the official suite's cases (sent on a MessagePort) with the
// problems found (none expected), plus a presigned URL and a typed error.
import init, { Signer, sha256 } from "/pkg/index.js";
import { checkCase } from "/tests/js/suite.mjs";

async function answer(cases) {
  await init();
  const problems = cases.flatMap((c) => checkCase(Signer, c.name, c.files));
  const signer = new Signer({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3" });
  const url = signer.presign({ url: "https://b.s3.amazonaws.com/k", expiresIn: 60, date: new Date(0) });
  let error;
  try {
    signer.sign({ url: "not a url" });
  } catch (e) {
    error = e.name;
  }
  return { problems, cases: cases.length, presigned: url.includes("X-Amz-Signature="), error, hash: sha256("abc") };
}

self.addEventListener("message", (event) => {
  const port = event.ports[0];
  answer(event.data).then((result) => port.postMessage(result), (e) => port.postMessage({ failed: String(e) }));
});
// A service worker takes over at once (nothing to cache).
self.addEventListener("install", () => self.skipWaiting?.());
