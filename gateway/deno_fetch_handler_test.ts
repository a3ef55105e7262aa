import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { DenoFetchHandler, type SdkHttpRequest } from "./deno_fetch_handler.ts";
import { BODY_SIGNALS } from "./event_stream_reader.ts";

/** A server on a real socket; `/slow` sends its headers, then never finishes the body. */
function server() {
  const seen: { url: string; body: string; headers: Headers }[] = [];
  const s = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({ url: req.url, body: await req.text(), headers: req.headers });
    const path = new URL(req.url).pathname;
    if (path === "/stream") {
      return new Response(new Uint8Array([0, 0, 0, 16]), {
        headers: { "content-type": "application/vnd.amazon.eventstream" },
      });
    }
    if (path === "/slow") {
      return new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array([123])) }), {
        headers: { "content-type": "application/json" },
      });
    }
    return Response.json({ ok: true }, { status: path === "/throttled" ? 429 : 200 });
  });
  return { seen, port: s.addr.port, [Symbol.asyncDispose]: () => s.shutdown() };
}

const request = (port: number, path: string, extra: Partial<SdkHttpRequest> = {}) => ({
  method: "POST",
  protocol: "http:",
  hostname: "127.0.0.1",
  port,
  path,
  headers: { "content-type": "application/json", "x-amz-date": "20261130T000000Z" },
  body: new TextEncoder().encode('{"a":1}'),
  ...extra,
});

Deno.test("DenoFetchHandler.handle() sends the signed request and hands a JSON answer over as bytes", async () => {
  await using s = server();
  const { response } = await new DenoFetchHandler().handle(
    request(s.port, "/model/m%3A0/invoke", { query: { b: "2", a: ["x y", "z"], flag: null } }),
  );
  assertEquals(response.statusCode, 200);
  assertEquals(response.headers["content-type"], "application/json");
  assert(response.body instanceof Uint8Array);
  assertEquals(JSON.parse(new TextDecoder().decode(response.body)), { ok: true });
  const [seen] = s.seen;
  assertEquals(
    new URL(seen!.url).pathname + new URL(seen!.url).search,
    "/model/m%3A0/invoke?a=x%20y&a=z&b=2&flag",
  );
  assertEquals(seen!.body, '{"a":1}');
  assertEquals(seen!.headers.get("x-amz-date"), "20261130T000000Z");
});

Deno.test("DenoFetchHandler.handle() hands an error answer over with its status, for the SDK to map", async () => {
  await using s = server();
  const { response } = await new DenoFetchHandler().handle(request(s.port, "/throttled"));
  assertEquals(response.statusCode, 429);
  assert(response.body instanceof Uint8Array);
});

Deno.test("DenoFetchHandler.handle() hands an event stream over unread, its signal noted for the reader", async () => {
  await using s = server();
  const controller = new AbortController();
  const { response } = await new DenoFetchHandler().handle(request(s.port, "/stream"), {
    abortSignal: controller.signal,
  });
  assert(response.body instanceof ReadableStream);
  assertEquals(BODY_SIGNALS.get(response.body), controller.signal);
  await response.body.cancel();
});

Deno.test("DenoFetchHandler.handle() rejects with an AbortError when aborted before or during the answer", async () => {
  await using s = server();
  const handler = new DenoFetchHandler();
  const before = new AbortController();
  before.abort(new Error("client went away"));
  const early = await assertRejects(
    () => handler.handle(request(s.port, "/"), { abortSignal: before.signal }),
    Error,
    "Request aborted",
  );
  assertEquals(early.name, "AbortError");
  assertEquals(s.seen.length, 0, "nothing was sent");

  const during = new AbortController();
  const pending = handler.handle(request(s.port, "/slow"), { abortSignal: during.signal });
  // The headers of /slow have arrived once the server saw the request; its body never ends.
  while (s.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  during.abort();
  const late = await assertRejects(() => pending, Error, "Request aborted");
  assertEquals(late.name, "AbortError");
});

Deno.test("DenoFetchHandler.handle() speaks HTTP/1.1 to an endpoint that offers HTTP/2", async () => {
  // A TLS endpoint offering h2 and http/1.1, as Bedrock's do, answering one HTTP/1.1 request.
  const tls = new URL("../testing/tls/", import.meta.url);
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(new URL("cert.pem", tls)),
    key: await Deno.readTextFile(new URL("key.pem", tls)),
    alpnProtocols: ["h2", "http/1.1"],
  });
  const negotiated: (string | null)[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      const { alpnProtocol } = await conn.handshake();
      negotiated.push(alpnProtocol);
      if (alpnProtocol === "http/1.1") {
        const head = new Uint8Array(4096);
        await conn.read(head);
        await conn.write(new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
        ));
      }
      conn.close();
    }
  })();
  const caCerts = [await Deno.readTextFile(new URL("ca.pem", tls))];
  const port = (listener.addr as Deno.NetAddr).port;
  const handler = new DenoFetchHandler({ client: { caCerts } });
  try {
    const { response } = await handler.handle({
      ...request(port, "/model/m/invoke"),
      protocol: "https:",
    });
    assertEquals(response.statusCode, 200);
    assertEquals(negotiated, ["http/1.1"]);
    // The control: a client left to its defaults takes the endpoint's HTTP/2.
    const defaults = Deno.createHttpClient({ caCerts });
    await fetch(`https://127.0.0.1:${port}/`, { client: defaults }).catch(() => {});
    defaults.close();
    assertEquals(negotiated, ["http/1.1", "h2"]);
  } finally {
    handler.destroy();
    listener.close();
    await serving.catch(() => {});
  }
});
