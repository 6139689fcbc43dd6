// The signing playground: signs or presigns the form's request in the page and
// shows the canonical request, string to sign, headers and URL.
import init, { Signer } from "cognito-sigv4/user-pool";
import { startLive } from "./live.js";

await init();
await startLive();

const $ = (id) => document.getElementById(id);

function parseHeaders(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const i = line.indexOf(":");
      return i < 0 ? [line, ""] : [line.slice(0, i).trim(), line.slice(i + 1).trim()];
    });
}

function show(result, error) {
  $("error").classList.toggle("hidden", !error);
  if (error) {
    $("error").innerHTML = "";
    const name = document.createElement("b");
    name.textContent = error.name;
    $("error").append(name, ": " + error.message);
  }
  $("canonicalRequest").textContent = result?.canonicalRequest ?? "";
  $("stringToSign").textContent = result?.stringToSign ?? "";
  $("signedHeaders").textContent = result?.headers ? JSON.stringify(result.headers, null, 2) : "";
  $("signedUrl").textContent = result?.url ?? "";
}

function run(presign) {
  try {
    const signer = new Signer({
      accessKeyId: $("accessKeyId").value.trim(),
      secretAccessKey: $("secretAccessKey").value.trim(),
      sessionToken: $("sessionToken").value.trim() || undefined,
      region: $("region").value.trim(),
      service: $("service").value.trim(),
    });
    const request = {
      method: $("method").value,
      url: $("url").value.trim(),
      headers: parseHeaders($("headers").value),
      body: presign || $("method").value === "GET" || $("method").value === "HEAD" ? undefined : $("body").value,
      expiresIn: Number($("expiresIn").value),
    };
    show(signer.explain(request, { presign }));
  } catch (error) {
    show(null, error);
  }
}

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(false);
});
$("presign").addEventListener("click", () => run(true));
run(false);
document.body.dataset.ready = "true";
