import * as sdk from "@aws-sdk/client-bedrock-runtime";
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../../testing/assert.ts";
import type { BedrockExceptionName } from "./bedrock_exceptions.ts";
import { startBedrockEmulator } from "./bedrock_emulator.ts";
import { answerScript, errorScript, hangScript } from "./scripts.ts";
import { textAnswer } from "./text_answer.ts";
import { thinkingAnswer } from "./thinking_answer.ts";
import { toolUseAnswer } from "./tool_use_answer.ts";
import type { AnthropicStreamEvent } from "./types.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const BODY = {
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 256,
  messages: [{ role: "user", content: "Say hello" }],
};
/**
 * How the SDK client reaches the emulator:
 * - "fetch": `FetchHttpHandler` (HTTP/1.1 over Deno's fetch), what the gateway uses;
 * - "h2": the SDK's default `NodeHttp2Handler` (h2c, prior knowledge) with shared sessions;
 * - "default": the SDK's default configuration untouched (NodeHttp2Handler, isolated sessions).
 *
 * Under Deno the default configuration truncates event streams: for an event stream (and, with
 * the client's default `disableConcurrentStreams: true`, for every call) the handler closes its
 * HTTP/2 session as soon as response headers arrive, and Deno's `node:http2` then drops the rest
 * of the body and ends the stream without an error. So streamed bodies are only tested through
 * "fetch"; "h2"/"default" cover h2c requests whose outcome does not depend on that race.
 */
type Handler = "fetch" | "h2" | "default";

function clientFor(url: string, handler: Handler): BedrockRuntimeClient & Disposable {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
    maxAttempts: 1,
    ...(handler === "fetch" ? { requestHandler: new FetchHttpHandler() } : {}),
    ...(handler === "h2" ? { requestHandler: { disableConcurrentStreams: false } } : {}),
  });
  return Object.assign(client, { [Symbol.dispose]: () => client.destroy() });
}

function invoke(client: BedrockRuntimeClient, body: unknown = BODY, modelId = MODEL) {
  return client.send(
    new InvokeModelCommand({
      modelId,
      body: JSON.stringify(body),
      contentType: "application/json",
      accept: "application/json",
    }),
  );
}

function stream(
  client: BedrockRuntimeClient,
  body: unknown = BODY,
  abortSignal?: AbortSignal,
  modelId = MODEL,
) {
  return client.send(
    new InvokeModelWithResponseStreamCommand({
      modelId,
      body: JSON.stringify(body),
      contentType: "application/json",
      accept: "application/json",
    }),
    { abortSignal },
  );
}

async function collect(
  body: AsyncIterable<sdk.ResponseStream> | undefined,
  into: AnthropicStreamEvent[] = [],
): Promise<AnthropicStreamEvent[]> {
  assert(body !== undefined, "stream has a body");
  for await (const event of body) {
    assert(event.chunk?.bytes !== undefined, "every event is a chunk");
    into.push(JSON.parse(new TextDecoder().decode(event.chunk.bytes)));
  }
  return into;
}

/** Removes the timing-dependent latencies from the final event's invocation metrics. */
function withoutLatency(events: AnthropicStreamEvent[]): unknown[] {
  return events.map((e) => {
    if (e.type !== "message_stop" || !e["amazon-bedrock-invocationMetrics"]) return e;
    const { invocationLatency: _i, firstByteLatency: _f, ...metrics } =
      e["amazon-bedrock-invocationMetrics"];
    return { ...e, "amazon-bedrock-invocationMetrics": metrics };
  });
}

