import {
  BedrockRuntimeClient,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ModelStreamErrorException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import {
  answerScript,
  countInputTokens,
  errorScript,
  textAnswer,
  toolUseAnswer,
} from "@ccgate/emulators";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import {
  bedrockBodiesHeldWhileStreaming,
  parseHeldWhilePending,
} from "../testing/held_by_route.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const BODY = {
  anthropic_version: "bedrock-2023-05-31",
  anthropic_beta: ["interleaved-thinking-2025-05-14", "tool-search-tool-2025-10-19"],
  max_tokens: 256,
  messages: [{ role: "user", content: "Say hello" }],
};
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The real AWS SDK with the gateway as its endpoint and the ccgate token as a bearer token. */
function awsSdk(url: string, token: string): BedrockRuntimeClient & Disposable {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    token: { token },
    authSchemePreference: ["httpBearerAuth"],
    maxAttempts: 1,
    requestHandler: new FetchHttpHandler(),
  });
  return Object.assign(client, { [Symbol.dispose]: () => client.destroy() });
}

Deno.test("the AWS SDK with a ccgate bearer token streams through /invoke-with-response-stream and decodes every frame", async () => {
  await using stack = await startGatewayStack();
  const events = toolUseAnswer({ text: "Let me look.", name: "Read", input: { path: "a.ts" } }, {
    usage: { input_tokens: 21, output_tokens: 9 },
  });
  stack.emulator.enqueue(events);
  using client = awsSdk(stack.url, stack.token);
  const out = await client.send(
    new InvokeModelWithResponseStreamCommand({ modelId: MODEL, body: JSON.stringify(BODY) }),
  );
  const received: Record<string, unknown>[] = [];
  for await (const event of out.body!) {
    assert(event.chunk?.bytes !== undefined, `unexpected member ${Object.keys(event)}`);
    received.push(JSON.parse(decoder.decode(event.chunk.bytes)));
  }
  assertEquals(received.length, events.length, "one frame per Bedrock chunk");
  const withoutMetrics = received.map((e) => {
    const { ["amazon-bedrock-invocationMetrics"]: _, ...rest } = e;
    return rest;
  });
  assertEquals(withoutMetrics, events as unknown as Record<string, unknown>[]);
  assert("amazon-bedrock-invocationMetrics" in received.at(-1)!, "Bedrock's metrics pass through");

  const [upstream] = stack.emulator.requests;
  assert(upstream?.signed, "re-signed with SigV4 by the gateway's AWS SDK");
  const sent = upstream!.json as Record<string, unknown>;
  // Sonnet 4.5 takes both (tool search is forwarded to Claude 4 and later, as Claude Code asks).
  assertEquals(
    sent.anthropic_beta,
    ["interleaved-thinking-2025-05-14", "tool-search-tool-2025-10-19"],
    "sanitised betas",
  );
  assertEquals(
    (sent.metadata as { user_id: string }).user_id,
    "00000000-0000-0000-0000-00000000a11c",
  );
  const record = stack.logs.find((r) => r.msg === "bedrock_invoke_stream");
  assertEquals(record?.outcome, "completed");
  assertEquals(record?.usage, {
    inputTokens: 21,
    outputTokens: 9,
    cacheReadInputTokens: 0,
    cacheCreationInputTokens: 0,
  });
  assert(!stack.logLines.some((l) => l.includes(stack.token)), "no token in logs");
});

/**
 * Streams through the gateway with the real AWS SDK while Bedrock fails after
 * three events with `exception`: what the SDK threw, and the chunks before it.
 */
async function failedMidStream(exception: "ModelStreamErrorException" | "ThrottlingException") {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(answerScript(textAnswer("one two three four"), {
    failAfter: { events: 3, exception, message: "Too many tokens" },
  }));
  using client = awsSdk(stack.url, stack.token);
  const out = await client.send(
    new InvokeModelWithResponseStreamCommand({ modelId: MODEL, body: JSON.stringify(BODY) }),
  );
  let chunks = 0;
  try {
    for await (const event of out.body!) if (event.chunk) chunks++;
  } catch (err) {
    return { err, chunks };
  }
  throw new Error("the stream ended without the failure");
}

Deno.test("the AWS SDK sees a mid-stream Bedrock failure as the same exception", async () => {
  const { err, chunks } = await failedMidStream("ModelStreamErrorException");
  assert(err instanceof ModelStreamErrorException, String(err));
  assertEquals(chunks, 3);
});

Deno.test("the AWS SDK sees Bedrock throttling mid-stream as a ThrottlingException that asks for no delay", async () => {
  const { err } = await failedMidStream("ThrottlingException");
  assert(err instanceof ThrottlingException, String(err));
  // A stream carries no retry-after: the message must not ask the client to wait for one.
  assertEquals(err.message, "Bedrock throttled the model while it was answering");
});

