import {
  BedrockRuntimeClient,
  CountTokensCommand,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { startBedrockEmulator } from "./bedrock_emulator.ts";
import { countInputTokens } from "./count_input_tokens.ts";

const BODY = {
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 1,
  system: "Be brief.",
  messages: [{ role: "user", content: "Count me" }],
};

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

function count(client: BedrockRuntimeClient, modelId: string, body: unknown = BODY) {
  return client.send(
    new CountTokensCommand({
      modelId,
      input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } },
    }),
  );
}

Deno.test("startBedrockEmulator() answers the SDK's CountTokensCommand with inputTokens", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url);
  const out = await count(client, "anthropic.claude-sonnet-4-5-20250929-v1:0");
  assertEquals(out.inputTokens, countInputTokens(BODY));
  const [rec] = emulator.requests;
  assertEquals(rec?.operation, "CountTokens");
  assertEquals(rec?.path, "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens");
  // The wire shape: the InvokeModel body travels base64-encoded under input.invokeModel.body.
  const sent = rec?.json as { input: { invokeModel: { body: string } } };
  assertEquals(
    JSON.parse(new TextDecoder().decode(Uint8Array.fromBase64(sent.input.invokeModel.body))),
    BODY,
  );
});

Deno.test("startBedrockEmulator() refuses CountTokens for a model configured as unsupported", async () => {
  await using emulator = await startBedrockEmulator({
    countTokensUnsupported: ["anthropic.claude-sonnet-4-6"],
  });
  using client = clientFor(emulator.url);
  await assertRejects(
    () => count(client, "anthropic.claude-sonnet-4-6"),
    ValidationException,
    "The provided model doesn't support counting tokens.",
  );
  assertEquals(emulator.requests[0]?.status, 400);
});

Deno.test("startBedrockEmulator() refuses CountTokens for an inference profile id, as Bedrock does", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url);
  await assertRejects(
    () => count(client, "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ValidationException,
    "The provided model identifier is invalid.",
  );
});

Deno.test("startBedrockEmulator() validates the counted body like an InvokeModel body", async () => {
  await using emulator = await startBedrockEmulator();
  using client = clientFor(emulator.url);
  await assertRejects(
    () => count(client, "anthropic.claude-sonnet-4-5-20250929-v1:0", { ...BODY, model: "x" }),
    ValidationException,
    "extraneous key [model] is not permitted",
  );
});
