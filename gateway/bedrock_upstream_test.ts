import {
  type BedrockRequestRecord,
  errorScript,
  startBedrockEmulator,
  textAnswer,
} from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import type { BedrockInvokeOptions } from "./bedrock_invoke_options.ts";
import { createBedrockClient } from "./bedrock_client.ts";
import {
  type BedrockAnswerMeta,
  type BedrockClient,
  countTokens,
  invokeModel,
  invokeModelStream,
} from "./bedrock_upstream.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const CREDENTIALS = { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" };
const GUARDRAIL = {
  id: "gr7abc",
  versions: ["1", "DRAFT"],
  deniedWords: ["password"],
  blockedInputMessaging: "Blocked by policy.",
};
const BODY = new TextEncoder().encode(JSON.stringify({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 32,
  messages: [{ role: "user", content: "hello" }],
}));
const INVOKE_HEADERS = [
  "x-amzn-bedrock-service-tier",
  "x-amzn-bedrock-performanceconfig-latency",
  "x-amzn-bedrock-guardrailidentifier",
  "x-amzn-bedrock-guardrailversion",
  "x-amzn-bedrock-trace",
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The invocation headers a request to the emulator carried, by name (absent ones left out). */
function invokeHeaders(request: BedrockRequestRecord | undefined): Record<string, string> {
  assert(request !== undefined, "the emulator was called");
  return Object.fromEntries(
    INVOKE_HEADERS.flatMap((h) =>
      request.headers[h] === undefined ? [] : [[h, request.headers[h]]]
    ),
  );
}

/** Reads a stream's chunks to the end. */
async function drain(events: AsyncIterator<Uint8Array>): Promise<number> {
  let n = 0;
  while (!(await events.next()).done) n++;
  return n;
}

/** Collects what `answered` is told. */
function answers(): { metas: BedrockAnswerMeta[]; answered: (m: BedrockAnswerMeta) => void } {
  const metas: BedrockAnswerMeta[] = [];
  return { metas, answered: (m) => metas.push(m) };
}

function assertLatency(meta: BedrockAnswerMeta | undefined): void {
  assert(meta !== undefined, "answered was called");
  assert(Number.isInteger(meta.latencyMs) && meta.latencyMs >= 0, `latencyMs ${meta.latencyMs}`);
}

async function emulatorClient(): Promise<
  { client: BedrockClient; requests: readonly BedrockRequestRecord[] } & AsyncDisposable
> {
  const emulator = await startBedrockEmulator({ guardrails: [GUARDRAIL] });
  const client = createBedrockClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: CREDENTIALS,
  });
  return {
    client,
    requests: emulator.requests,
    async [Symbol.asyncDispose]() {
      client.destroy();
      await emulator.close();
    },
  };
}

Deno.test("invokeModel() sends the invocation's options as Bedrock's headers and tells answered what the answer said", async () => {
  await using bedrock = await emulatorClient();
  const options: BedrockInvokeOptions = {
    serviceTier: "flex",
    performanceConfigLatency: "optimized",
    guardrailIdentifier: GUARDRAIL.id,
    guardrailVersion: "1",
    trace: "ENABLED",
  };
  const { metas, answered } = answers();
  const bytes = await invokeModel(bedrock.client, {
    modelId: MODEL,
    body: BODY,
    signal: new AbortController().signal,
    options,
    answered,
  });
  assertEquals(JSON.parse(new TextDecoder().decode(bytes)).type, "message");
  assertEquals(invokeHeaders(bedrock.requests[0]), {
    "x-amzn-bedrock-service-tier": "flex",
    "x-amzn-bedrock-performanceconfig-latency": "optimized",
    "x-amzn-bedrock-guardrailidentifier": GUARDRAIL.id,
    "x-amzn-bedrock-guardrailversion": "1",
    "x-amzn-bedrock-trace": "ENABLED",
  });
  assertEquals(metas.length, 1);
  assertLatency(metas[0]);
  const { latencyMs: _, ...said } = metas[0]!;
  assert(UUID.test(said.requestId ?? ""), `Bedrock's request id ${said.requestId}`);
  assertEquals(said, {
    serviceTier: "flex",
    performanceConfigLatency: "optimized",
    requestId: said.requestId,
  });
});

