// Launches Debian's Chromium through playwright-core with the flags this
// sandbox needs (root, no network beyond loopback).
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A new page of `server` (which serves the repository) with an entry of pkg/ (the main one by default) loaded, init()ed, as `window.sdk`. */
export async function sdkPage(browser, server, entry = "/pkg/index.js") {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
  await page.evaluate(async (entry) => {
    const sdk = await import(entry);
    await sdk.default();
    window.sdk = sdk;
  }, entry);
  return page;
}
