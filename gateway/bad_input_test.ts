/**
 * Bad input from the client side: each gets the documented Anthropic error,
 * the process never crashes, and nothing is logged that should not be.
 */
import { textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { type GatewayStack, startGatewayStack } from "../testing/gateway_stack.ts";

const encoder = new TextEncoder();

function post(
  stack: GatewayStack,
  body: BodyInit,
  headers: Record<string, string> = {},
  path = "/v1/messages",
) {
  return fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${stack.token}`,
      "content-type": "application/json",
      ...headers,
    },
    body,
  });
}

const COUNT_TOKENS = "/v1/messages/count_tokens";

async function expectError(response: Response, status: number, type: string, text?: string) {
  const raw = await response.text();
  assertEquals(response.status, status, raw);
  const body = JSON.parse(raw);
  assertEquals(body.type, "error");
  assertEquals(body.error.type, type);
  assertMatch(body.request_id);
  if (text !== undefined) assertStringIncludes(body.error.message, text);
}

function assertMatch(id: unknown) {
  assert(typeof id === "string" && /^req_[0-9a-f]{24}$/.test(id), `bad request id ${id}`);
}

/** Every log line is one JSON object on one line, with no raw control character. */
function assertCleanLogs(stack: GatewayStack, secrets: string[]) {
  for (const line of stack.logLines) {
    // deno-lint-ignore no-control-regex
    assert(!/[\u0000-\u001f\u007f]/.test(line), `control character in log line ${line}`);
    JSON.parse(line);
    for (const secret of secrets) {
      assert(!line.includes(secret), `log line leaks ${JSON.stringify(secret)}: ${line}`);
    }
  }
  assert(!stack.logs.some((r) => r.msg === "unhandled error"), "an unhandled error was logged");
}

const VALID = {
  model: "claude-sonnet-4-5-20250929",
  max_tokens: 16,
  messages: [{ role: "user", content: "Hi" }],
};

Deno.test("bad input: malformed JSON and wrong types are 400 invalid_request_error", async () => {
  await using stack = await startGatewayStack();
  const bodies: BodyInit[] = [
    "{",
    '{"model": }',
    "null",
    "42",
    "[]",
    JSON.stringify({ ...VALID, model: 42 }),
    JSON.stringify({ ...VALID, max_tokens: "16" }),
    JSON.stringify({ ...VALID, max_tokens: -1 }),
    JSON.stringify({ ...VALID, stream: "yes" }),
    JSON.stringify({ ...VALID, stream: 1 }),
    JSON.stringify({ ...VALID, messages: "Hi" }),
    JSON.stringify({ ...VALID, messages: [{ role: "bot", content: "x" }] }),
    JSON.stringify({ ...VALID, messages: [{ role: "user", content: 7 }] }),
    JSON.stringify({ ...VALID, messages: [{ role: "user", content: [{ text: "no type" }] }] }),
    JSON.stringify({ ...VALID, system: 5 }),
    JSON.stringify({ ...VALID, tools: { name: "x" } }),
    JSON.stringify({ ...VALID, tools: [{ description: "no name" }] }),
    JSON.stringify({ ...VALID, thinking: "on" }),
    JSON.stringify({ ...VALID, anthropic_beta: "x" }),
    "",
  ];
  for (const body of bodies) {
    await expectError(await post(stack, body), 400, "invalid_request_error");
  }
  // The message names what is wrong: a model of the wrong type is not a missing one.
  const wrongModel = await post(stack, JSON.stringify({ ...VALID, model: 42 }));
  assertEquals(
    (await wrongModel.json()).error.message,
    "model: Input should be a non-empty string",
  );
  assertEquals(stack.emulator.requests.length, 0);
  assertCleanLogs(stack, [stack.token]);
});

Deno.test("bad input: invalid UTF-8 is a 400", async () => {
  await using stack = await startGatewayStack();
  const bytes = new Uint8Array([
    ...encoder.encode('{"model":"'),
    0xff,
    0xfe,
    ...encoder.encode('"}'),
  ]);
  await expectError(await post(stack, bytes), 400, "invalid_request_error", "UTF-8");
});

Deno.test("bad input: huge bodies are 413, declared or streamed without a length", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MAX_BODY_BYTES: "65536" } });
  await expectError(
    await post(stack, JSON.stringify({ ...VALID, pad: "x".repeat(100_000) })),
    413,
    "request_too_large",
  );
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"pad":"'));
      for (let i = 0; i < 40; i++) controller.enqueue(encoder.encode("y".repeat(4096)));
      controller.enqueue(encoder.encode('"}'));
      controller.close();
    },
  });
  await expectError(await post(stack, chunks), 413, "request_too_large");
  assertEquals(stack.emulator.requests.length, 0);
});

Deno.test("bad input: deep nesting and too many messages/tools/system blocks are 400 naming the limit", async () => {
  await using stack = await startGatewayStack({
    env: {
      CCGATE_MAX_JSON_DEPTH: "32",
      CCGATE_MAX_MESSAGES: "4",
      CCGATE_MAX_TOOLS: "2",
      CCGATE_MAX_SYSTEM_BLOCKS: "1",
    },
  });
  const deep = `{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[],"x":${
    "[".repeat(100_000)
  }${"]".repeat(100_000)}}`;
  await expectError(await post(stack, deep), 400, "invalid_request_error", "deeper than 32");
  const message = { role: "user", content: "x" };
  await expectError(
    await post(stack, JSON.stringify({ ...VALID, messages: Array(5).fill(message) })),
    400,
    "invalid_request_error",
    "messages: 5 entries exceed",
  );
  const tool = { name: "t", input_schema: { type: "object" } };
  await expectError(
    await post(stack, JSON.stringify({ ...VALID, tools: [tool, tool, tool] })),
    400,
    "invalid_request_error",
    "tools: 3 entries",
  );
  await expectError(
    await post(
      stack,
      JSON.stringify({
        ...VALID,
        system: [{ type: "text", text: "a" }, { type: "text", text: "b" }],
      }),
    ),
    400,
    "invalid_request_error",
    "system: 2 entries",
  );
  // count_tokens holds the same limits.
  const body = JSON.stringify({ ...VALID, tools: [tool, tool, tool] });
  const counted = await post(stack, body, {}, COUNT_TOKENS);
  await expectError(counted, 400, "invalid_request_error", "tools: 3 entries");
  assertEquals(stack.emulator.requests.length, 0);
});

Deno.test("bad input: oversized headers are 400 (JSON from us, bare from the HTTP server beyond 64 KiB)", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MAX_HEADER_BYTES: "8192" } });
  await expectError(
    await post(stack, JSON.stringify(VALID), { "x-filler": "f".repeat(10_000) }),
    400,
    "invalid_request_error",
    "headers",
  );
  const huge = await post(stack, JSON.stringify(VALID), { "x-filler": "f".repeat(70_000) });
  assertEquals(huge.status, 400);
  await huge.body?.cancel();
  assertEquals(stack.emulator.requests.length, 0);
  assertEquals((await fetch(`${stack.url}/healthz`)).status, 200);
});

/** Sends raw bytes over TCP and returns everything the server answers until it closes. */
async function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(encoder.encode(request));
  let out = "";
  const buffer = new Uint8Array(16_384);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      out += new TextDecoder().decode(buffer.subarray(0, n));
    }
  } catch {
    // A reset after the answer counts as closed.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
  return out;
}

Deno.test("bad input: request smuggling (conflicting Content-Length / Transfer-Encoding) is refused at the HTTP layer", async () => {
  await using stack = await startGatewayStack();
  const body = JSON.stringify(VALID);
  const smuggled = `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`;
  const attempts = [
    `POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.token}\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    `POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.token}\r\nContent-Length: 4\r\nContent-Length: ${body.length}\r\n\r\n${body}${smuggled}`,
    `POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.token}\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: xchunked\r\n\r\n${body}`,
    `POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.token}\r\nTransfer-Encoding: chunked, identity\r\n\r\n${
      body.length.toString(16)
    }\r\n${body}\r\n0\r\n\r\n`,
    `POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length : 4\r\n\r\nabcd`,
  ];
  for (const attempt of attempts) {
    const answer = await raw(stack.url, attempt);
    assert(
      answer.startsWith("HTTP/1.1 400 "),
      `not refused: ${JSON.stringify(answer.slice(0, 80))}`,
    );
    assertEquals(answer.match(/HTTP\/1\.1 /g)?.length, 1, "the smuggled request got no answer");
    assertStringIncludes(answer.toLowerCase(), "connection: close");
  }
  assertEquals(stack.emulator.requests.length, 0);
  assertEquals(stack.logs.filter((r) => r.msg === "messages").length, 0);
  assertEquals((await fetch(`${stack.url}/healthz`)).status, 200);
});

