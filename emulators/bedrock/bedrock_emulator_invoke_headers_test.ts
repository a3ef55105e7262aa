import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { startBedrockEmulator } from "./bedrock_emulator.ts";
import { textAnswer } from "./text_answer.ts";

const MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const decoder = new TextDecoder();

function clientFor(url: string): BedrockRuntimeClient & Disposable {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
    maxAttempts: 1,
    requestHandler: new FetchHttpHandler(),
  });
  return Object.assign(client, { [Symbol.dispose]: () => client.destroy() });
}

function body(text: string, extra: Record<string, unknown> = {}) {
  return new TextEncoder().encode(JSON.stringify({
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 8,
    messages: [{ role: "user", content: text }],
    ...extra,
  }));
}

Deno.test("startBedrockEmulator() answers the SDK's service tier and latency with the headers the SDK reads", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url);
  const out = await client.send(
    new InvokeModelCommand({
      modelId: MODEL,
      body: body("hi"),
      serviceTier: "flex",
      performanceConfigLatency: "optimized",
    }),
  );
  assertEquals([out.serviceTier, out.performanceConfigLatency], ["flex", "optimized"]);
  const stream = await client.send(
    new InvokeModelWithResponseStreamCommand({ modelId: MODEL, body: body("hi") }),
  );
  for await (const _ of stream.body!) { /* drain */ }
  assertEquals(stream.serviceTier, undefined, "no tier asked, none said");
  assertEquals(emulator.requests[0]!.headers["x-amzn-bedrock-service-tier"], "flex");
});

Deno.test("startBedrockEmulator() refuses a bad tier, and a guardrail it does not have, as ValidationException", async () => {
  await using emulator = await startBedrockEmulator({
    guardrails: [{ id: "g1", versions: ["1"], deniedWords: [] }],
  });
  using client = clientFor(emulator.url);
  await assertRejects(
    () =>
      client.send(
        new InvokeModelCommand({
          modelId: MODEL,
          body: body("hi"),
          serviceTier: "standard" as "default",
        }),
      ),
    ValidationException,
    "at 'serviceTier' failed to satisfy constraint",
  );
  await assertRejects(
    () =>
      client.send(
        new InvokeModelCommand({
          modelId: MODEL,
          body: body("hi"),
          guardrailIdentifier: "g2",
          guardrailVersion: "1",
        }),
      ),
    ValidationException,
    "does not exist",
  );
  // The guardrail's body configuration is refused without a guardrail, allowed with one.
  await assertRejects(
    () =>
      client.send(
        new InvokeModelCommand({
          modelId: MODEL,
          body: body("hi", { "amazon-bedrock-guardrailConfig": { tagSuffix: "s" } }),
        }),
      ),
    ValidationException,
    "Guardrail identifier is required",
  );
  emulator.enqueue(textAnswer("ok"));
  const out = await client.send(
    new InvokeModelCommand({
      modelId: MODEL,
      body: body("hi", { "amazon-bedrock-guardrailConfig": { tagSuffix: "s" } }),
      guardrailIdentifier: "g1",
      guardrailVersion: "1",
    }),
  );
  const answer = JSON.parse(decoder.decode(out.body));
  assertEquals(answer.content, [{ type: "text", text: "ok" }]);
  assertEquals(answer["amazon-bedrock-guardrailAction"], "NONE");
});

Deno.test("startBedrockEmulator() streams a guardrail's blocked-input answer without using the queued script", async () => {
  await using emulator = await startBedrockEmulator({
    guardrails: [{ id: "g1", versions: ["DRAFT"], deniedWords: ["secret"] }],
  });
  using client = clientFor(emulator.url);
  emulator.enqueue(textAnswer("model answer"));
  const out = await client.send(
    new InvokeModelWithResponseStreamCommand({
      modelId: MODEL,
      body: body("tell me the secret"),
      guardrailIdentifier: "g1",
      guardrailVersion: "DRAFT",
      trace: "ENABLED",
    }),
  );
  const events: Record<string, unknown>[] = [];
  for await (const e of out.body!) events.push(JSON.parse(decoder.decode(e.chunk!.bytes!)));
  const text = events.filter((e) => e.type === "content_block_delta")
    .map((e) => (e.delta as { text: string }).text).join("");
  assertEquals(text, "Sorry, the model cannot answer this question.");
  const last = events.at(-1)!;
  assertEquals(last["amazon-bedrock-guardrailAction"], "INTERVENED");
  assertEquals(
    (last["amazon-bedrock-trace"] as { guardrail: { input: unknown } }).guardrail.input,
    { g1: { wordPolicy: { customWords: [{ match: "secret", action: "BLOCKED" }] } } },
  );
  assertEquals(emulator.pending, 1, "the model was not invoked");
});