for (const handler of ["fetch", "h2"] as const) {
  Deno.test(`startBedrockEmulator() answers InvokeModel with the folded message (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    emulator.enqueue(
      textAnswer("Hello there", {
        usage: { input_tokens: 21, output_tokens: 4, cache_read_input_tokens: 7 },
      }),
    );
    const response = await invoke(client);
    assertEquals(JSON.parse(new TextDecoder().decode(response.body)), {
      id: "msg_bdrk_emulated",
      type: "message",
      role: "assistant",
      model: "claude-emulated",
      content: [{ type: "text", text: "Hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 21,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 7,
        output_tokens: 4,
      },
    });
    assertEquals(response.contentType, "application/json");
    assertEquals(response.$metadata.httpStatusCode, 200);
    assertMatch(response.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
  });

  Deno.test(`startBedrockEmulator() records the request with its SigV4 signature (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    await invoke(client);
    const [record] = await emulator.waitForRequests(1);
    assert(record !== undefined);
    assertEquals(record.method, "POST");
    assertEquals(record.path, `/model/${encodeURIComponent(MODEL)}/invoke`);
    assertEquals(record.operation, "InvokeModel");
    assertEquals(record.modelId, MODEL);
    assertEquals(record.json, BODY);
    assertEquals(JSON.parse(record.bodyText), BODY);
    assertEquals(record.signed, true);
    assert(record.auth.scheme === "sigv4");
    assertEquals(record.auth.accessKeyId, "AKIDEMULATOR");
    assertEquals(record.auth.region, "us-east-1");
    assertEquals(record.auth.service, "bedrock");
    assert(record.auth.signedHeaders.includes("x-amz-date"));
    assertMatch(record.headers["x-amz-date"] ?? "", /^\d{8}T\d{6}Z$/);
    assertEquals(record.protocol, handler === "h2" ? "HTTP/2" : "HTTP/1.1");
    assertEquals(record.status, 200);
    assertEquals(await record.closed, "completed");
  });

  Deno.test(`startBedrockEmulator() answers scripted HTTP errors (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    emulator.enqueue(errorScript("ThrottlingException", { message: "Slow down" }));
    const err = await assertRejects(() => invoke(client), sdk.ThrottlingException, "Slow down");
    assertEquals(err.$metadata.httpStatusCode, 429);
  });
}

for (const handler of ["fetch", "default"] as const) {
  Deno.test(`startBedrockEmulator() observes a client that gives up on a request that hangs (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    emulator.enqueue(hangScript());
    const controller = new AbortController();
    const pending = stream(client, BODY, controller.signal);
    const [record] = await emulator.waitForRequests(1);
    controller.abort();
    await assertRejects(() => pending, Error);
    assertEquals(await record?.closed, "aborted");
  });
}

Deno.test("BedrockRuntimeClient uses NodeHttp2Handler by default under Deno", () => {
  using client = clientFor("http://127.0.0.1:1", "default");
  assertEquals(client.config.requestHandler.constructor.name, "NodeHttp2Handler");
});

