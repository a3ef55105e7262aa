import { assertEquals, assertRejects } from "../testing/assert.ts";
import { InvalidRequestError, RequestTooLargeError } from "./errors.ts";
import { readJsonBody } from "./read_json_body.ts";

const encoder = new TextEncoder();

function post(body: BodyInit): Request {
  return new Request("http://gateway.test/v1/messages", { method: "POST", body });
}

Deno.test("readJsonBody() returns the value, its byte length and the bytes it was parsed from", async () => {
  const bytes = encoder.encode('{"text":"héllo \uFFFD"}');
  const { value, bytes: size, raw } = await readJsonBody(post(bytes), 1024);
  assertEquals(value, { text: "héllo \uFFFD" });
  assertEquals(size, bytes.byteLength);
  assertEquals(raw, bytes);
});

Deno.test("readJsonBody() refuses invalid UTF-8, with or without a genuine U+FFFD beside it", async () => {
  for (const prefix of ['{"a":"', '{"a":"\uFFFD']) {
    const bytes = new Uint8Array([...encoder.encode(prefix), 0xff, 0xfe, ...encoder.encode('"}')]);
    await assertRejects(
      () => readJsonBody(post(bytes), 1024),
      InvalidRequestError,
      "Request body is not valid UTF-8",
    );
  }
});

Deno.test("readJsonBody() reads a body that arrives in several chunks", async () => {
  const text = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(5000) }] });
  const bytes = encoder.encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
      controller.close();
    },
  });
  const { value, raw } = await readJsonBody(post(stream), 10_000);
  assertEquals(value, JSON.parse(text));
  assertEquals(raw, bytes);
});

Deno.test("readJsonBody() refuses a body past the limit, declared or not", async () => {
  const bytes = encoder.encode(JSON.stringify({ text: "x".repeat(2000) }));
  const declared = new Request("http://gateway.test/v1/messages", {
    method: "POST",
    body: bytes,
    headers: { "content-length": String(bytes.byteLength) },
  });
  await assertRejects(() => readJsonBody(declared, 1000), RequestTooLargeError);
  // A declared length under the limit does not let a longer body through.
  const understated = new Request("http://gateway.test/v1/messages", {
    method: "POST",
    body: bytes,
    headers: { "content-length": "10" },
  });
  await assertRejects(() => readJsonBody(understated, 1000), RequestTooLargeError);
  const undeclared = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(bytes.slice(0, 500)); // never ends: refused once past the limit
    },
  });
  await assertRejects(() => readJsonBody(post(undeclared), 1000), RequestTooLargeError);
});

Deno.test("readJsonBody() reads declared-length bodies from a real connection, short or long", async () => {
  // 80 KB is read whole; 600 KB (a long conversation) chunk by chunk.
  for (const characters of [40_000, 300_000]) {
    const text = JSON.stringify({ messages: [{ role: "user", content: "é".repeat(characters) }] });
    let seen: { value: unknown; bytes: number; raw: Uint8Array } | undefined;
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (req) => {
        seen = await readJsonBody(req, 1_000_000);
        return new Response("ok");
      },
    );
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
      method: "POST",
      body: text,
    });
    assertEquals(await response.text(), "ok");
    assertEquals(seen?.value, JSON.parse(text));
    assertEquals(seen?.bytes, encoder.encode(text).byteLength);
    assertEquals(seen?.raw, encoder.encode(text));
  }
});

Deno.test("readJsonBody() reads a declared body past 128 KiB through its stream, not whole", async () => {
  // After a whole read Deno's server keeps far more memory for the connection (see
  // WHOLE_READ_BYTES): the memory of every long stream depends on this path.
  class Counted extends Request {
    whole = 0;
    override bytes(): Promise<Uint8Array<ArrayBuffer>> {
      this.whole++;
      return super.bytes();
    }
  }
  const read = async (characters: number) => {
    const body = encoder.encode(JSON.stringify({ text: "x".repeat(characters) }));
    const request = new Counted("http://gateway.test/v1/messages", {
      method: "POST",
      body,
      headers: { "content-length": String(body.byteLength) },
    });
    const { value } = await readJsonBody(request, 1_000_000);
    assertEquals((value.text as string).length, characters);
    return request.whole;
  };
  assertEquals(await read(100_000), 1, "100 KB: whole");
  assertEquals(await read(200_000), 0, "200 KB: through its stream");
});

Deno.test("readJsonBody() refuses a long declared body past the limit, or not UTF-8, from a real connection", async () => {
  const long = encoder.encode(JSON.stringify({ text: "x".repeat(300_000) }));
  const invalid = long.slice();
  invalid[200_000] = 0xff;
  const errors: unknown[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const limit = Number(new URL(req.url).searchParams.get("limit"));
      await readJsonBody(req, limit).catch((err) => errors.push(err));
      return new Response("ok");
    },
  );
  for (const [body, limit] of [[long, 250_000], [invalid, 1_000_000]] as const) {
    const url = `http://127.0.0.1:${server.addr.port}/?limit=${limit}`;
    await (await fetch(url, { method: "POST", body })).body?.cancel();
  }
  assertEquals(errors.map((err) => (err as Error).constructor), [
    RequestTooLargeError,
    InvalidRequestError,
  ]);
});

Deno.test("readJsonBody() refuses a body whose connection closes before its declared end with a 400, short or long", async () => {
  // 500 bytes declared, 91 sent, then the client hangs up: read whole (short) or chunk by chunk.
  for (const declared of [500, 200_000]) {
    const failure = Promise.withResolvers<unknown>();
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (req) => {
        try {
          await readJsonBody(req, 1_000_000);
          failure.resolve(undefined);
        } catch (err) {
          failure.resolve(err);
        }
        return new Response("ok");
      },
    );
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(encoder.encode(
      `POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`,
    ));
    await conn.write(encoder.encode(`{"messages":[{"role":"user","content":"${"x".repeat(56)}`));
    conn.close();
    const err = await failure.promise;
    assertEquals(err instanceof InvalidRequestError, true, String(err));
    assertEquals((err as InvalidRequestError).status, 400);
  }
});

Deno.test("readJsonBody() refuses a body stream that fails mid-way with a 400", async () => {
  const broken = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"messages":['));
      controller.error(new Deno.errors.BadResource("connection closed"));
    },
  });
  const err = await assertRejects(() => readJsonBody(post(broken), 1000), InvalidRequestError);
  assertEquals(err.message, "Request body is incomplete: the connection closed before its end");
});
