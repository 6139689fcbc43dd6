// bench/srp.mjs uses this: the client's share of an SRP sign-in, timed through the public API.
// Times the client's share of an SRP sign-in through the public API, with a
// stubbed fetch that answers at once: A (signIn -> first fetch), the claim
// (first answer -> second fetch). Also checks A and the signature against
// Amplify's vectors by stubbing getRandomValues and Date.now.
export async function srpTiming(UserPool, vectors, runs = 9) {
  const realFetch = globalThis.fetch, realRandom = crypto.getRandomValues, realNow = Date.now;
  const b64url = (s) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const jwt = (use) => [b64url('{"alg":"RS256"}'), b64url(JSON.stringify({ sub: "u", token_use: use, iat: 1, exp: 4e9 })), "c2ln"].join(".");
  let marks, sent, c;
  globalThis.fetch = async (req) => {
    marks.push(performance.now());
    const body = await req.json();
    sent.push(body);
    const doc = body.AuthFlow === "USER_SRP_AUTH"
      ? { ChallengeName: "PASSWORD_VERIFIER", Session: "s", ChallengeParameters: { SALT: c.salt, SRP_B: c.B, SECRET_BLOCK: c.secretBlock, USER_ID_FOR_SRP: c.userIdForSrp } }
      : { AuthenticationResult: { IdToken: jwt("id"), AccessToken: jwt("access"), ExpiresIn: 3600, TokenType: "Bearer" } };
    return new Response(JSON.stringify(doc), { status: 200, headers: { "content-type": "application/x-amz-json-1.1" } });
  };
  const hex = (h) => Uint8Array.from(h.match(/../g), (x) => parseInt(x, 16));
  const out = { a: [], claim: [], total: [], ok: 0, bad: [] };
  try {
    for (let i = 0; i < runs + vectors.length; i++) {
      c = vectors[i % vectors.length];
      crypto.getRandomValues = (arr) => (arr.set(hex(c.a.padStart(256, "0"))), arr);
      Date.now = () => c.ms;
      marks = []; sent = [];
      const pool = new UserPool({ region: "us-east-1", userPoolId: c.poolId, clientId: "client" });
      const t0 = performance.now();
      await pool.signIn(c.userIdForSrp, c.password);
      const t1 = performance.now();
      const okA = sent[0].AuthParameters.SRP_A === c.A, okS = sent[1].ChallengeResponses.PASSWORD_CLAIM_SIGNATURE === c.signature;
      if (okA && okS) out.ok++; else out.bad.push({ i, okA, okS, A: sent[0].AuthParameters.SRP_A.slice(0, 20), sig: sent[1].ChallengeResponses.PASSWORD_CLAIM_SIGNATURE });
      if (i >= vectors.length) { out.a.push(marks[0] - t0); out.claim.push(marks[1] - marks[0]); out.total.push(t1 - t0); }
    }
  } finally {
    globalThis.fetch = realFetch; crypto.getRandomValues = realRandom; Date.now = realNow;
  }
  const med = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
  return { ok: out.ok, bad: out.bad, aMs: med(out.a), claimMs: med(out.claim), shareMs: med(out.a) + med(out.claim), totalMs: med(out.total) };
}