Deno.test("bad input: spoofed x-forwarded-* and request-id headers change nothing and are not logged", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("ok"));
  const response = await post(stack, JSON.stringify(VALID), {
    "x-forwarded-for": "203.0.113.66, spoofed-forwarded-for",
    "x-forwarded-host": "spoofed-forwarded-host.example",
    "x-forwarded-proto": "gopher",
    forwarded: "for=spoofed-forwarded;host=spoofed-forwarded-host.example",
    "x-real-ip": "203.0.113.67",
    "request-id": "req_spoofedspoofedspoofed",
    "x-request-id": "spoofed-request-id",
  });
  assertEquals(response.status, 200);
  const id = response.headers.get("request-id");
  assertMatch(id);
  assert(id !== "req_spoofedspoofedspoofed");
  const text = await response.text();
  assert(!text.includes("spoofed"), "the answer echoes a spoofed header");
  const missing = await fetch(`${stack.url}/v1/nothing`, {
    headers: {
      "x-forwarded-host": "spoofed-forwarded-host.example",
      "x-forwarded-proto": "gopher",
    },
  });
  assert(!(await missing.text()).includes("spoofed"));
  assertCleanLogs(stack, ["spoofed", "203.0.113.6", "gopher"]);
});

const INJECTIONS = [
  'line one\nline two {"level":"error","msg":"forged"}',
  "\r\n\r\nHTTP/1.1 200 OK\r\n",
  "\u001b[31mred\u001b[0m\u001b]0;title\u0007",
  '"},{"msg":"forged","user":"admin',
  "\u2028\u2029\u0000\u007f",
];