Deno.test("the AWS SDK invokes, counts tokens and gets Bedrock-shaped errors through the gateway", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("Hi there"));
  using client = awsSdk(stack.url, stack.token);
  const invoked = await client.send(
    new InvokeModelCommand({ modelId: MODEL, body: JSON.stringify(BODY) }),
  );
  const message = JSON.parse(decoder.decode(invoked.body));
  assertEquals(message.content, [{ type: "text", text: "Hi there" }]);

  const counted = await client.send(
    new CountTokensCommand({
      modelId: MODEL,
      input: { invokeModel: { body: encoder.encode(JSON.stringify(BODY)) } },
    }),
  );
  const countRequest = stack.emulator.requests.at(-1)!;
  assertEquals(countRequest.modelId, "anthropic.claude-sonnet-4-5-20250929-v1:0");
  const countedBody = JSON.parse(
    decoder.decode(
      Uint8Array.fromBase64(
        (countRequest.json as { input: { invokeModel: { body: string } } }).input.invokeModel.body,
      ),
    ),
  );
  assertEquals(counted.inputTokens, countInputTokens(countedBody));

  await assertRejects(
    () =>
      client.send(
        new InvokeModelCommand({ modelId: MODEL, body: JSON.stringify({ ...BODY, messages: 1 }) }),
      ),
    ValidationException,
    "messages: Input should be a list",
  );
  stack.emulator.enqueue(errorScript("ThrottlingException"));
  const throttled = await fetch(`${stack.url}/model/${encodeURIComponent(MODEL)}/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify(BODY),
  });
  assertEquals(throttled.status, 429);
  assertEquals(throttled.headers.get("x-amzn-errortype"), "ThrottlingException");
  assertEquals(Object.keys(await throttled.json()), ["message"]);
});

Deno.test("the Bedrock-native routes refuse a missing or bad token in Bedrock's shape", async () => {
  await using stack = await startGatewayStack();
  for (const authorization of [undefined, "Bearer not-a-jwt"]) {
    const res = await fetch(`${stack.url}/model/${MODEL}/invoke-with-response-stream`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify(BODY),
    });
    assertEquals(res.status, 401);
    assertEquals(res.headers.get("x-amzn-errortype"), "UnrecognizedClientException");
    const body = await res.json();
    assert(typeof body.message === "string" && !("type" in body), JSON.stringify(body));
  }
  assertEquals(stack.emulator.requests.length, 0);
});

Deno.test("GET /inference-profiles lists, without credentials, only the profiles the deployment offers", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MODEL_PREFIX: "eu" } });
  const res = await fetch(`${stack.url}/inference-profiles?type=SYSTEM_DEFINED`);
  assertEquals(res.status, 200);
  const { inferenceProfileSummaries: profiles } = await res.json();
  assert(profiles.length > 0);
  for (const p of profiles) {
    assert(p.inferenceProfileId.startsWith("eu.anthropic."), p.inferenceProfileId);
    assertEquals(p.status, "ACTIVE");
    assertEquals(p.type, "SYSTEM_DEFINED");
    assert(/^arn:aws:bedrock:us-east-1::inference-profile\//.test(p.inferenceProfileArn));
  }
  const ids = profiles.map((p: { inferenceProfileId: string }) => p.inferenceProfileId);
  assertEquals(new Set(ids).size, ids.length, "one profile per model");
  const paged = await (await fetch(`${stack.url}/inference-profiles?maxResults=2`)).json();
  assertEquals(paged.inferenceProfileSummaries.length, 2);
  assertEquals(paged.nextToken, "2");
  const none = await (await fetch(`${stack.url}/inference-profiles?type=APPLICATION`)).json();
  assertEquals(none.inferenceProfileSummaries, []);
  const bad = await fetch(`${stack.url}/inference-profiles?maxResults=x`);
  assertEquals(bad.status, 400);
  assertEquals(bad.headers.get("x-amzn-errortype"), "ValidationException");
  await bad.body?.cancel();
});

Deno.test("POST /model/{id}/invoke maps a us. profile to the deployment's profile for that model", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MODEL_PREFIX: "eu" } });
  using client = awsSdk(stack.url, stack.token);
  await client.send(new InvokeModelCommand({ modelId: MODEL, body: JSON.stringify(BODY) }));
  assertEquals(stack.emulator.requests[0]?.modelId, "eu.anthropic.claude-sonnet-4-5-20250929-v1:0");
});

Deno.test("POST /model/{id}/invoke keeps a Claude model newer than the table in the deployment's geography", async () => {
  for (
    const [prefix, invoked] of [["eu", "eu.anthropic.claude-opus-9"], [
      "none",
      "anthropic.claude-opus-9",
    ]]
  ) {
    await using stack = await startGatewayStack({
      env: { CCGATE_MODEL_PREFIX: prefix! },
      emulator: { models: () => true },
    });
    using client = awsSdk(stack.url, stack.token);
    await client.send(
      new InvokeModelCommand({ modelId: "us.anthropic.claude-opus-9", body: JSON.stringify(BODY) }),
    );
    assertEquals(stack.emulator.requests[0]?.modelId, invoked, prefix);
  }
});

Deno.test("/invoke-with-response-stream no longer holds the parsed request while Bedrock has not answered", async () => {
  await using stack = await startGatewayStack();
  // In the client's `metadata`, which the gateway parses and replaces with the verified user.
  const held = await parseHeldWhilePending(
    stack,
    `/model/${MODEL}/invoke-with-response-stream`,
    (marker) => ({ ...BODY, metadata: { user_id: marker } }),
  );
  assertEquals(held, false);
});

Deno.test("/invoke-with-response-stream: an open stream no longer holds the Bedrock request body", async () => {
  await using stack = await startGatewayStack();
  const held = await bedrockBodiesHeldWhileStreaming(
    stack,
    `/model/${MODEL}/invoke-with-response-stream`,
    { ...BODY, messages: [{ role: "user", content: "x".repeat(123_457) }] },
  );
  assertEquals(held, 0);
});
