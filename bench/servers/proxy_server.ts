/**
 * The floor for this runtime: a bare pass-through proxy written with
 * `Deno.serve` + `fetch`, streaming the request body up and the response body
 * down, nothing else. In its own process.
 *
 * Prints one JSON line on stdout when ready: `{"url", "pid"}`.
 *
 * `deno run --allow-net bench/servers/proxy_server.ts <upstream base URL>`
 *
 * @module
 */
import { installMemoryProbe } from "./memory_probe.ts";

/** Hop-by-hop headers a proxy does not forward (and `host`, which names the proxy). */
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "host", "content-length"];

if (import.meta.main) {
  const upstream = Deno.args[0];
  if (upstream === undefined) {
    console.error("usage: proxy_server.ts <upstream base URL>");
    Deno.exit(2);
  }
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    for (const name of HOP_BY_HOP) headers.delete(name);
    try {
      const res = await fetch(upstream + url.pathname + url.search, {
        method: req.method,
        headers,
        body: req.body,
        signal: req.signal,
      });
      const out = new Headers(res.headers);
      for (const name of HOP_BY_HOP) out.delete(name);
      return new Response(res.body, { status: res.status, headers: out });
    } catch {
      return new Response("bad gateway", { status: 502 });
    }
  });
  installMemoryProbe();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.addr.port}`, pid: Deno.pid }));
}