Deno.test("bad input: log-injection strings in every field never forge a log line or leak content", async () => {
  await using stack = await startGatewayStack();
  const canary = "CANARY-PROMPT-7f3a";
  for (const [i, evil] of INJECTIONS.entries()) {
    const body = {
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 16,
      stream: i % 2 === 0,
      system: [{ type: "text", text: `${canary} ${evil}` }],
      messages: [
        { role: "user", content: `${canary} ${evil}` },
        { role: "assistant", content: [{ type: "text", text: evil }] },
        { role: "user", content: [{ type: "text", text: evil }] },
      ],
      tools: [{ name: evil, description: evil, input_schema: { type: "object", [evil]: evil } }],
      metadata: { user_id: evil },
      [evil]: evil,
      anthropic_beta: [evil],
    };
    const response = await post(stack, JSON.stringify(body), {
      "anthropic-beta": encodeURIComponent(evil),
      "user-agent": encodeURIComponent(evil),
      "x-request-id": encodeURIComponent(evil),
    });
    assertEquals(response.status, 200, `injection ${i}`);
    const dropped = response.headers.get("x-ccgate-dropped") ?? "";
    assert(/^[\x20-\x7e]*$/.test(dropped), "x-ccgate-dropped is printable ASCII");
    await response.text();

    await expectError(
      await post(stack, JSON.stringify({ ...VALID, model: `${evil}${canary}` })),
      404,
      "not_found_error",
    );
    await expectError(
      await post(stack, JSON.stringify({ ...VALID, messages: [{ role: evil, content: canary }] })),
      400,
      "invalid_request_error",
    );
    await expectError(
      await fetch(`${stack.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${encodeURIComponent(evil)}${canary}` },
        body: "{}",
      }),
      401,
      "authentication_error",
    );
  }
  // Every request is recorded once: the answered one, the 404 and the 400 of each injection.
  assertEquals(
    stack.logs.filter((r) => r.msg === "messages" && r.status === 200).length,
    INJECTIONS.length,
  );
  assertEquals(stack.logs.filter((r) => r.msg === "messages").length, 3 * INJECTIONS.length);
  assertCleanLogs(stack, [canary, stack.token, "forged", "title", "admin"]);
  assertEquals((await fetch(`${stack.url}/healthz`)).status, 200);
});

Deno.test("bad input: a model name past 512 characters is a 400 on every model route, and the usage ledger goes on", async () => {
  await using stack = await startGatewayStack();
  const long = `claude-${"a".repeat(40_000)}`;
  await expectError(
    await post(stack, JSON.stringify({ ...VALID, model: long })),
    400,
    "invalid_request_error",
    "model: at most 512 characters",
  );
  const counted = await post(stack, JSON.stringify({ ...VALID, model: long }), {}, COUNT_TOKENS);
  await expectError(counted, 400, "invalid_request_error", "model: at most 512 characters");
  const arn = `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/${
    "a".repeat(2_500)
  }`;
  const native = await fetch(`${stack.url}/model/${encodeURIComponent(arn)}/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 8,
      messages: VALID.messages,
    }),
  });
  assertEquals(native.status, 400);
  await native.body?.cancel();

  stack.emulator.enqueue(textAnswer("fine"));
  const ok = await post(stack, JSON.stringify(VALID));
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
  await stack.ledger.durable(); // would throw if a commit failed
  assertEquals(stack.ledger.buffered, 0);
  assertCleanLogs(stack, [long.slice(0, 600)]);
});
