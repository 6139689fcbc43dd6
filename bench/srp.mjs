// The client's share of an SRP sign-in (computing A, then the
// PASSWORD_VERIFIER claim) through the package's public signIn, against a
// fetch that answers at once, checked against Amplify's vectors; median of 9
// runs, in Node. (#21's target: <= 150 ms in Node and Chromium.)
import { readFileSync } from "node:fs";
import { srpTiming } from "./srp-time.mjs";

const sdk = await import("../pkg/user-pool/index.js");
await sdk.default();
const vectors = JSON.parse(readFileSync(new URL("../tests/fixtures/srp/vectors.json", import.meta.url), "utf8"));
const cases = vectors.cases ?? vectors;
const t = await srpTiming(sdk.UserPool, cases);
if (t.bad.length) throw new Error(`SRP disagrees with Amplify's vectors: ${JSON.stringify(t.bad)}`);
console.log("\n| SRP sign-in, the client's share (Node) | ms |\n|---|---:|");
console.log(`| A (signIn to its first request) | ${t.aMs.toFixed(1)} |`);
console.log(`| the claim (challenge to the second request) | ${t.claimMs.toFixed(1)} |`);
console.log(`| both | ${t.shareMs.toFixed(1)} |`);