// Streamed bodies: FetchHttpHandler only (see `Handler` for why not the SDK's default).
for (const handler of ["fetch"] as const) {
  Deno.test(`startBedrockEmulator() streams every event back through the SDK, with invocation metrics (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    const script = thinkingAnswer({ thinking: "Hmm, a greeting.", text: "Hello there!" }, {
      usage: {
        input_tokens: 30,
        output_tokens: 9,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 50,
      },
    });
    emulator.enqueue(script);
    const response = await stream(client);
    assertEquals(response.contentType, "application/json");
    const events = await collect(response.body);
    assertEquals(withoutLatency(events), [
      ...script.slice(0, -1),
      {
        type: "message_stop",
        "amazon-bedrock-invocationMetrics": {
          inputTokenCount: 30,
          outputTokenCount: 9,
          cacheReadInputTokenCount: 100,
          cacheWriteInputTokenCount: 50,
        },
      },
    ]);
    const last = events.at(-1);
    assert(last?.type === "message_stop");
    const metrics = last["amazon-bedrock-invocationMetrics"];
    assert(metrics !== undefined && metrics.invocationLatency >= metrics.firstByteLatency);
    const [record] = emulator.requests;
    assertEquals(await record?.closed, "completed");
    assertEquals(record?.framesSent, script.length);
  });

  Deno.test(`startBedrockEmulator() streams tool_use input as partial JSON (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    const script = toolUseAnswer({
      name: "Bash",
      input: { command: "ls -la /tmp" },
      jsonChunkSize: 5,
    });
    emulator.enqueue(answerScript(script, { paceMs: 1, firstByteDelayMs: 1 }));
    const events = await collect((await stream(client)).body);
    assertEquals(withoutLatency(events).slice(0, -1), script.slice(0, -1));
    const json = events.flatMap((e) =>
      e.type === "content_block_delta" && e.delta.type === "input_json_delta"
        ? [e.delta.partial_json]
        : []
    ).join("");
    assertEquals(JSON.parse(json), { command: "ls -la /tmp" });
  });

  Deno.test(`startBedrockEmulator() turns a mid-stream failure into ModelStreamErrorException during iteration (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    emulator.enqueue(
      answerScript(textAnswer("one two three"), {
        failAfter: { events: 3, message: "Stream broke" },
      }),
    );
    const response = await stream(client);
    const received: AnthropicStreamEvent[] = [];
    const err = await assertRejects(
      () => collect(response.body, received),
      sdk.ModelStreamErrorException,
      "Stream broke",
    );
    assertEquals(err.name, "ModelStreamErrorException");
    assertEquals(received.map((e) => e.type), [
      "message_start",
      "content_block_start",
      "content_block_delta",
    ]);
    assertEquals(emulator.requests[0]?.exception, "ModelStreamErrorException");
  });

  Deno.test(`startBedrockEmulator() observes a client that aborts after the first chunk (${handler} handler)`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, handler);
    // The emulator goes silent after two events, so the abort always lands mid-stream.
    emulator.enqueue(answerScript(textAnswer("never finished"), { hangAfter: 2 }));
    const controller = new AbortController();
    const response = await stream(client, BODY, controller.signal);
    const iterator = response.body![Symbol.asyncIterator]();
    const first = await iterator.next();
    assertEquals(first.done, false);
    controller.abort();
    const [record] = await emulator.waitForRequests(1);
    assertEquals(await record?.closed, "aborted");
    // Frames already received may still come out; then the iteration ends or throws.
    try {
      while (!(await iterator.next()).done) continue;
    } catch {
      // an AbortError: fine
    }
  });
}

// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => sdk.BedrockRuntimeServiceException;

const HTTP_ERRORS: [BedrockExceptionName, number, ErrorClass][] = [
  ["ValidationException", 400, sdk.ValidationException],
  ["ServiceQuotaExceededException", 400, sdk.ServiceQuotaExceededException],
  ["AccessDeniedException", 403, sdk.AccessDeniedException],
  ["ResourceNotFoundException", 404, sdk.ResourceNotFoundException],
  ["ModelTimeoutException", 408, sdk.ModelTimeoutException],
  ["ModelErrorException", 424, sdk.ModelErrorException],
  ["ThrottlingException", 429, sdk.ThrottlingException],
  ["ModelNotReadyException", 429, sdk.ModelNotReadyException],
  ["InternalServerException", 500, sdk.InternalServerException],
  ["ServiceUnavailableException", 503, sdk.ServiceUnavailableException],
];

for (const [name, status, ErrorClass] of HTTP_ERRORS) {
  Deno.test(`startBedrockEmulator() answers a scripted ${name} that the SDK surfaces as its class`, async () => {
    await using emulator = await startBedrockEmulator();
    using client = clientFor(emulator.url, "fetch");
    emulator.enqueue(
      errorScript(name, { message: `scripted ${name}` }),
      errorScript(name, { message: `scripted ${name} (stream)` }),
    );
    const err = await assertRejects(() => invoke(client), ErrorClass, `scripted ${name}`);
    assertEquals(err.name, name);
    assertEquals(err.$metadata.httpStatusCode, status);
    const streamErr = await assertRejects(() => stream(client), ErrorClass, "(stream)");
    assertEquals(streamErr.$metadata.httpStatusCode, status);
    assertEquals(emulator.requests.map((r) => [r.status, r.exception]), [
      [status, name],
      [status, name],
    ]);
  });
}

Deno.test("startBedrockEmulator() sends mid-stream exceptions of the scripted type", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  const streamErrors: [BedrockExceptionName, ErrorClass][] = [
    ["ThrottlingException", sdk.ThrottlingException],
    ["InternalServerException", sdk.InternalServerException],
    ["ServiceUnavailableException", sdk.ServiceUnavailableException],
    ["ModelTimeoutException", sdk.ModelTimeoutException],
    ["ValidationException", sdk.ValidationException],
  ];
  for (const [name, ErrorClass] of streamErrors) {
    emulator.enqueue(answerScript(textAnswer("hi"), { failAfter: { events: 1, exception: name } }));
    const response = await stream(client);
    const err = await assertRejects(() => collect(response.body), ErrorClass);
    assertEquals(err.name, name);
  }
});

Deno.test("startBedrockEmulator() fails InvokeModel with the HTTP error of a scripted mid-stream failure", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  emulator.enqueue(answerScript(textAnswer("hi"), { failAfter: { events: 1 } }));
  const err = await assertRejects(() => invoke(client), sdk.ModelStreamErrorException);
  assertEquals(err.$metadata.httpStatusCode, 424);
});

Deno.test("startBedrockEmulator() rejects model and stream in the body like Bedrock", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  emulator.enqueue(textAnswer("not used"));
  const err = await assertRejects(
    () => stream(client, { ...BODY, model: "claude-sonnet-4-5", stream: true }),
    sdk.ValidationException,
  );
  assertEquals(
    err.message,
    "Malformed input request: #: extraneous key [model] is not permitted" +
      "#: extraneous key [stream] is not permitted, please reformat your input and try again.",
  );
  assertEquals(err.$metadata.httpStatusCode, 400);
  assertEquals(emulator.pending, 1, "an invalid request takes no script");
});

Deno.test("startBedrockEmulator() rejects an unknown beta flag", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  await assertRejects(
    () => invoke(client, { ...BODY, anthropic_beta: ["mcp-client-2025-04-04"] }),
    sdk.ValidationException,
    "invalid beta flag",
  );
  await invoke(client, { ...BODY, anthropic_beta: ["context-1m-2025-08-07"] });
});

Deno.test("startBedrockEmulator() rejects an unknown model id and accepts configured ones", async () => {
  await using emulator = await startBedrockEmulator({ models: ["my-model"] });
  using client = clientFor(emulator.url, "fetch");
  const err = await assertRejects(
    () => invoke(client, BODY, MODEL),
    sdk.ValidationException,
  );
  assertEquals(err.message, "The provided model identifier is invalid.");
  await invoke(client, BODY, "my-model");
});

Deno.test("startBedrockEmulator() accepts inference profile ARNs of known models", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  await invoke(client, BODY, `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${MODEL}`);
  await assertRejects(
    () => invoke(client, BODY, "anthropic.claude-nonexistent-v1:0"),
    sdk.ValidationException,
  );
});

Deno.test("startBedrockEmulator() refuses unsigned requests with AWS's 403", async () => {
  await using emulator = await startBedrockEmulator();
  const response = await fetch(`${emulator.url}/model/${encodeURIComponent(MODEL)}/invoke`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(BODY),
  });
  assertEquals(response.status, 403);
  assertEquals(
    response.headers.get("x-amzn-errortype"),
    "MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/",
  );
  assertEquals(await response.json(), { message: "Missing Authentication Token" });
  assertEquals(emulator.requests[0]?.signed, false);
});

Deno.test("startBedrockEmulator() accepts Bedrock API keys as Bearer tokens when enabled", async () => {
  await using emulator = await startBedrockEmulator({ auth: { bearer: ["ABSKtest"] } });
  const call = (token: string) =>
    fetch(`${emulator.url}/model/${encodeURIComponent(MODEL)}/invoke`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(BODY),
    });
  const ok = await call("ABSKtest");
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("x-amzn-bedrock-output-token-count"), "8");
  assertStringIncludes(JSON.stringify(await ok.json()), "Emulated answer to: Say hello");
  const denied = await call("other");
  assertEquals(denied.status, 403);
  await denied.body?.cancel();
});

Deno.test("startBedrockEmulator() sends Bedrock's error headers", async () => {
  await using emulator = await startBedrockEmulator();
  emulator.enqueue(errorScript("ThrottlingException"));
  const response = await fetch(`${emulator.url}/model/${encodeURIComponent(MODEL)}/invoke`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/bedrock/aws4_request, " +
        "SignedHeaders=host;x-amz-date, Signature=abcd",
      "x-amz-date": "20261124T120000Z",
    },
    body: JSON.stringify(BODY),
  });
  assertEquals(response.status, 429);
  assertEquals(
    response.headers.get("x-amzn-errortype"),
    "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
  );
  assertMatch(response.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
  assertEquals(await response.json(), {
    message: "Too many requests, please wait before trying again.",
  });
});

Deno.test("startBedrockEmulator() answers with the default answer when the queue is empty", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  const events = await collect((await stream(client)).body);
  const text = events.flatMap((e) =>
    e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []
  ).join("");
  assertEquals(text, "Emulated answer to: Say hello");
});

Deno.test("startBedrockEmulator() runs script functions against the request and keeps queue order", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  emulator.enqueue(
    (request) => textAnswer(`model was ${request.modelId}`),
    textAnswer("second"),
  );
  const first = JSON.parse(new TextDecoder().decode((await invoke(client)).body));
  const second = JSON.parse(new TextDecoder().decode((await invoke(client)).body));
  assertEquals(first.content, [{ type: "text", text: `model was ${MODEL}` }]);
  assertEquals(second.content, [{ type: "text", text: "second" }]);
  assertEquals(emulator.pending, 0);
  emulator.reset();
  assertEquals(emulator.requests.length, 0);
});

Deno.test("startBedrockEmulator() close() ends streams that are still open", async () => {
  const emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url, "fetch");
  emulator.enqueue(answerScript(textAnswer("stuck"), { hangAfter: 1 }));
  const response = await stream(client);
  const iterator = response.body![Symbol.asyncIterator]();
  assertEquals((await iterator.next()).done, false);
  const closing = emulator.close();
  await assertRejects(() => iterator.next(), Error);
  await closing;
  assertEquals(await emulator.requests[0]?.closed, "aborted");
});
