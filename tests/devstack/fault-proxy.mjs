// The devstack's fault-injecting proxy: stands between the SDK and one
// devstack service and, as a rule decides per request, forwards it as is or
// answers with a fault, the way networks and AWS services fail:
//   { kind: "latency", ms }        forwarded after a delay
//   { kind: "reset" }              the connection dropped before any answer
//   { kind: "truncate" }           the answer cut off mid-body (Content-Length kept: a failed read)
//   { kind: "truncate-close" }     half the body, then a clean close with no length (looks whole)
//   { kind: "status", status, retryAfter? }   500/502/503/429 in the service's own error format
//   { kind: "stall" }              the request is taken and never answered
//   { kind: "stall-body" }         the head and half the body, then nothing more
// A skewed server clock is the devstack's own (DEVSTACK_CLOCK_OFFSET_SECS),
// so that every check and Date header agrees. Headers (Host included) pass
// unchanged: the devstack verifies the signature made for the proxy's address.
// Started by the tests (tests/js/faults.test.mjs) and the soak (bench/soak.mjs).
import { createServer, request } from "node:http";

/** The error body each service answers a failure with. */
const FORMATS = {
  // Cognito Identity, STS, Cognito IdP: AWS JSON 1.1.
  json: (status) => ({
    type: "application/x-amz-json-1.1",
    body: JSON.stringify(status === 429 ? { __type: "TooManyRequestsException", message: "Rate exceeded" } : { __type: status === 500 ? "InternalErrorException" : "ServiceUnavailableException", message: "We encountered an internal error. Please try again." }),
  }),
  // API Gateway.
  apigw: (status) => ({ type: "application/json", body: JSON.stringify({ message: status === 429 ? "Too Many Requests" : status === 502 ? "Internal server error" : "Service Unavailable" }) }),
  // S3.
  xml: (status) => ({
    type: "application/xml",
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${status === 500 ? "InternalError" : status === 429 ? "TooManyRequests" : "SlowDown"}</Code><Message>Please reduce your request rate.</Message><RequestId>FAULT</RequestId></Error>`,
  }),
};

/**
 * Proxies `target` (http://host:port) on a free 127.0.0.1 port. `format` is
 * the service's error format (json, apigw, xml). Resolves to
 * { url, rule, stats, close }: set `proxy.rule = (req) => fault | null`
 * (req: { method, path, target: X-Amz-Target, n: this proxy's request count });
 * `stats` counts requests, faults injected per kind and answers per status.
 */
export async function startFaultProxy(target, format = "json") {
  const upstream = new URL(target);
  const stats = { requests: 0, injected: {}, statuses: {}, targets: {} };
  const open = new Set();
  const proxy = { rule: () => null, stats, url: "", close };

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const amzTarget = req.headers["x-amz-target"]?.split(".").pop();
    stats.requests++;
    if (amzTarget) stats.targets[amzTarget] = (stats.targets[amzTarget] ?? 0) + 1;
    const fault = proxy.rule({ method: req.method, path: req.url, target: amzTarget, n: stats.requests });
    if (fault) stats.injected[fault.kind] = (stats.injected[fault.kind] ?? 0) + 1;
    const count = (status) => (stats.statuses[status] = (stats.statuses[status] ?? 0) + 1);
    switch (fault?.kind) {
      case "reset":
        return req.socket.destroy();
      case "stall":
        return; // never answered; closed with the proxy
      case "status": {
        const { type, body: text } = FORMATS[format](fault.status);
        const headers = { "content-type": type, "content-length": Buffer.byteLength(text) };
        if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
        count(fault.status);
        return res.writeHead(fault.status, headers).end(text);
      }
      case "latency":
        await new Promise((r) => setTimeout(r, fault.ms));
    }
    let answer;
    try {
      answer = await forward(upstream, req, body);
    } catch {
      return req.socket.destroy();
    }
    count(answer.status);
    const half = answer.body.subarray(0, Math.max(1, answer.body.length >> 1));
    switch (fault?.kind) {
      case "truncate":
        res.writeHead(answer.status, { ...answer.headers, "content-length": answer.body.length });
        res.write(half);
        return setTimeout(() => req.socket.destroy(), 20);
      case "truncate-close": {
        const { "content-length": _, "transfer-encoding": __, ...headers } = answer.headers;
        // HTTP/1.0-style: the body ends where the connection does.
        res.useChunkedEncodingByDefault = false;
        res.shouldKeepAlive = false;
        res.writeHead(answer.status, { ...headers, connection: "close" });
        return res.end(half);
      }
      case "stall-body":
        res.writeHead(answer.status, { ...answer.headers, "content-length": answer.body.length });
        return res.write(half);
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  server.on("connection", (socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}`;

  function close() {
    for (const s of open) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  }
  return proxy;
}

/** The request as it came, to the devstack; the whole answer. */
function forward(upstream, req, body) {
  return new Promise((resolve, reject) => {
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const chunks = [];
      answer.on("data", (c) => chunks.push(c));
      answer.on("end", () => {
        const { connection, "keep-alive": _, "transfer-encoding": __, ...headers } = answer.headers;
        const whole = Buffer.concat(chunks);
        resolve({ status: answer.statusCode, headers: { ...headers, "content-length": whole.length }, body: whole });
      });
      answer.on("error", reject);
    });
    out.on("error", reject);
    out.end(body);
  });
}