Deno.test("invokeModelStream() sends the invocation's options and tells answered before the first chunk is read", async () => {
  await using bedrock = await emulatorClient();
  const { metas, answered } = answers();
  const events = await invokeModelStream(bedrock.client, {
    modelId: MODEL,
    body: BODY,
    signal: new AbortController().signal,
    options: { serviceTier: "priority", trace: "DISABLED" },
    answered,
  });
  assertEquals(metas.length, 1, "told once the response (headers) arrived");
  assert(await drain(events) > 0);
  assertEquals(invokeHeaders(bedrock.requests[0]), {
    "x-amzn-bedrock-service-tier": "priority",
    "x-amzn-bedrock-trace": "DISABLED",
  });
  assertLatency(metas[0]);
  assertEquals(metas[0]!.serviceTier, "priority");
  assertEquals(metas[0]!.performanceConfigLatency, undefined);
  assert(UUID.test(metas[0]!.requestId ?? ""), `Bedrock's request id ${metas[0]!.requestId}`);
  assertEquals(metas.length, 1);
});

Deno.test("invokeModel() without options sends no invocation header; answered has Bedrock's request id and the latency only", async () => {
  await using bedrock = await emulatorClient();
  const { metas, answered } = answers();
  await invokeModel(bedrock.client, {
    modelId: MODEL,
    body: BODY,
    signal: new AbortController().signal,
    answered,
  });
  await invokeModel(bedrock.client, {
    modelId: MODEL,
    body: BODY,
    signal: new AbortController().signal,
    options: {},
  });
  assertEquals(invokeHeaders(bedrock.requests[0]), {});
  assertEquals(invokeHeaders(bedrock.requests[1]), {});
  assertEquals(metas.length, 1);
  assertLatency(metas[0]);
  assertEquals(Object.keys(metas[0]!).sort(), ["latencyMs", "requestId"]);
});

Deno.test("countTokens() sends no invocation options and does not call answered", async () => {
  await using bedrock = await emulatorClient();
  const { metas, answered } = answers();
  const count = await countTokens(bedrock.client, {
    modelId: MODEL,
    body: BODY,
    signal: new AbortController().signal,
    options: { serviceTier: "flex", trace: "ENABLED" },
    answered,
  });
  assert(count > 0);
  assertEquals(bedrock.requests[0]?.operation, "CountTokens");
  assertEquals(invokeHeaders(bedrock.requests[0]), {});
  assertEquals(metas, []);
});

Deno.test("invokeModel() and invokeModelStream() through FailoverBedrock keep the options on every attempt", async () => {
  await using stack = await startGatewayStack({
    emulator: { guardrails: [GUARDRAIL] },
    regions: [{ region: "us-west-2", emulator: { guardrails: [GUARDRAIL] } }],
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "2", CCGATE_RETRY_BASE_MS: "0" },
  });
  const [east, west] = stack.emulators;
  const options: BedrockInvokeOptions = {
    serviceTier: "flex",
    guardrailIdentifier: GUARDRAIL.id,
    guardrailVersion: "DRAFT",
  };
  const expected = {
    "x-amzn-bedrock-service-tier": "flex",
    "x-amzn-bedrock-guardrailidentifier": GUARDRAIL.id,
    "x-amzn-bedrock-guardrailversion": "DRAFT",
  };
  const { metas, answered } = answers();
  for (const stream of [false, true]) {
    east!.enqueue(errorScript("ThrottlingException"));
    west!.enqueue(textAnswer("from the west"));
    const invocation = {
      modelId: MODEL,
      body: BODY,
      signal: new AbortController().signal,
      options,
      answered,
    };
    if (stream) await drain(await invokeModelStream(stack.bedrock, invocation));
    else await invokeModel(stack.bedrock, invocation);
  }
  assertEquals(east!.requests.map(invokeHeaders), [expected, expected]);
  assertEquals(west!.requests.map(invokeHeaders), [expected, expected]);
  assertEquals(east!.requests.map((r) => r.status), [429, 429]);
  assertEquals(metas.map((m) => m.serviceTier), ["flex", "flex"]);
  metas.forEach(assertLatency);
});
