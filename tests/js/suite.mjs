// Runs the official AWS SigV4 test suite through the built package. Shared by
// the Node test (reads files from ../shared) and the Chromium test (receives the
// same cases as JSON). Mirrors tests/common/mod.rs.

/** `20150830T123600Z` to epoch milliseconds. */
export function parseAmzDate(amz) {
  return Date.UTC(+amz.slice(0, 4), +amz.slice(4, 6) - 1, +amz.slice(6, 8), +amz.slice(9, 11), +amz.slice(11, 13), +amz.slice(13, 15));
}

/** `.req` text to { method, url, headers: [[n, v]], body, date, token }. */
export function parseReq(req) {
  const split = req.indexOf("\n\n");
  const head = split < 0 ? req : req.slice(0, split);
  const body = split < 0 ? "" : req.slice(split + 2);
  const lines = head.split("\n");
  const requestLine = lines.shift();
  const method = requestLine.slice(0, requestLine.indexOf(" "));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(" HTTP/"));
  const headers = [];
  for (const line of lines) {
    // A continuation line is another value of the header above; the suite joins them with commas.
    if (/^[ \t]/.test(line)) headers.push([headers[headers.length - 1][0], line.trim()]);
    else {
      const i = line.indexOf(":");
      headers.push([line.slice(0, i), line.slice(i + 1)]);
    }
  }
  const take = (name) => {
    const i = headers.findIndex(([n]) => n.toLowerCase() === name);
    return i < 0 ? undefined : headers.splice(i, 1)[0][1];
  };
  const host = take("host");
  const amz = take("x-amz-date");
  const date = parseAmzDate(amz);
  const token = take("x-amz-security-token");
  return { method, target, host, headers, body, date, token };
}

/**
 * Signs one case with `Signer` and returns a list of mismatches (empty = pass).
 * The URL goes in as the raw request target: the suite's paths (a space, `ሴ`,
 * `..`) are what is on the wire, and Signer.explain must not re-normalize them,
 * so this calls the low-level path with `rawUrl`.
 */
export function checkCase(Signer, name, files) {
  const c = parseReq(files.req);
  const signer = new Signer({
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    sessionToken: c.token,
    region: "us-east-1",
    service: "service",
  });
  const out = signer.explain({
    method: c.method,
    url: `https://${c.host}${c.target}`,
    rawUrl: true,
    headers: c.headers,
    body: c.body || undefined,
    date: c.date,
  });
  const problems = [];
  if (out.canonicalRequest !== files.creq.trimEnd()) problems.push(`${name}: canonical request\n${out.canonicalRequest}\n--- expected\n${files.creq}`);
  if (out.stringToSign !== files.sts.trimEnd()) problems.push(`${name}: string to sign\n${out.stringToSign}`);
  if (out.headers.authorization !== files.authz.trimEnd()) problems.push(`${name}: authorization ${out.headers.authorization}`);
  return problems;
}
